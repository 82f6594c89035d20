// `trustpack merge BUNDLE_DIR... --out DIR`: check every shard, merge, write atomically.
import { existsSync, readdirSync } from 'node:fs';
import { BundleError } from '../evidence/bundle.js';
import { mergeShardDirs } from '../evidence/merge.js';

export async function runMerge(dirs: readonly string[], out: string): Promise<{ text: string; exitCode: number }> {
  if (existsSync(out) && readdirSync(out).length > 0) throw new BundleError(`${out} already exists and is not empty; choose another folder`);
  const m = await mergeShardDirs(dirs, out);
  const records = m.files.reduce((n, f) => n + (f.records ?? 0), 0);
  return {
    text: `merged ${m.mergedFrom?.length ?? dirs.length} shard(s): ${m.accounts.length} accounts, ${records} records, ${m.collections.length} collections\nevidence bundle: ${out}`,
    exitCode: 0,
  };
}
