// Crash safety: `trustpack collect --out DIR` (against the sandbox, with latency so it takes a
// while) and `trustpack report --evidence B --out P --unsigned` killed with SIGKILL at seeded random
// moments. Nothing may appear at the final path unless it is complete (a bundle at DIR passes
// readBundle; a PDF at P passes `qpdf --check`); leftovers are allowed only under dot-names; and the
// next run succeeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../src/evidence/bundle.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { BIN, runCli } from './helpers/cli.js';
import { PROJECT_FILE, ROOT, sampleSandbox, sandboxEnv } from './helpers/reliability-env.js';

// the sample company's project file (regions, parameters), as the demo uses it
const SAMPLE = ['--project', PROJECT_FILE];

const SEED = 1129;
const KILLS = 10;
const LATENCY_MS = 40;

let sb: Sandbox;
let tmp: string;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tp-rel-crash-'));
  sb = await sampleSandbox({ latencyMs: LATENCY_MS, fixedClock: false });
  env = sandboxEnv(sb.url);
});
afterAll(async () => {
  await sb?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/**
 * When to kill: `ms` after the start; or after the `line`-th progress line on stderr; or as soon as
 * a dot-named temporary entry appears in `watch` (the run is writing its output), after `ms`.
 */
type Moment = { at: 'time'; ms: number } | { at: 'progress'; line: number; ms: number } | { at: 'temp-appears'; ms: number };

/** Starts the CLI, SIGKILLs it at the moment (unless it ended first); resolves when it is gone. */
function runAndKill(args: string[], m: Moment, watchDir: string): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', ...env })) if (v !== undefined) clean[k] = v;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: clean, stdio: ['ignore', 'ignore', 'pipe'] });
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    const killIn = (ms: number) => {
      timer ??= setTimeout(() => {
        killed = child.kill('SIGKILL');
      }, ms);
    };
    let lines = 0;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      lines += d.split('\n').length - 1;
      if (m.at === 'progress' && lines >= m.line) killIn(m.ms);
    });
    let watcher: FSWatcher | undefined;
    if (m.at === 'time') killIn(m.ms);
    if (m.at === 'temp-appears') {
      watcher = watch(watchDir, (_e, name) => {
        if (name && String(name).startsWith('.')) killIn(m.ms);
      });
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      watcher?.close();
      resolve({ killed: killed && signal === 'SIGKILL', code });
    });
  });
}

function qpdfCheck(file: string): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile('qpdf', ['--check', file], { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ ok: !err, out: `${stdout}${stderr}`.slice(-500) }));
  });
}

/** Kill moments: spread over the run (by time or by progress), and while the output is written. */
function killMoments(seed: number, full: number, progressLines: number): Moment[] {
  const spread: fc.Arbitrary<Moment> = progressLines > 0
    ? fc.record({ line: fc.integer({ min: 0, max: progressLines - 1 }), ms: fc.integer({ min: 0, max: 20 }) }).map((r) => ({ at: 'progress' as const, ...r }))
    : fc.integer({ min: 0, max: Math.round(full * 0.6) }).map((ms) => ({ at: 'time' as const, ms }));
  const writing = fc.integer({ min: 0, max: 3 }).map((ms) => ({ at: 'temp-appears' as const, ms }));
  return fc.sample(fc.tuple(spread, writing), { seed, numRuns: KILLS / 2 }).flat();
}
const show = (m: Moment): string => (m.at === 'time' ? `${m.ms}ms` : m.at === 'progress' ? `line${m.line}+${m.ms}ms` : `temp+${m.ms}ms`);

/** Names in `dir` that are neither dot-names nor the allowed final names. */
const strays = (dir: string, allowed: (name: string) => boolean): string[] =>
  readdirSync(dir).filter((n) => !n.startsWith('.') && !allowed(n));

