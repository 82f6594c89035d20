// Start-up time of the BUILT command line (run `npm run build` first): median wall-clock time
// of `node -e 0`, `trustpack --help` and `trustpack controls validate` (the sample's
// examples/sample/trustpack.yaml: 50 controls, 5 framework catalogs, waivers, attestations), each in a child
// process, and the ratio to `node -e 0`. The goal: --help within 3x, controls validate within 6x.
// The runs are interleaved (one of each per round) so a busy machine slows all three alike.
// Run with `node --import tsx bench/startup.ts [runs]` (default 15).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'trustpack.js');

export interface StartupResult {
  name: string;
  medianMs: number;
  /** medianMs divided by the median of `node -e 0` */
  ratio: number;
}

const CASES: { name: string; args: string[]; limit?: number }[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'trustpack --help', args: [CLI, '--help'], limit: 3 },
  { name: 'trustpack controls validate', args: [CLI, '--project', join(ROOT, 'examples', 'sample', 'trustpack.yaml'), 'controls', 'validate'], limit: 6 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeOnce(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  return ms;
}

/** Median of `runs` child-process runs of each case; the first (warm-up) round is not counted. */
export async function measureStartup(runs: number): Promise<{ name: string; medianMs: number; ratio: number }[]> {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run npm run build first');
  const times = CASES.map(() => [] as number[]);
  for (const c of CASES) timeOnce(c.args); // warm the file-system cache
  for (let i = 0; i < runs; i++) {
    CASES.forEach((c, j) => times[j]!.push(timeOnce(c.args)));
    await new Promise((r) => setImmediate(r));
  }
  const base = median(times[0]!);
  return CASES.map((c, j) => {
    const m = median(times[j]!);
    return { name: c.name, medianMs: m, ratio: m / base };
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const runs = Number(process.argv[2] ?? process.env['BENCH_RUNS'] ?? 15);
  const results = await measureStartup(runs);
  console.log(`start-up, median of ${runs} runs each (built CLI, ${process.version})`);
  for (const r of results) {
    const limit = CASES.find((c) => c.name === r.name)?.limit;
    const goal = limit === undefined ? '' : `  goal <= ${limit}x: ${r.ratio <= limit ? 'met' : 'NOT met'}`;
    console.log(`${r.name.padEnd(30)} ${r.medianMs.toFixed(1).padStart(8)} ms  ${r.ratio.toFixed(2).padStart(5)}x${goal}`);
  }
}
