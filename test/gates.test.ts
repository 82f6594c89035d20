// CI gates: --fail-on SEVERITY, --no-fail-on-error, --baseline RESULTS.json. The rules on
// results built here; then through the built CLI on evidence collected from the sandbox (real
// SDK over loopback), including a run where access to KMS is denied so that controls are ERROR.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGate } from '../src/app/gates.js';
import { UsageError } from '../src/util/errors.js';
import type { ControlResult, Finding, Results } from '../src/engine/results.js';
import { startSandbox, loadFixture } from '../src/sandbox/index.js';
import { ROOT, runCli } from './helpers/cli.js';

const A = '111122223333';
const finding = (resource: string, status: Finding['status'], region = 'us-east-1'): Finding => ({ resource, account: A, region, status, reason: status, evidence: [] });
const control = (id: string, severity: string, status: ControlResult['status'], findings: Finding[]): ControlResult =>
  ({ id, title: id, status, severity, kind: findings.length ? 'automated' : 'manual', frameworks: {}, findings, reason: status });
function results(controls: ControlResult[]): Results {
  const summary = { PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0, MANUAL: 0, WAIVED: 0 };
  for (const c of controls) summary[c.status]++;
  return { tool: { name: 'trustpack', version: 't' }, run: { id: 'r', startedAt: 't', evaluatedAt: 't', accounts: [A], regions: ['us-east-1'] }, summary, controls };
}
const dir = mkdtempSync(join(tmpdir(), 'tp-gates-'));
const writeJson = (name: string, v: unknown): string => {
  const f = join(dir, name);
  writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v));
  return f;
};

describe('the gate rules', () => {
  const medFail = control('kms-rotation', 'medium', 'FAIL', [finding('arn:k1', 'FAIL'), finding('arn:k2', 'PASS')]);
  const highFail = control('tls', 'high', 'FAIL', [finding('arn:c1', 'FAIL')]);
  const critErr = control('encrypted', 'critical', 'ERROR', [finding('arn:c1', 'ERROR')]);
  const manualFail = control('pentest', 'high', 'FAIL', []);

  it('by default any FAIL or ERROR fails the run', async () => {
    const g = await loadGate({});
    expect(g.judge(results([medFail])).exitCode).toBe(1);
    expect(g.judge(results([critErr])).exitCode).toBe(1);
    expect(g.judge(results([control('ok', 'high', 'PASS', [finding('arn:x', 'PASS')])])).exitCode).toBe(0);
  });

  it('--fail-on high fails on critical and high, not on medium, and says what it set aside', async () => {
    const g = await loadGate({ failOn: 'high' });
    const med = g.judge(results([medFail]));
    expect(med.exitCode).toBe(0);
    expect(med.notes.join('\n')).toContain('1 failing finding(s) of controls below high severity do not fail the run');
    expect(g.judge(results([medFail, highFail])).exitCode).toBe(1);
    expect(g.judge(results([critErr])).exitCode).toBe(1);
    expect((await loadGate({ failOn: 'critical' })).judge(results([medFail, highFail])).exitCode).toBe(0);
  });

  it('--no-fail-on-error: ERROR does not fail the run, but its count is printed', async () => {
    const g = await loadGate({ failOnError: false });
    const r = g.judge(results([critErr]));
    expect(r.exitCode).toBe(0);
    expect(r.notes).toContain('1 control in ERROR (evidence missing): reported, but not failing the run (--no-fail-on-error)');
    expect(g.judge(results([critErr, medFail])).exitCode).toBe(1);
  });

  it('--baseline: only a (control, resource, account, region) newly FAIL or ERROR fails the run', async () => {
    const base = writeJson('base.json', results([medFail, critErr, manualFail]));
    const g = await loadGate({ baseline: base });
    // the same failures as the baseline: nothing new
    expect(g.judge(results([medFail, critErr, manualFail])).exitCode).toBe(0);
    // a new failing resource of a control that already failed
    const more = control('kms-rotation', 'medium', 'FAIL', [finding('arn:k1', 'FAIL'), finding('arn:k2', 'FAIL')]);
    const r = g.judge(results([more, critErr, manualFail]));
    expect(r.exitCode).toBe(1);
    expect(r.notes).toContain('  new FAIL: kms-rotation arn:k2');
    // the same resource in another region is another resource
    expect(g.judge(results([control('kms-rotation', 'medium', 'FAIL', [finding('arn:k1', 'FAIL', 'eu-central-1')])])).exitCode).toBe(1);
    // ERROR in the baseline, FAIL now: not the status it was in
    expect(g.judge(results([control('encrypted', 'critical', 'FAIL', [finding('arn:c1', 'FAIL')])])).exitCode).toBe(1);
  });

  it('the gates combine: a new medium failure under --fail-on high does not fail', async () => {
    const base = writeJson('empty.json', results([]));
    expect((await loadGate({ baseline: base, failOn: 'high' })).judge(results([medFail])).exitCode).toBe(0);
    expect((await loadGate({ baseline: base, failOn: 'high' })).judge(results([highFail])).exitCode).toBe(1);
  });

  it.each([
    ['missing.json', undefined, 'file not found'],
    ['not-json.json', '{"controls": [', 'not JSON'],
    ['wrong.json', { summary: {} }, 'not a trustpack results JSON: no "controls" list'],
    ['bad-finding.json', { controls: [{ id: 'x', status: 'FAIL', findings: [{ resource: 'a' }] }] }, 'controls[0].findings[0] needs resource, account, region and status'],
  ])('a bad baseline %s is a usage error naming the file', async (name, content, message) => {
    const file = content === undefined ? join(dir, name) : writeJson(name, content);
    const p = loadGate({ baseline: file });
    await expect(p).rejects.toThrow(UsageError);
    await expect(p).rejects.toThrow(`--baseline ${file}: `);
    await expect(p).rejects.toThrow(message);
  });
});

