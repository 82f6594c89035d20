// Issue 22: trails, the trail's own bucket, every S3 bucket and every customer-managed key, read
// from the APIs that hold them (the sandbox over the real SDK), judged by controls that need no
// Config rule: an estate trustpack has never seen shows each defect with its deciding values; the
// sample account's trail and bucket pass; a bucket no account of the run owns is ERROR, not FAIL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { loadCatalog } from '../src/controls/load.js';
import { evaluate } from '../src/engine/evaluate.js';
import { COLLECTORS } from '../collectors/registry.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import type { Results } from '../src/engine/results.js';
import { NOW, SAMPLE, byCollector, data, useSandboxEnv } from './collect-helpers.js';
import { ROOT } from './helpers/cli.js';

const NEVER_SEEN = join(ROOT, 'test/fixtures/sandbox/never-seen-evidence.yaml');
const APP = '222233334444';
const ARCHIVE = '333344445555';
const role = (account: string) => `arn:aws:iam::${account}:role/trustpack-audit`;
const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
const NEW = ['s3.buckets', 'cloudtrail.trails', 'cloudtrail.region-coverage', 'kms.customer-keys', 'guardduty.detectors', 'logs.log-groups'];

let sb: Sandbox;
beforeAll(async () => {
  const sample = loadFixture(SAMPLE, NOW);
  const estate = loadFixture(NEVER_SEEN, NOW);
  sb = await startSandbox({ fixture: { accounts: [...sample.accounts, ...estate.accounts] }, now: NOW });
  useSandboxEnv(sb.url);
});
afterAll(async () => sb?.close());

function finding(results: Results, control: string, resourcePart: string) {
  const c = results.controls.find((x) => x.id === control);
  expect(c, control).toBeDefined();
  const f = c!.findings.find((x) => x.resource.includes(resourcePart));
  expect(f, `${control} on ${resourcePart}: ${JSON.stringify(c!.findings.map((x) => x.resource))}`).toBeDefined();
  return f!;
}

