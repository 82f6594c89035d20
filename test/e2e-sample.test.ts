// End to end on the sample account: the real SDK (in the CLI's own process) against the
// sandbox, the shipped catalog, the sample project file. The check must fail exactly the
// deliberate defects of examples/sample/README.md and nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, loadFixture } from '../src/sandbox/index.js';
import type { Results } from '../src/engine/results.js';
import { ROOT, runCli } from './helpers/cli.js';

// the sample company's settings live with the sample, not at the root where they would apply to everyone
const SAMPLE_PROJECT = join(ROOT, 'examples', 'sample', 'trustpack.yaml');

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  sandbox = await startSandbox({ fixture: loadFixture(join(ROOT, 'examples/sample/account.yaml')), port: 0 });
  env = {
    AWS_ENDPOINT_URL: sandbox.url, AWS_ACCESS_KEY_ID: 'AKIDSAMPLETEST', AWS_SECRET_ACCESS_KEY: 'sample-secret-never-printed',
    AWS_REGION: 'us-east-1', AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
});
afterAll(async () => {
  await sandbox?.close();
});

const failing = (r: Results) =>
  r.controls
    .filter((c) => c.status === 'FAIL')
    .map((c) => ({ control: c.id, resources: c.findings.filter((f) => f.status === 'FAIL').map((f) => f.resource).sort() }))
    .sort((a, b) => a.control.localeCompare(b.control));

