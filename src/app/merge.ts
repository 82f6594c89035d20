// `trustpack merge BUNDLE_DIR... --out DIR`: read and check every shard, merge, write atomically.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE, readBundle, writeBundle } from '../evidence/bundle.js';
import { mergeShards } from '../evidence/merge.js';

export async function runMerge(dirs: readonly string[], out: string): Promise<{ text: string; exitCode: number }> {
  const shards = [];
  for (const dir of dirs) {
    const bundle = await readBundle(dir);
    const manifestSha256 = createHash('sha256').update(await readFile(join(dir, MANIFEST_FILE))).digest('hex');
    shards.push({ dir, bundle, manifestSha256 });
  }
  const merged = mergeShards(shards);
  await writeBundle(merged, out);
  const m = merged.manifest;
  return {
    text: `merged ${shards.length} shard(s): ${m.accounts.length} accounts, ${merged.records.length} records, ${m.collections.length} collections\nevidence bundle: ${out}`,
    exitCode: 0,
  };
}
