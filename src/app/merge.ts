// `trustpack merge BUNDLE_DIR... --out DIR`: check every shard, merge, write atomically.
import { mergeShardDirs } from '../evidence/merge.js';
import { checkOutputTarget } from './output-target.js';

export async function runMerge(dirs: readonly string[], out: string, force?: boolean): Promise<{ text: string; exitCode: number }> {
  // like every other output: an existing non-empty folder only with --force, checked first
  checkOutputTarget({ path: out, kind: 'folder', option: '--out' }, force);
  const m = await mergeShardDirs(dirs, out, { replace: Boolean(force) });
  const records = m.files.reduce((n, f) => n + (f.records ?? 0), 0);
  return {
    text: `merged ${m.mergedFrom?.length ?? dirs.length} shard(s): ${m.accounts.length} accounts, ${records} records, ${m.collections.length} collections\nevidence bundle: ${out}`,
    exitCode: 0,
  };
}
