// Issue 23: every copy of customer data and the internet edge, on an account trustpack has never
// seen (test/fixtures/never-seen-copies.yaml): each defect is found with its deciding value in
// the reason, nothing clean fails, and a run that cannot read AWS Backup is ERROR for the backup
// controls (never PASS) while the other kinds of copy are still judged. Real SDK, real sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { loadCatalog } from '../src/controls/load.js';
import { evaluate } from '../src/engine/evaluate.js';
import { COLLECTORS } from '../collectors/registry.js';
import type { Results } from '../src/engine/results.js';
import { NOW, useSandboxEnv } from './collect-helpers.js';
import { ROOT } from './helpers/cli.js';

const FIXTURE = new URL('./fixtures/never-seen-copies.yaml', import.meta.url).pathname;
const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
const COLLECTED = ['rds.data-locations', 'rds.instance-snapshots', 'backup.vaults', 'backup.recovery-points', 'backup.plans', 'elbv2.listeners', 'cloudfront.distributions'];
const GLOBAL = COLLECTORS.filter((c) => c.scope === 'global').map((c) => c.id);

let sb: Sandbox;
async function run(): Promise<Results> {
  const bundle = await collectEvidence({ regions: ['eu-central-1', 'ap-southeast-1'], toolVersion: 'test', now: () => NOW, collectors: COLLECTED });
  const controls = catalog.controls.filter((c) => typeof c.collector === 'string' && COLLECTED.includes(c.collector) && c.id !== 'rds-data-residency' ? true : c.id === 'rds-data-residency');
  return evaluate(controls, bundle, { toolVersion: 'test', now: NOW, globalCollectors: GLOBAL });
}
const control = (r: Results, id: string) => {
  const c = r.controls.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id}`);
  return c;
};
const failing = (r: Results, id: string) => control(r, id).findings.filter((f) => f.status === 'FAIL').map((f) => `${f.resource.split(/[:/]/).slice(-2).join('/')}: ${f.reason}`);
const passing = (r: Results, id: string) => control(r, id).findings.filter((f) => f.status === 'PASS').map((f) => f.resource.split(/[:/]/).slice(-2).join('/'));

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(FIXTURE, NOW), now: NOW });
  useSandboxEnv(sb.url);
});
afterAll(async () => sb?.close());

describe('an account never seen: every defect found, nothing clean failed', () => {
  let r: Results;
  beforeAll(async () => { r = await run(); });

  it('instance snapshots: the 90-day-old one, the public one, the copy in ap-southeast-1', () => {
    expect(failing(r, 'rds-instance-snapshot-age-within-window')).toEqual([expect.stringMatching(/^snapshot\/billing-db-export: SnapshotCreateTime .*2026-08-30/)]);
    expect(passing(r, 'rds-instance-snapshot-age-within-window')).toEqual(expect.arrayContaining(['snapshot/billing-db-pre-upgrade', 'snapshot/billing-db-public']));
    expect(failing(r, 'rds-instance-snapshot-not-public')).toEqual([expect.stringMatching(/^snapshot\/billing-db-public: .*"all"/)]);
    expect(failing(r, 'rds-instance-snapshot-shared-only-with-allowed-accounts')).toEqual([expect.stringMatching(/billing-db-public/)]);
    const residency = control(r, 'rds-data-residency').findings;
    const apac = residency.filter((f) => f.status === 'FAIL');
    expect(apac.map((f) => f.resource)).toEqual(['arn:aws:rds:ap-southeast-1:210987654321:snapshot:billing-db-apac-copy']);
    expect(apac[0]!.reason).toContain('ap-southeast-1');
    // every kind of copy it covered is in its findings: the instance, the snapshots (manual, automated, AWS Backup's)
    expect(residency.filter((f) => f.status === 'PASS').map((f) => f.resource)).toEqual(expect.arrayContaining([
      'arn:aws:rds:eu-central-1:210987654321:db:billing-db', 'arn:aws:rds:eu-central-1:210987654321:snapshot:billing-db-pre-upgrade',
    ]));
    expect(control(r, 'rds-instance-snapshot-encrypted').status).toBe('PASS');
  });

  it('AWS Backup: 90 days, kept forever, copies to another region and account', () => {
    const window = failing(r, 'backup-recovery-point-within-window');
    expect(window).toHaveLength(2);
    expect(window.join('\n')).toMatch(/DeleteAfterDays is 90/);
    expect(window.join('\n')).toMatch(/CalculatedLifecycle\.DeleteAt/);
    expect(passing(r, 'backup-recovery-point-within-window')).toHaveLength(1);
    const copies = control(r, 'backup-copy-destinations-allowed').findings;
    expect(copies.map((f) => f.status)).toEqual(['FAIL']);
    expect(copies[0]!.reason).toMatch(/ap-southeast-1/);
    // all three in Frankfurt; a run of two named regions cannot prove residency (needs_every_region): ERROR, never PASS
    expect(passing(r, 'backup-recovery-point-residency')).toHaveLength(3);
    expect(failing(r, 'backup-recovery-point-residency')).toEqual([]);
    expect(control(r, 'backup-recovery-point-residency').status).toBe('ERROR');
    expect(control(r, 'backup-recovery-point-encrypted').status).toBe('PASS');
  });

  it('the edge: HTTP served, a rule serving HTTP, TLS 1.0 policy, CloudFront on TLSv1; NLB TCP and internal out of scope', () => {
    const http = control(r, 'elbv2-http-listener-redirects').findings;
    expect(http.filter((f) => f.status === 'FAIL').map((f) => f.resource.split('/')[2])).toEqual(expect.arrayContaining(['legacy', 'mixed']));
    expect(http.filter((f) => f.status === 'FAIL').every((f) => /forward/.test(f.reason))).toBe(true);
    expect(http.filter((f) => f.status === 'PASS').map((f) => f.resource.split('/')[2])).toEqual(['web']);
    expect(http.some((f) => /internal-api|mqtt/.test(f.resource))).toBe(false);
    const tls = control(r, 'elbv2-listener-tls-minimum').findings;
    expect(tls.filter((f) => f.status === 'FAIL').map((f) => [f.resource.split('/')[2], f.reason])).toEqual([['legacy', expect.stringContaining('TLSv1')]]);
    expect(tls.filter((f) => f.status === 'PASS').map((f) => f.resource.split('/')[2])).toEqual(['web']);
    const cf = control(r, 'cloudfront-viewer-tls').findings;
    expect(cf.find((f) => f.resource.endsWith('E2LEGACYEXAMPLE'))).toMatchObject({ status: 'FAIL', reason: expect.stringContaining('TLSv1') });
    expect(cf.find((f) => f.resource.endsWith('E1CLEANEXAMPLE'))?.status).toBe('PASS');
    expect(control(r, 'cloudfront-origin-tls').findings.find((f) => f.resource.endsWith('E2LEGACYEXAMPLE'))?.status).toBe('FAIL');
  });
});

describe('a run that could not read AWS Backup', () => {
  it('is ERROR for every backup control, never PASS, and still judges the other copies', async () => {
    sb.setFaults({ rules: [{ service: 'backup', kind: 'access-denied' }] });
    try {
      const r = await run();
      for (const id of ['backup-recovery-point-within-window', 'backup-recovery-point-residency', 'backup-recovery-point-encrypted', 'backup-copy-destinations-allowed']) {
        expect(control(r, id).status, id).toBe('ERROR');
        expect(control(r, id).findings.some((f) => f.status === 'PASS'), id).toBe(false);
        expect(control(r, id).findings.map((f) => f.reason).join('\n'), id).toMatch(/AccessDenied/);
      }
      expect(control(r, 'rds-data-residency').status).toBe('FAIL');
      expect(control(r, 'rds-instance-snapshot-not-public').status).toBe('FAIL');
    } finally {
      sb.setFaults(undefined);
    }
  });
});
