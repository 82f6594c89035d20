// Results through the findings spool (src/output/results-file.ts): the engine hands findings to a
// sink instead of keeping them, and the results JSON is streamed from disk. It must be the same
// results and the same bytes as the in-memory path: at the engine (bench generator, with waivers,
// a shared key, an unreadable resource, a backfilled run) and through `evaluate --output` on a
// bundle collected from the sandbox with the sample project (real catalog), gates included.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeBundle, makeControls } from '../bench/engine.js';
import type { Waiver } from '../src/controls/model.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import { evaluate, type EvaluateOptions } from '../src/engine/evaluate.js';
import type { Finding, Results } from '../src/engine/results.js';
import { renderJson } from '../src/output/json.js';
import { FindingsSpool } from '../src/output/results-file.js';
import { evaluateAndRender } from '../src/app/evaluate.js';
import { loadProjectContext } from '../src/app/project.js';
import { loadGate } from '../src/app/gates.js';
import { startSandbox, loadFixture } from '../src/sandbox/index.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PassThrough } from 'node:stream';
import { BIN, ROOT, runCli } from './helpers/cli.js';

const now = new Date('2026-11-28T12:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'tp-results-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sink that keeps what it is given, by control, to put back into the results. */
function collecting(): { add(control: string, f: Finding): void; into(r: Results): Results } {
  const by = new Map<string, Finding[]>();
  return {
    add(control, f) {
      const list = by.get(control);
      if (list) list.push(f);
      else by.set(control, [f]);
    },
    into: (r) => ({ ...r, controls: r.controls.map((c) => ({ ...c, findings: by.get(c.id) ?? [] })) }),
  };
}

function generated(): { bundle: EvidenceBundle; waivers: Waiver[] } {
  const bundle = makeBundle(1500);
  bundle.records[7] = { ...bundle.records[7]!, owner: '999988887777' };
  bundle.records[11] = { ...bundle.records[11]!, data: null, error: { operation: 'DescribeDBClusters', code: 'Throttling', message: 'slow down' } };
  const waivers: Waiver[] = [
    { control: 'bench-control-0', resource: 'arn:aws:rds:*:cluster:cluster-97', reason: 'migrating', approver: 'a@example.com', approved_on: '2026-01-01', expires: '2027-01-01' },
    { control: 'bench-control-1', resource: 'arn:aws:rds:*:cluster:no-such-cluster', reason: 'typo', approver: 'b@example.com', approved_on: '2026-01-01', expires: '2027-01-01' },
  ];
  return { bundle, waivers };
}

describe('the engine with a sink', () => {
  const controls = makeControls();
  // a config_rule control makes the backfill note ("rule parameters as of today") part of the check
  controls[3] = { ...controls[3]!, config_rule: 'DB_BACKUP_ENABLED' };

  for (const source of ['live', 'config-history'] as const) {
    it(`gives the results it keeps in memory, finding for finding (${source} run)`, () => {
      const { bundle, waivers } = generated();
      bundle.manifest = { ...bundle.manifest, source, ...(source === 'config-history' ? { asOf: now.toISOString() } : {}) };
      const opts: EvaluateOptions = { toolVersion: 't', now, waivers };
      const kept = evaluate(controls, bundle, opts);
      const sink = collecting();
      const streamed = evaluate(controls, bundle, { ...opts, sink });
      expect(streamed.controls.every((c) => c.findings.length === 0)).toBe(true);
      expect(sink.into(streamed)).toEqual(kept);
      // what the case is made of, so the equality above means something
      expect(kept.warnings?.map((w) => w.resource)).toEqual(['arn:aws:rds:*:cluster:no-such-cluster']);
      expect(kept.controls[0]!.findings.some((f) => f.status === 'WAIVED')).toBe(true);
      expect(kept.controls.flatMap((c) => c.findings).some((f) => f.owner === '999988887777')).toBe(true);
      expect(kept.controls[3]!.findings.every((f) => f.reason.endsWith('(rule parameters as of today: AWS Config keeps no history of rule parameters)'))).toBe(source === 'config-history');
    });
  }

  it('the streamed results file has the bytes renderJson prints for the results kept in memory', () => {
    const { bundle, waivers } = generated();
    const opts: EvaluateOptions = { toolVersion: 't', now, waivers };
    const out = join(dir, 'engine-results.json');
    const spool = new FindingsSpool(out);
    try {
      const streamed = evaluate(controls, bundle, { ...opts, sink: spool });
      spool.writeResults(out, streamed);
    } finally {
      spool.remove();
    }
    expect(readFileSync(out, 'utf8')).toBe(renderJson(evaluate(controls, bundle, opts)));
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]); // the spool is gone
  });
});