describe('trustpack check on the sample account', () => {
  let results: Results;
  let code: number | null;
  let stderr: string;

  beforeAll(async () => {
    const r = await runCli(['--project', SAMPLE_PROJECT, 'check', '--format', 'json'], { env });
    code = r.code;
    stderr = r.stderr;
    results = JSON.parse(r.stdout) as Results;
  });

  it('exits 1 because controls fail', () => {
    expect(code).toBe(1);
  });

  it('fails exactly the deliberate defects', () => {
    const acct = '111122223333';
    const usKey = expect.stringMatching(new RegExp(`^arn:aws:kms:us-east-1:${acct}:key/`));
    const account = (region: string) => `arn:aws:config:${region}:${acct}:resource/AWS::::Account/${acct}`;
    expect(failing(results)).toEqual([
      { control: 'cloudtrail-log-file-validation', resources: [`arn:aws:cloudtrail:eu-central-1:${acct}:trail/eu-data-trail`] },
      { control: 'cloudtrail-multi-region-all-events', resources: [account('eu-central-1')] }, // D18
      { control: 'cloudtrail-trail-bucket-vaulted', resources: [`arn:aws:cloudtrail:eu-central-1:${acct}:trail/eu-data-trail`] }, // D19 from S3: governance mode
      { control: 'cloudtrail-trail-logging-validated', resources: [`arn:aws:cloudtrail:eu-central-1:${acct}:trail/eu-data-trail`] }, // D7 from CloudTrail
      { control: 'cloudtrail-trail-records-management-events', resources: [`arn:aws:cloudtrail:eu-central-1:${acct}:trail/eu-data-trail`] }, // D18 from CloudTrail: write events only
      { control: 'cloudwatch-audit-log-groups-retention', resources: [expect.stringContaining('log-group:/aws/rds/cluster/analytics-eu/audit')] }, // D20 from the API
      { control: 'cloudwatch-log-group-retention', resources: [expect.stringContaining('/aws/rds/cluster/analytics-eu/audit')] }, // D20
      { control: 'config-recorder-continuous-needed-types', resources: [expect.stringMatching(new RegExp(`^arn:aws:config:eu-central-1:${acct}:configuration-recorder/default/`))] }, // D17: an inclusion list
      { control: 'config-recorder-on', resources: [expect.stringMatching(new RegExp(`^arn:aws:config:eu-central-1:${acct}:configuration-recorder/default/`))] }, // D17
      { control: 'guardduty-detector-features-findings', resources: [expect.stringMatching(new RegExp(`^arn:aws:guardduty:eu-central-1:${acct}:detector/`))] }, // D21: RDS login events off
      { control: 'guardduty-enabled', resources: [account('eu-central-1')] }, // D21
      { control: 'guardduty-rds-protection', resources: [account('eu-central-1')] }, // D21
      { control: 'kms-byok-keys-customer-held', resources: [usKey] }, // D22: orders-data listed as customer-held
      { control: 'kms-cmk-rotation-enabled', resources: [usKey, usKey] }, // D6 legacy-reporting, D9 orders-data every 730 days
      { control: 'kms-customer-held-keys-not-company-usable', resources: [usKey] }, // D22: orders-data's default policy lets the account in
      { control: 'kms-customer-keys-rotate-yearly', resources: [expect.stringMatching(new RegExp(`^arn:aws:kms:eu-central-1:${acct}:key/`)), usKey, usKey] }, // D14, D6, D9 seen from ListKeys
      { control: 'kms-imported-key-rotated', resources: [expect.stringMatching(new RegExp(`^arn:aws:kms:eu-central-1:${acct}:key/`))] }, // D14
      { control: 'manual-backup-restore-test', resources: [] },
      { control: 'rds-cluster-audit-logs-exported', resources: [`arn:aws:rds:eu-central-1:${acct}:cluster:customers-eu`, `arn:aws:rds:us-east-1:${acct}:cluster:legacy-reporting`] }, // D15, D23
      { control: 'rds-cluster-auto-minor-version-upgrade', resources: [`arn:aws:rds:eu-central-1:${acct}:cluster:analytics-eu`] }, // D16
      { control: 'rds-cluster-customer-managed-key', resources: [`arn:aws:rds:eu-central-1:${acct}:cluster:analytics-eu`] },
      { control: 'rds-cluster-tls-enforced', resources: [`arn:aws:rds:us-east-1:${acct}:cluster:legacy-reporting`] },
      { control: 'rds-cluster-tls-minimum-version', resources: [`arn:aws:rds:us-east-1:${acct}:cluster:legacy-reporting`] }, // D10
      { control: 'rds-data-residency', resources: [`arn:aws:rds:ap-southeast-2:${acct}:cluster:orders-apac`] }, // D13
      { control: 'rds-engine-standard-support', resources: [`arn:aws:rds:us-east-1:${acct}:cluster:legacy-reporting`] }, // D11
      { control: 'rds-instance-auto-minor-version-upgrade', resources: [`arn:aws:rds:us-east-1:${acct}:db:legacy-reporting-instance-1`] }, // D12
      { control: 'rds-manual-snapshot-age-within-window', resources: [`arn:aws:rds:us-east-1:${acct}:cluster-snapshot:legacy-reporting-2024-export`] },
      { control: 'rds-retained-backup-within-window', resources: [expect.stringContaining(`arn:aws:rds:us-east-1:${acct}:cluster-auto-backup:`)] },
      { control: 'rds-snapshot-shared-only-with-allowed-accounts', resources: [`arn:aws:rds:eu-central-1:${acct}:cluster-snapshot:customers-eu-partner-share`] },
      { control: 's3-log-buckets-object-lock-compliance', resources: [expect.stringContaining('example-eu-logs')] }, // D19
    ]);
  });

  it('reports residency outside the collected regions as unproven (ERROR finding), not as a pass', () => {
    const residency = results.controls.find((c) => c.id === 'rds-data-residency')!;
    const unseen = residency.findings.filter((f) => f.status === 'ERROR');
    expect(unseen).toHaveLength(1);
    expect(unseen[0]!.reason).toMatch(/does not record which regions are enabled.*--regions all/);
    // every copy in the two collected regions is found, the global-database secondary included
    expect(residency.findings.filter((f) => f.status === 'PASS').length).toBeGreaterThan(20);
  });

  it('waives the multi-AZ finding on legacy-reporting and reports the expired waiver', () => {
    const waived = results.controls.find((c) => c.id === 'rds-cluster-members-multi-az');
    expect(waived?.status).toBe('WAIVED');
    expect(waived?.findings.filter((f) => f.status === 'WAIVED').map((f) => f.resource)).toEqual([`arn:aws:rds:us-east-1:111122223333:cluster:legacy-reporting`]);
    expect(results.expiredWaivers?.map((w) => w.control)).toContain('rds-cluster-deletion-protection');
  });

  it('passes or attests every other control, with no ERROR but unproven backup residency', () => {
    // recovery points are where they are stored: like rds-data-residency, proven only with --regions all
    const errors = results.controls.filter((c) => c.status === 'ERROR');
    expect(errors.map((c) => c.id)).toEqual(['backup-recovery-point-residency']);
    expect(errors[0]!.findings.filter((f) => f.status === 'ERROR').map((f) => f.reason)).toEqual([expect.stringMatching(/--regions all/)]);
    expect(errors[0]!.findings.filter((f) => f.status === 'PASS')).toHaveLength(1);
    // the sample's two buckets (the trails', us-east-1 and eu-central-1, KMS) are customer data by
    // the default pattern: residency and encryption judge them; the project names no bucket of
    // deleted accounts' data
    const s3Data = Object.fromEntries(results.controls.filter((c) => c.id.startsWith('s3-data-bucket-')).map((c) => [c.id, c.status]));
    expect(s3Data).toEqual({ 's3-data-bucket-deletion-window': 'NOT_APPLICABLE', 's3-data-bucket-encryption': 'PASS', 's3-data-bucket-residency': 'PASS' });
    const others = results.controls.filter((c) => !['FAIL', 'WAIVED', 'ERROR'].includes(c.status) && c.id !== 's3-data-bucket-deletion-window');
    for (const c of others) expect(['PASS', 'MANUAL'], c.id).toContain(c.status);
    expect(results.summary.NOT_APPLICABLE).toBe(1);
    // 13, plus 3 from issue 22's direct reads, 11 over the copies and the edge (issue 23), the two
    // S3 data-bucket controls now that a global collector's records reach them, the multi-region
    // trail; less the three trail controls that find D7, D18 and D19 from CloudTrail and S3
    expect(results.summary.PASS).toBe(27);
    expect(results.summary.MANUAL).toBe(21);
  });

  it('has its Config rules agree with the API controls they corroborate', () => {
    // D7, D18 and D19 are defects of a real trail and bucket, so the rules and the direct reads
    // find the same things: a sample that warned of disagreements would teach users to ignore them
    const corroborated = results.controls.filter((c) => (c.corroboration ?? []).length > 0);
    expect(corroborated.map((c) => c.id).sort()).toEqual(expect.arrayContaining([
      'cloudtrail-trail-bucket-vaulted', 'cloudtrail-trail-logging-validated', 'cloudtrail-trail-records-management-events',
    ]));
    for (const c of corroborated) for (const k of c.corroboration!) expect(k.agrees, `${c.id} / ${k.control}`).toBe(true);
    expect((results.warnings ?? []).filter((w) => w.kind === 'corroboration-disagrees')).toEqual([]);
  });

  it('names both accounts regions and every finding evidence id', () => {
    expect(results.run.accounts).toEqual(['111122223333']);
    expect(results.run.regions.sort()).toEqual(['eu-central-1', 'us-east-1']);
    for (const c of results.controls.filter((x) => x.kind === 'automated')) {
      for (const f of c.findings) expect(f.evidence.every((id) => /^[0-9a-f]{64}$/.test(id)), `${c.id} ${f.resource}`).toBe(true);
    }
  });

  it('never prints the secret key', () => {
    expect(stderr).not.toContain('sample-secret-never-printed');
    expect(JSON.stringify(results)).not.toContain('sample-secret-never-printed');
  });
});