describe(`collect killed with SIGKILL (seed ${SEED}, ${KILLS} kills)`, () => {
  it('leaves either a complete bundle or nothing at DIR, only dot-named leftovers, and the next run succeeds', async () => {
    const parent = join(tmp, 'collect');
    mkdirSync(parent);
    // an unkilled run: how long a collection takes here, and that it works at all
    const t0 = Date.now();
    const full = await runCli([...SAMPLE, 'collect', '--out', join(parent, 'full')], { env });
    const fullMs = Date.now() - t0;
    expect(full.code, full.stderr).toBe(0);
    await readBundle(join(parent, 'full'));

    const problems: string[] = [];
    const progressLines = full.stderr.split('\n').filter((l) => l.startsWith('collected ')).length;
    expect(progressLines).toBeGreaterThan(10);
    const moments = killMoments(SEED, fullMs, progressLines);
    let appeared = 0;
    let killedMidway = 0;
    const names: string[] = [];
    for (const [i, m] of moments.entries()) {
      const ms = show(m);
      const name = `b${i}`;
      names.push(name);
      const dir = join(parent, name);
      const r = await runAndKill([...SAMPLE, 'collect', '--out', dir], m, parent);
      if (r.killed) killedMidway++;
      if (existsSync(dir)) {
        appeared++;
        try {
          await readBundle(dir);
        } catch (e) {
          problems.push(`kill #${i} at ${ms} (${r.killed ? 'killed' : `exited ${r.code}`}): an incomplete bundle at the final path: ${(e as Error).message}`);
        }
      } else if (!r.killed) {
        problems.push(`kill #${i}: the run ended (exit ${r.code}) without a bundle`);
      }
      const bad = strays(parent, (n) => n === 'full' || names.includes(n));
      if (bad.length > 0) problems.push(`kill #${i} at ${ms}: leftovers not under dot-names: ${bad.join(', ')}`);
    }
    // the next run, into a folder a killed run never finished, with every leftover still around
    const missing = names.filter((n) => !existsSync(join(parent, n))).slice(0, 2);
    for (const n of [...missing, 'after']) {
      const again = await runCli([...SAMPLE, 'collect', '--out', join(parent, n)], { env });
      if (again.code !== 0) problems.push(`the next run into ${n} exited ${again.code}: ${again.stderr.slice(-300)}`);
      else await readBundle(join(parent, n)).catch((e: Error) => problems.push(`the next run into ${n}: ${e.message}`));
      // the next write to a path sweeps what killed runs left beside it
      const left = readdirSync(parent).filter((x) => x.startsWith(`.${n}.tmp-`));
      if (left.length > 0) problems.push(`after the next run into ${n}, killed runs' leftovers remain: ${left.join(', ')}`);
    }
    console.log(`reliability-crash collect: full run ${fullMs} ms, kills at ${moments.map(show).join(', ')}, ${killedMidway} killed mid-run, ${appeared} complete bundles appeared, leftovers: ${readdirSync(parent).filter((n) => n.startsWith('.')).length}`);
    expect(problems).toEqual([]);
    // not vacuous: runs were really killed half-way (how many depends on the machine's speed)
    expect(killedMidway).toBeGreaterThanOrEqual(3);
  }, 200_000);
});

describe(`report killed with SIGKILL (seed ${SEED + 1}, ${KILLS} kills)`, () => {
  it('leaves either a PDF that passes qpdf --check or nothing at P, only dot-named leftovers, and the next run succeeds', async () => {
    const bundle = join(tmp, 'bundle');
    const c = await runCli([...SAMPLE, 'collect', '--out', bundle], { env });
    expect(c.code, c.stderr).toBe(0);
    const outDir = join(tmp, 'report');
    mkdirSync(outDir);
    const pack = join(outDir, 'pack.pdf');
    const args = [...SAMPLE, 'report', '--evidence', bundle, '--unsigned', '--out', pack];
    const t0 = Date.now();
    const full = await runCli(args, { env });
    const fullMs = Date.now() - t0;
    expect(full.code, full.stderr).toBe(0);
    expect((await qpdfCheck(pack)).ok).toBe(true);
    rmSync(pack);

    const problems: string[] = [];
    const moments = killMoments(SEED + 1, fullMs, 0);
    let killedMidway = 0;
    let appeared = 0;
    for (const [i, m] of moments.entries()) {
      const ms = show(m);
      const r = await runAndKill(args, m, outDir);
      if (r.killed) killedMidway++;
      if (existsSync(pack)) {
        appeared++;
        const q = await qpdfCheck(pack);
        if (!q.ok) problems.push(`kill #${i} at ${ms} (${r.killed ? 'killed' : `exited ${r.code}`}): a broken PDF at the final path: ${q.out}`);
        rmSync(pack); // so the next kill shows what that run left
      } else if (!r.killed) {
        problems.push(`kill #${i}: the run ended (exit ${r.code}) without a pack`);
      }
      const bad = strays(outDir, (n) => n === 'pack.pdf');
      if (bad.length > 0) problems.push(`kill #${i} at ${ms}: leftovers not under dot-names: ${bad.join(', ')}`);
    }
    const again = await runCli(args, { env });
    if (again.code !== 0) problems.push(`the next run exited ${again.code}: ${again.stderr.slice(-300)}`);
    else if (!(await qpdfCheck(pack)).ok) problems.push('the next run wrote a PDF that fails qpdf --check');
    const left = readdirSync(outDir).filter((x) => x.startsWith('.pack.pdf.tmp-'));
    if (left.length > 0) problems.push(`after the next run, killed runs' leftovers remain: ${left.join(', ')}`);
    console.log(`reliability-crash report: full run ${fullMs} ms, kills at ${moments.map(show).join(', ')}, ${killedMidway} killed mid-run, ${appeared} complete packs appeared, leftovers: ${readdirSync(outDir).filter((n) => n.startsWith('.')).length}`);
    expect(problems).toEqual([]);
    // not vacuous: runs were really killed half-way (how many depends on the machine's speed)
    expect(killedMidway).toBeGreaterThanOrEqual(3);
  }, 200_000);
});