describe('evaluate --format json --output on a collected bundle (sample project, real catalog)', () => {
  const project = join(ROOT, 'examples', 'sample', 'trustpack.yaml');
  const bundle = join(dir, 'evidence');

  beforeAll(async () => {
    const sandbox = await startSandbox({ fixture: loadFixture(join(ROOT, 'examples/sample/account.yaml')), port: 0 });
    try {
      const env = {
        AWS_ENDPOINT_URL: sandbox.url, AWS_ACCESS_KEY_ID: 'AKIDSPOOL', AWS_SECRET_ACCESS_KEY: 'spool-secret', AWS_REGION: 'us-east-1',
        AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true',
      };
      expect((await runCli(['--project', project, 'collect', '--out', bundle], { env })).code).toBe(0);
    } finally {
      await sandbox.close();
    }
    // both paths judge the live run as of "now": the same now for both
    vi.useFakeTimers({ toFake: ['Date'], now: new Date() });
  }, 120_000);
  afterAll(() => vi.useRealTimers());

  it('writes the bytes the in-memory path prints, and the same summary line and exit code', async () => {
    const ctx = loadProjectContext({ project });
    const printed = await evaluateAndRender(ctx, { dir: bundle }, { format: 'json', color: false });
    const out = join(dir, 'results.json');
    const written = await evaluateAndRender(ctx, { dir: bundle }, { format: 'json', color: false, output: out });
    expect(readFileSync(out, 'utf8')).toBe(printed.text);
    const results = JSON.parse(printed.text) as Results;
    expect(results.controls.some((c) => c.findings.some((f) => f.status === 'WAIVED'))).toBe(true);
    expect(written.exitCode).toBe(printed.exitCode);
    expect(written.text).toMatch(new RegExp(`^results written to ${out}: ${results.summary.PASS} passed, ${results.summary.FAIL} failed`));
  });

  it('JSON on stdout is streamed from the spool with the same bytes (the CLI hands its stdout in)', async () => {
    const ctx = loadProjectContext({ project });
    const printed = await evaluateAndRender(ctx, { dir: bundle }, { format: 'json', color: false });
    const chunks: Buffer[] = [];
    const stdout = new PassThrough().on('data', (c: Buffer) => chunks.push(c));
    const streamed = await evaluateAndRender(ctx, { dir: bundle }, { format: 'json', color: false, stdout });
    expect(streamed.text).toBe('');
    expect(streamed.exitCode).toBe(printed.exitCode);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(printed.text);
  });

  it('a --baseline gate judges the spooled run as it judges the one in memory', async () => {
    const ctx = loadProjectContext({ project });
    const printed = await evaluateAndRender(ctx, { dir: bundle }, { format: 'json', color: false });
    // a baseline without the first failing finding: exactly one new failure
    const base = JSON.parse(printed.text) as Results;
    const c = base.controls.find((x) => x.findings.some((f) => f.status === 'FAIL'))!;
    c.findings.splice(c.findings.findIndex((f) => f.status === 'FAIL'), 1);
    const baseline = join(dir, 'baseline.json');
    writeFileSync(baseline, JSON.stringify(base));
    const notes = { memory: [] as string[], spool: [] as string[] };
    const a = await evaluateAndRender(ctx, { dir: bundle }, { format: 'json', color: false, gate: await loadGate({ baseline }), log: (s) => notes.memory.push(s) });
    const b = await evaluateAndRender(ctx, { dir: bundle }, {
      format: 'json', color: false, output: join(dir, 'gated.json'), gate: await loadGate({ baseline }), log: (s) => notes.spool.push(s),
    });
    expect(a.exitCode).toBe(1);
    expect(notes.memory.join('\n')).toMatch(/already in the baseline, 1 new/);
    expect(b.exitCode).toBe(a.exitCode);
    expect(notes.spool).toEqual(notes.memory);
  });

  it('a results file that cannot be written is a clear error naming it, and nothing is left behind', async () => {
    const ctx = loadProjectContext({ project });
    writeFileSync(join(dir, 'a-file'), 'x');
    const out = join(dir, 'a-file', 'results.json');
    await expect(evaluateAndRender(ctx, { dir: bundle }, { format: 'json', color: false, output: out }))
      .rejects.toThrow(`${out}: cannot write it (`);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a disk that fills up half-way (a file size limit) is a clear error, exit 2, and leaves nothing', async () => {
    const out = join(dir, 'limited');
    mkdirSync(out);
    // ulimit -f: writes past 8 KiB fail with EFBIG (Node ignores SIGXFSZ), as on a full disk
    const run = await promisify(execFile)('sh', ['-c', 'ulimit -f 16; exec "$0" "$@"', process.execPath, BIN, '--project', project,
      'evaluate', '--evidence', bundle, '--format', 'json', '--output', join(out, 'results.json')], { env: { ...process.env, NO_COLOR: '1' } })
      .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }));
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${join(out, 'results.json')}: cannot write it (the file is too large for this system or process`);
    expect(readdirSync(out)).toEqual([]);
    expect(existsSync(join(out, 'results.json'))).toBe(false);
  });
});