describe('the API-proven controls in an account without Config rules', () => {
  // The same sample account with every AWS Config rule removed (recorders kept): the controls
  // proven from RDS and KMS answers must reach the same verdicts; without a project, the Config
  // rules that only corroborate an API-read control are not evaluated at all.
  let noRules: Awaited<ReturnType<typeof startSandbox>>;
  let results: Results;
  let withRules: Results;
  beforeAll(async () => {
    const fixture = loadFixture(join(ROOT, 'examples/sample/account.yaml'));
    for (const a of fixture.accounts) for (const r of Object.values(a.regions)) r.config.rules = [];
    noRules = await startSandbox({ fixture, port: 0 });
    const r = await runCli(['check', '--format', 'json'], { env: { ...env, AWS_ENDPOINT_URL: noRules.url } });
    results = JSON.parse(r.stdout) as Results;
    const w = await runCli(['check', '--format', 'json'], { env });
    withRules = JSON.parse(w.stdout) as Results;
  });
  afterAll(async () => {
    await noRules?.close();
  });

  it('gives the API-proven controls the verdicts they have with Config rules', () => {
    const apiProven = [
      'rds-cluster-tls-minimum-version', 'kms-cmk-rotation-enabled', 'kms-imported-key-rotated', 'kms-byok-keys-customer-held',
      'rds-data-residency', 'rds-cluster-auto-minor-version-upgrade', 'rds-instance-auto-minor-version-upgrade',
      'rds-engine-standard-support', 'rds-cluster-audit-logs-exported', 'rds-cluster-aurora-storage', 'config-recorder-on',
      'cloudtrail-trail-logging-validated', 'cloudtrail-trail-records-management-events', 'cloudtrail-trail-bucket-vaulted',
    ];
    const verdicts = (r: Results) => apiProven.map((id) => {
      const c = r.controls.find((x) => x.id === id)!;
      return [id, c.status, c.findings.filter((f) => f.status === 'FAIL').map((f) => f.resource).sort()];
    });
    expect(verdicts(results)).toEqual(verdicts(withRules));
    expect(results.controls.find((c) => c.id === 'rds-cluster-aurora-storage')?.status).toBe('PASS');
  });

  it('needs no Config rule: without the project setting the rules that only corroborate are not evaluated', () => {
    for (const id of ['guardduty-enabled', 'cloudtrail-multi-region-all-events', 's3-log-buckets-object-lock-compliance', 'cloudtrail-log-file-validation']) {
      expect(results.controls.find((x) => x.id === id), id).toBeUndefined();
      expect(withRules.controls.find((x) => x.id === id), id).toBeUndefined();
    }
  });
});