describe('an estate never seen before: each defect found from the API', () => {
  let bundle: EvidenceBundle;
  let results: Results;
  beforeAll(async () => {
    bundle = await collectEvidence({
      regions: ['us-east-1', 'eu-central-1'], toolVersion: 'test', now: () => NOW, collectors: [...NEW, 'rds.db-clusters'],
      roleArns: [role(APP), role(ARCHIVE)],
    });
    results = evaluate(catalog.controls, bundle, {
      toolVersion: 'test', now: NOW,
      project: { parameters: { customer_held_keys: [`arn:aws:kms:us-east-1:${APP}:alias/tenant-byok`] } },
    });
  });

  it('the trail that stopped logging fails, with the value that decided it', () => {
    const f = finding(results, 'cloudtrail-trail-logging-validated', `${APP}:trail/app-trail`);
    expect(f.status).toBe('FAIL');
    expect(f.reason).toContain('Status.IsLogging is false');
  });

  it('the trail\'s bucket, read in the log-archive account, is locked for 1 day only', () => {
    const trail = byCollector(bundle, 'cloudtrail.trails').find((r) => r.resource.endsWith('trail/app-trail'))!;
    expect(data(trail)['LogBucket']).toMatchObject({ Name: `central-audit-logs-${ARCHIVE}`, Account: ARCHIVE, BucketRegion: 'eu-central-1', DefaultRetentionDays: 1 });
    const f = finding(results, 'cloudtrail-trail-bucket-vaulted', 'trail/app-trail');
    expect(f.status).toBe('FAIL');
    expect(f.reason).toContain('LogBucket.DefaultRetentionDays is 1');
    expect(f.reason).toContain('365');
    // the S3 calls for that bucket were made as the log-archive account's role, in the bucket's region
    const lock = sb.callLog().filter((c) => c.call === 's3:GetObjectLockConfiguration' && c.account === ARCHIVE);
    expect(lock.length).toBeGreaterThan(0);
    expect(lock.every((c) => c.region === 'eu-central-1' && c.session?.includes(':assumed-role/trustpack-audit/'))).toBe(true);
  });

  it('the trail excluding KMS events fails the management-events control', () => {
    const f = finding(results, 'cloudtrail-trail-records-management-events', 'trail/app-trail');
    expect(f.status).toBe('FAIL');
    expect(f.reason).toContain('ManagementEvents.KmsEventsExcluded is true');
  });

  it('the log-archive account, with no multi-region trail, fails in every region; the app account passes', () => {
    const c = results.controls.find((x) => x.id === 'cloudtrail-multi-region-trail-present')!;
    expect(c.findings.map((f) => [f.account, f.region, f.status]).sort()).toEqual([
      [APP, 'eu-central-1', 'PASS'], [APP, 'us-east-1', 'PASS'], [ARCHIVE, 'eu-central-1', 'FAIL'], [ARCHIVE, 'us-east-1', 'FAIL'],
    ]);
    expect(c.findings.find((f) => f.account === ARCHIVE)!.reason).toContain('MultiRegionTrails');
    // before: no trail in scope read as "nothing to judge" for the account
    const mgmt = results.controls.find((x) => x.id === 'cloudtrail-trail-records-management-events')!;
    expect(mgmt.findings.some((f) => f.account === ARCHIVE)).toBe(false);
  });

  it('the customer-held key whose policy lets the company in fails, naming the principal', () => {
    const f = finding(results, 'kms-customer-held-keys-not-company-usable', `:${APP}:key/`);
    expect(f.status).toBe('FAIL');
    expect(f.reason).toContain(`arn:aws:iam::${APP}:root`);
    const key = byCollector(bundle, 'kms.customer-keys').find((r) => (data(r)['Aliases'] as string[]).includes('alias/tenant-byok'))!;
    expect(data(key)['CompanyAccess']).toEqual([{ Principal: `arn:aws:iam::${APP}:root`, Sid: 'Enable IAM User Permissions', Actions: expect.arrayContaining(['kms:Decrypt', 'kms:CreateGrant', 'kms:PutKeyPolicy']) }]);
  });

  it('the detector with a high finding open for 40 days fails with its age; archived and low findings do not count', () => {
    const f = finding(results, 'guardduty-detector-features-findings', `:${APP}:detector/`);
    expect(f.status).toBe('FAIL');
    expect(f.reason).toMatch(/OldestOpenHighFindingCreatedAt \S+ is 40 days old, more than max_finding_age_days = 30 days/);
    const d = byCollector(bundle, 'guardduty.detectors').find((r) => r.resource.includes(`:${APP}:detector/`))!;
    expect(data(d)['OpenHighFindings']).toEqual([expect.objectContaining({ Type: 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin', Severity: 8 })]);
    // a region with no detector is a value the control judges, not missing evidence
    const none = finding(results, 'guardduty-detector-features-findings', `eu-central-1:${ARCHIVE}:detector`);
    expect(none.status).toBe('FAIL');
    expect(none.reason).toContain('"not configured"');
  });

  it('the trail\'s log group kept 7 days fails with its retention', () => {
    const f = finding(results, 'cloudwatch-audit-log-groups-retention', 'log-group:/aws/cloudtrail/app-trail');
    expect(f.status).toBe('FAIL');
    expect(f.reason).toContain('retentionInDays is 7');
  });

  it('every customer-managed key is judged for yearly rotation: automatic, or an on-demand rotation of imported material', () => {
    const c = results.controls.find((x) => x.id === 'kms-customer-keys-rotate-yearly')!;
    expect(c.findings.filter((f) => f.account === APP).map((f) => f.status)).toEqual(['PASS', 'PASS']);
  });

  it('s3.buckets: one record per bucket with BucketRegion, "not configured" as a value, and one denied call as an error on that field only', () => {
    const buckets = byCollector(bundle, 's3.buckets');
    const uploads = buckets.find((r) => r.resource === 'arn:aws:s3:::app-uploads-222233334444')!;
    expect(uploads.source.region).toBe('eu-west-1');
    expect(data(uploads)).toMatchObject({
      BucketRegion: 'eu-west-1', ObjectLockConfiguration: 'not configured', LifecycleConfiguration: 'not configured',
      PublicAccessBlockConfiguration: 'not configured', Versioning: { Status: 'Enabled', MFADelete: 'Disabled' },
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] },
    });
    expect(uploads.error).toMatchObject({ operation: 's3:GetBucketReplication', code: 'AccessDenied', fields: ['ReplicationConfiguration', 'ReplicationDestinations'] });
    const archive = buckets.find((r) => r.resource.endsWith(`central-audit-logs-${ARCHIVE}`))!;
    expect(archive.error).toBeUndefined();
    expect(data(archive)['ObjectLockConfiguration']).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } });
    // ListBuckets is global: per account once for s3.buckets and once for the trail's bucket search, not per region
    const lists = (account: string) => sb.callLog().filter((c) => c.call === 's3:ListBuckets' && c.account === account).length;
    expect([lists(APP), lists(ARCHIVE)]).toEqual([2, 2]);
  });
});

describe('a multi-region trail whose home region the run does not collect', () => {
  it('still covers the collected region: PASS, not a missing trail', async () => {
    const bundle = await collectEvidence({
      regions: ['eu-central-1'], toolVersion: 'test', now: () => NOW, collectors: ['cloudtrail.trails', 'cloudtrail.region-coverage'], roleArns: [role(APP)],
    });
    expect(byCollector(bundle, 'cloudtrail.trails')).toEqual([]); // its record lives in us-east-1, its home
    const coverage = byCollector(bundle, 'cloudtrail.region-coverage');
    expect(coverage.map((r) => data(r)['MultiRegionTrails'])).toEqual([[
      { Name: 'app-trail', TrailARN: `arn:aws:cloudtrail:us-east-1:${APP}:trail/app-trail`, HomeRegion: 'us-east-1', IsOrganizationTrail: false },
    ]]);
    const results = evaluate(catalog.controls, bundle, { toolVersion: 'test', now: NOW });
    expect(results.controls.find((x) => x.id === 'cloudtrail-multi-region-trail-present')!.status).toBe('PASS');
  });
});