describe('through the CLI', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let env: Record<string, string | undefined>;
  const project = join(ROOT, 'examples', 'sample', 'trustpack.yaml');
  const bundle = join(dir, 'evidence');
  const denied = join(dir, 'evidence-denied');
  const withProject = (args: string[]) => ['--project', project, ...args];

  beforeAll(async () => {
    const fixture = loadFixture(join(ROOT, 'examples/sample/account.yaml'));
    sandbox = await startSandbox({ fixture, port: 0 });
    env = {
      AWS_ENDPOINT_URL: sandbox.url, AWS_ACCESS_KEY_ID: 'AKIDGATES', AWS_SECRET_ACCESS_KEY: 'gates-secret', AWS_REGION: 'us-east-1',
      AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true',
    };
    expect((await runCli(withProject(['collect', '--out', bundle]), { env })).code).toBe(0);
    await sandbox.close();
    // the same account with KMS access denied in eu-central-1: the key controls are in ERROR there
    sandbox = await startSandbox({ fixture, port: 0, faults: { rules: [{ service: 'kms', region: 'eu-central-1', kind: 'access-denied' }] } });
    env['AWS_ENDPOINT_URL'] = sandbox.url;
    expect((await runCli(withProject(['collect', '--out', denied]), { env })).code).toBe(1);
  }, 120_000);
  afterAll(async () => {
    await sandbox?.close();
  });

  it('evaluate: the sample fails high controls (exit 1); --fail-on critical lets it pass (exit 0) and says why', async () => {
    expect((await runCli(withProject(['evaluate', '--evidence', bundle, '--format', 'json']))).code).toBe(1);
    const r = await runCli(withProject(['evaluate', '--evidence', bundle, '--format', 'json', '--fail-on', 'critical']));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--fail-on critical: \d+ failing finding\(s\) of controls below critical severity do not fail the run/);
    expect((JSON.parse(r.stdout) as Results).summary.FAIL).toBeGreaterThan(0); // the results themselves are unchanged
  });

  it('evaluate --baseline of its own results passes; a baseline from an earlier, healthier run fails on what is new', async () => {
    const base = join(dir, 'results.json');
    expect((await runCli(withProject(['evaluate', '--evidence', bundle, '--format', 'json', '--output', base]))).code).toBe(1);
    const same = await runCli(withProject(['evaluate', '--evidence', bundle, '--format', 'table', '--baseline', base]));
    expect(same.code).toBe(0);
    expect(same.stderr).toMatch(/already in the baseline, 0 new/);
    // the KMS-denied run has new ERROR findings the baseline did not have
    const worse = await runCli(withProject(['evaluate', '--evidence', denied, '--format', 'json', '--baseline', base]));
    expect(worse.code).toBe(1);
    expect(worse.stderr).toMatch(/new ERROR: \S+ arn:aws:/);
  });

  it('evaluate --no-fail-on-error: the new ERRORs of the KMS-denied run do not fail it (they did above), and their count is printed', async () => {
    const r = await runCli(withProject(['evaluate', '--evidence', denied, '--format', 'json']));
    const errors = (JSON.parse(r.stdout) as Results).summary.ERROR;
    expect(errors).toBeGreaterThan(0);
    const base = join(dir, 'results.json');
    const gated = await runCli(withProject(['evaluate', '--evidence', denied, '--format', 'json', '--baseline', base, '--no-fail-on-error']));
    expect(gated.code).toBe(0);
    expect(gated.stderr).toContain(`${errors} control${errors === 1 ? '' : 's'} in ERROR (evidence missing): reported, but not failing the run (--no-fail-on-error)`);
  });

  it('report: exit 0 whatever the results unless a gate is given; with one, the pack is written and the gate decides', async () => {
    const plain = await runCli(withProject(['report', '--evidence', bundle, '--unsigned', '--out', join(dir, 'a.pdf')]));
    expect(plain.code).toBe(0);
    const gated = await runCli(withProject(['report', '--evidence', bundle, '--unsigned', '--out', join(dir, 'b.pdf'), '--fail-on', 'high']));
    expect(gated.code).toBe(1);
    expect(readFileSync(join(dir, 'b.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('check: a bad baseline is exit 2 naming it, before any AWS call (the endpoint here is a closed port)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
    });
    const bad = writeJson('bad-baseline.json', { nope: true });
    const t0 = Date.now();
    const r = await runCli(withProject(['check', '--baseline', bad]), { env: { ...env, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--baseline ${bad}: not a trustpack results JSON`);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('an unknown severity is a usage error', async () => {
    const r = await runCli(['evaluate', '--evidence', bundle, '--fail-on', 'severe']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--fail-on');
  });
});