describe('collect, evaluate, report, verify as separate steps', () => {
  it('round-trips through a bundle on disk and a signed pack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-e2e-'));
    const bundle = join(dir, 'evidence');
    const c = await runCli(['--project', SAMPLE_PROJECT, 'collect', '--out', bundle], { env });
    expect(c.stderr + c.stdout).not.toContain('sample-secret-never-printed');
    expect(c.code).toBe(0);
    expect(existsSync(join(bundle, 'manifest.json'))).toBe(true);

    const junit = join(dir, 'results.xml');
    const e = await runCli(['--project', SAMPLE_PROJECT, 'evaluate', '--evidence', bundle, '--format', 'junit', '--output', junit]);
    expect(e.code).toBe(1);
    expect(readFileSync(junit, 'utf8')).toContain('<testsuite');

    // a PKCS#12 made by openssl, a tool nobody here wrote
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30', '-subj', '/CN=Audit Signer/O=Example SaaS Inc.'], { stdio: 'ignore' });
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', join(dir, 'k.pem'), '-in', join(dir, 'c.pem'), '-out', join(dir, 's.p12'), '-passout', 'pass:pack-pass-xyz'], { stdio: 'ignore' });
    const pack = join(dir, 'pack.pdf');
    const r = await runCli(['--project', SAMPLE_PROJECT, 'report', '--evidence', bundle, '--out', pack, '--sign-p12', join(dir, 's.p12'), '--sign-passphrase-env', 'TP_PACK_PASS'], { env: { TP_PACK_PASS: 'pack-pass-xyz' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(readFileSync(pack).includes(Buffer.from('pack-pass-xyz'))).toBe(false);

    const v = await runCli(['verify', pack, '--trust', join(dir, 'c.pem'), '--format', 'json']);
    expect(v.code).toBe(0);
    const vj = JSON.parse(v.stdout) as { valid: boolean; coversWholeFile: boolean; signer: string };
    expect(vj.valid).toBe(true);
    expect(vj.coversWholeFile).toBe(true);
    expect(vj.signer).toContain('Audit Signer');

    const pdfsig = execFileSync('pdfsig', [pack], { encoding: 'utf8' });
    expect(pdfsig).toContain('Signature is Valid.');
    expect(pdfsig).toContain('Total document signed');
  });
});

describe('trustpack demo', () => {
  it('writes the bundle, the results and a verified signed pack, and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-demo-'));
    const r = await runCli(['demo', '--out', join(dir, 'sample')], { cwd: dir, env: { AWS_ENDPOINT_URL: undefined } });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    for (const f of ['evidence/manifest.json', 'results.json', 'results.junit.xml', 'summary.md', 'evidence-pack.pdf', 'demo-signer.pem']) {
      expect(existsSync(join(dir, 'sample', f)), f).toBe(true);
    }
    expect(r.stdout).toContain('VALID');
    const text = execFileSync('pdftotext', [join(dir, 'sample', 'evidence-pack.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toMatch(/DEMO SIGNER/i);
  });
});