describe('a trail whose bucket no account of the run owns', () => {
  it('is ERROR naming the accounts searched, never FAIL', async () => {
    const bundle = await collectEvidence({ regions: ['us-east-1'], toolVersion: 'test', now: () => NOW, collectors: ['cloudtrail.trails'], roleArns: [role(APP)] });
    const trail = byCollector(bundle, 'cloudtrail.trails')[0]!;
    expect(trail.error).toMatchObject({ code: 'BucketOwnerNotInRun', fields: ['LogBucket'] });
    expect(trail.error!.message).toContain(`searched ${APP}`);
    const results = evaluate(catalog.controls, bundle, { toolVersion: 'test', now: NOW });
    expect(finding(results, 'cloudtrail-trail-bucket-vaulted', 'app-trail').status).toBe('ERROR');
    // the fields it could read still decide the other controls
    expect(finding(results, 'cloudtrail-trail-logging-validated', 'app-trail').status).toBe('FAIL');
  });
});

describe('the sample account: its trails and their buckets judged with no Config rule', () => {
  it('passes the trail controls and the customer-held key policy control', async () => {
    const bundle = await collectEvidence({ regions: ['us-east-1', 'eu-central-1'], toolVersion: 'test', now: () => NOW, collectors: [...NEW, 'rds.db-clusters'] });
    const results = evaluate(catalog.controls, bundle, {
      toolVersion: 'test', now: NOW,
      project: { parameters: {
        customer_held_keys: ['arn:aws:kms:eu-central-1:111122223333:alias/customers-eu-byok'],
        allowed_key_principals: ['arn:aws:iam::111122223333:role/rds-byok-access'],
      } },
    });
    const gd = results.controls.find((x) => x.id === 'guardduty-detector-features-findings')!;
    expect(Object.fromEntries(gd.findings.map((f) => [f.region, f.status]))).toEqual({ 'eu-central-1': 'FAIL', 'us-east-1': 'PASS' }); // D21: RDS login events off
    expect(gd.findings.find((f) => f.region === 'eu-central-1')!.reason).toContain('RDS_LOGIN_EVENTS');
    for (const id of ['cloudtrail-multi-region-trail-present', 'kms-customer-held-keys-not-company-usable']) {
      const c = results.controls.find((x) => x.id === id)!;
      expect(c.status, `${id}: ${JSON.stringify(c.findings)}`).toBe('PASS');
    }
    // org-trail passes the three trail controls; eu-data-trail fails each with the deciding value
    const byTrail = (id: string) => Object.fromEntries(results.controls.find((x) => x.id === id)!.findings
      .map((f) => [f.resource.split(':trail/')[1], [f.status, f.status === 'FAIL' ? f.reason : '']]));
    expect(byTrail('cloudtrail-trail-logging-validated')).toEqual({ 'org-trail': ['PASS', ''], 'eu-data-trail': ['FAIL', 'LogFileValidationEnabled is false, expected true'] }); // D7
    expect(byTrail('cloudtrail-trail-records-management-events')).toEqual({ 'org-trail': ['PASS', ''], 'eu-data-trail': ['FAIL', expect.stringContaining('ManagementEvents.Reads is false')] }); // D18
    expect(byTrail('cloudtrail-trail-bucket-vaulted')).toEqual({ 'org-trail': ['PASS', ''], 'eu-data-trail': ['FAIL', expect.stringContaining('"GOVERNANCE", expected "COMPLIANCE"')] }); // D19
    // the audit-log groups the sample's clusters export to never expire, the trail's too, but for D20
    const logs = results.controls.find((x) => x.id === 'cloudwatch-audit-log-groups-retention')!;
    expect(logs.findings.filter((f) => f.status !== 'PASS').map((f) => [f.resource.split(':log-group:')[1], f.status, f.reason]))
      .toEqual([['/aws/rds/cluster/analytics-eu/audit', 'FAIL', expect.stringContaining('retentionInDays is 30')]]);
    expect(logs.findings.map((f) => f.resource.split(':log-group:')[1]).sort()).toEqual([
      '/aws/cloudtrail/org-trail', '/aws/rds/cluster/analytics-eu/audit', '/aws/rds/cluster/customers-eu/postgresql',
      '/aws/rds/cluster/legacy-reporting/audit', '/aws/rds/cluster/legacy-reporting/error', '/aws/rds/cluster/orders-prod/postgresql',
    ]);
    const trail = byCollector(bundle, 'cloudtrail.trails');
    expect(trail.map((r) => r.resource).sort()).toEqual(['arn:aws:cloudtrail:eu-central-1:111122223333:trail/eu-data-trail', 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail']);
    const org = trail.find((r) => r.resource.endsWith('/org-trail'))!;
    expect(data(org)['LogBucket']).toMatchObject({ Account: '111122223333', DefaultRetentionDays: 400 });
  });
});
