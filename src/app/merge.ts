// `trustpack merge BUNDLE_DIR... --out DIR`: read and check every shard, merge, write atomically.
import { readBundle, writeBundle } from '../evidence/bundle.js';
import { mergeShards } from '../evidence/merge.js';

export async function runMerge(dirs: readonly string[], out: string): Promise<{ text: string; exitCode: number }> {
  const shards = [];
  for (const dir of dirs) shards.push({ dir, bundle: await readBundle(dir) });
  const merged = mergeShards(shards);
  await writeBundle(merged, out);
  const m = merged.manifest;
  return {
    text: `merged ${shards.length} shard(s): ${m.accounts.length} accounts, ${merged.records.length} records, ${m.collections.length} collections\nevidence bundle: ${out}`,
    exitCode: 0,
  };
}
