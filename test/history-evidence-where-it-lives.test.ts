// Issues 22 and 23, history: `collect --as-of` rebuilds trails, buckets, detectors, customer keys,
// DB snapshots, AWS Backup, ELBv2 and CloudFront from AWS Config's history on an account trustpack
// has never seen (test/fixtures/history/evidence-where-it-lives.yaml: every resource misconfigured
// from 60 to 30 days ago, clean before and since). As of 45 days ago each defect Config keeps FAILs
// with its deciding value; as of 10 days ago the same controls PASS; what Config does not keep is
// ERROR with the reason on both days, never a guessed PASS. Real SDK, real sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { loadCatalog } from '../src/controls/load.js';
import { evaluate } from '../src/engine/evaluate.js';
import { COLLECTORS } from '../collectors/registry.js';
import { FIELDS_NOT_IN_HISTORY } from '../collectors/history/registry.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import type { Results } from '../src/engine/results.js';
import { useSandboxEnv } from './collect-helpers.js';
import { ROOT } from './helpers/cli.js';

const DAY = 86_400_000;
const COLLECTED = Object.keys(FIELDS_NOT_IN_HISTORY);
// kms.keys (rebuilt before issue 22) judges the AWS::KMS::Key rotation flag Config does keep
const RDS_KEYS = ['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots', 'kms.keys'];
const GLOBAL = COLLECTORS.filter((c) => c.scope === 'global').map((c) => c.id);
const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
const controls = catalog.controls.filter((c) => typeof c.collector === 'string' && (COLLECTED.includes(c.collector) || ['kms-cmk-rotation-enabled', 'kms-key-enabled'].includes(c.id)));

let sb: Sandbox;
const loaded = Date.now();
const bad = new Date(loaded - 45 * DAY);
const good = new Date(loaded - 10 * DAY);
let badBundle: EvidenceBundle;
let goodBundle: EvidenceBundle;
let badR: Results;
let goodR: Results;

async function backfill(asOf: Date): Promise<{ bundle: EvidenceBundle; results: Results }> {
  const bundle = await collectEvidence({ regions: ['us-east-1'], toolVersion: 'test', asOf, collectors: [...COLLECTED, ...RDS_KEYS] });
  return { bundle, results: evaluate(controls, bundle, { toolVersion: 'test', now: asOf, globalCollectors: GLOBAL }) };
}

const findings = (r: Results, id: string) => {
  const c = r.controls.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id}`);
  return c.findings;
};
const statuses = (r: Results, id: string) => [...new Set(findings(r, id).map((f) => f.status))].sort();
const reasons = (r: Results, id: string, status: string) => findings(r, id).filter((f) => f.status === status).map((f) => f.reason).join('\n');
const record = (b: EvidenceBundle, collector: string, match: string) => {
  const r = b.records.find((x) => x.collector === collector && x.resource.includes(match));
  if (!r) throw new Error(`no ${collector} record for ${match}`);
  return r;
};

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(join(ROOT, 'test/fixtures/history/evidence-where-it-lives.yaml')), port: 0 });
  useSandboxEnv(sb.url);
  ({ bundle: badBundle, results: badR } = await backfill(bad));
  ({ bundle: goodBundle, results: goodR } = await backfill(good));
}, 120_000);
afterAll(async () => sb?.close());

describe('a backfilled day with the defect FAILs, a clean one PASSes (issue 22 types)', () => {
  it("AWS::CloudTrail::Trail + AWS::S3::Bucket: the trail's own bucket locked for 1 day, then 400", () => {
    expect(statuses(badR, 'cloudtrail-trail-bucket-vaulted')).toEqual(['FAIL']);
    expect(reasons(badR, 'cloudtrail-trail-bucket-vaulted', 'FAIL')).toMatch(/DefaultRetentionDays.*\b1\b/);
    expect(statuses(goodR, 'cloudtrail-trail-bucket-vaulted')).toEqual(['PASS']);
    const trail = record(goodBundle, 'cloudtrail.trails', 'acme-trail');
    expect(trail.source.origin).toBe('config-history');
    expect(trail.data).toMatchObject({ IsMultiRegionTrail: true, S3BucketName: 'acme-trail-logs', LogBucket: { DefaultRetentionDays: 400 } });
  });

  it('AWS::CloudTrail::Trail: validation off FAILs from what Config keeps; whether it was logging is ERROR with the reason', () => {
    expect(statuses(badR, 'cloudtrail-trail-logging-validated')).toEqual(['FAIL']);
    expect(reasons(badR, 'cloudtrail-trail-logging-validated', 'FAIL')).toMatch(/LogFileValidationEnabled/);
    // a clean day cannot PASS: IsLogging is not in Config's history
    expect(statuses(goodR, 'cloudtrail-trail-logging-validated')).toEqual(['ERROR']);
    expect(reasons(goodR, 'cloudtrail-trail-logging-validated', 'ERROR')).toMatch(/Status: .*not its status \(GetTrailStatus: IsLogging/);
    expect(statuses(goodR, 'cloudtrail-trail-records-management-events')).toEqual(['ERROR']);
    expect(reasons(goodR, 'cloudtrail-trail-records-management-events', 'ERROR')).toMatch(/ManagementEvents.*event selectors/);
  });

  it('AWS::S3::Bucket: a data bucket without default encryption, then under KMS naming its key', () => {
    expect(reasons(badR, 's3-data-bucket-encryption', 'FAIL')).toMatch(/acme-customer-uploads|SSEAlgorithm/);
    expect(findings(badR, 's3-data-bucket-encryption').find((f) => f.resource.endsWith('acme-customer-uploads'))?.status).toBe('FAIL');
    expect(findings(goodR, 's3-data-bucket-encryption').find((f) => f.resource.endsWith('acme-customer-uploads'))?.status).toBe('PASS');
    const uploads = record(goodBundle, 's3.buckets', 'acme-customer-uploads');
    expect(uploads.data).toMatchObject({
      BucketRegion: 'us-east-1', ReplicationConfiguration: 'not configured', LifecycleConfiguration: 'not configured',
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: expect.stringContaining(':key/') } }] },
    });
  });

  it('AWS::GuardDuty::Detector: disabled FAILs; features and findings are ERROR with the reason', () => {
    expect(statuses(badR, 'guardduty-detector-features-findings')).toEqual(['FAIL']);
    expect(reasons(badR, 'guardduty-detector-features-findings', 'FAIL')).toMatch(/DISABLED/);
    expect(statuses(goodR, 'guardduty-detector-features-findings')).toEqual(['ERROR']);
    expect(reasons(goodR, 'guardduty-detector-features-findings', 'ERROR')).toMatch(/keeps no features.*|findings are not configuration/);
  });

  it('AWS::KMS::Key: a disabled key without rotation FAILs, then PASSes; rotation period, rotations and key policy are ERROR', () => {
    // the disabled key is out of the control's scope (enabled keys only), which the fields Config
    // keeps decide; the enabled one is in scope and cannot be judged without its period
    expect(statuses(badR, 'kms-customer-keys-rotate-yearly')).toEqual([]);
    expect(statuses(goodR, 'kms-customer-keys-rotate-yearly')).toEqual(['ERROR']);
    expect(reasons(goodR, 'kms-customer-keys-rotate-yearly', 'ERROR')).toMatch(/RotationPeriodInDays.*not its period/);
    // what Config does keep of the key decides (kms.keys): its state, and rotation off (on needs the period)
    expect(statuses(badR, 'kms-key-enabled')).toEqual(['FAIL']);
    expect(reasons(badR, 'kms-key-enabled', 'FAIL')).toMatch(/Disabled/);
    expect(statuses(goodR, 'kms-key-enabled')).toEqual(['PASS']);
    expect(statuses(badR, 'kms-cmk-rotation-enabled')).toEqual(['FAIL']);
    expect(reasons(badR, 'kms-cmk-rotation-enabled', 'FAIL')).toMatch(/KeyRotationEnabled is false/);
    expect(statuses(goodR, 'kms-cmk-rotation-enabled')).toEqual(['ERROR']);
    expect(reasons(goodR, 'kms-cmk-rotation-enabled', 'ERROR')).toMatch(/rotation period/);
    const key = record(goodBundle, 'kms.customer-keys', ':key/');
    expect(key.data).toMatchObject({ KeyRotationEnabled: true, Aliases: ['alias/acme-data'], KeyMetadata: { KeyManager: 'CUSTOMER' } });
    expect(key.error?.fields).toEqual(expect.arrayContaining(['KeyPolicy', 'CompanyPrincipals', 'Rotations', 'LastRotationDate']));
  });
});

describe('a backfilled day with the defect FAILs, a clean one PASSes (issue 23 types)', () => {
  it('AWS::RDS::DBSnapshot: a manual snapshot made public, then shared with the account only', () => {
    const pub = (r: Results) => findings(r, 'rds-instance-snapshot-not-public').find((f) => f.resource.endsWith(':acme-db-before-upgrade'));
    expect(pub(badR)?.status).toBe('FAIL');
    expect(pub(badR)?.reason).toMatch(/"all"/);
    expect(pub(goodR)?.status).toBe('PASS');
    // created after the bad day: not in that run at all
    expect(badBundle.records.some((x) => x.resource.endsWith(':acme-db-export'))).toBe(false);
    expect(goodBundle.records.some((x) => x.resource.endsWith(':acme-db-export'))).toBe(true);
  });

  it('AWS::Backup::RecoveryPoint: kept 90 days, then 14', () => {
    expect(statuses(badR, 'backup-recovery-point-within-window')).toEqual(['FAIL']);
    expect(reasons(badR, 'backup-recovery-point-within-window', 'FAIL')).toMatch(/\b90\b/);
    expect(statuses(goodR, 'backup-recovery-point-within-window')).toEqual(['PASS']);
    // the point is in an allowed region; the regions the run did not cover stay ERROR (--regions all)
    expect(findings(goodR, 'backup-recovery-point-residency').filter((f) => f.status === 'PASS')).toHaveLength(1);
  });

  it('AWS::Backup::BackupPlan: copies to ap-southeast-1, then to us-west-2', () => {
    expect(statuses(badR, 'backup-copy-destinations-allowed')).toEqual(['FAIL']);
    expect(reasons(badR, 'backup-copy-destinations-allowed', 'FAIL')).toMatch(/ap-southeast-1/);
    expect(statuses(goodR, 'backup-copy-destinations-allowed')).toEqual(['PASS']);
  });

  it('AWS::Backup::BackupVault: the vault is rebuilt, its Vault Lock is missing with the reason', () => {
    const vault = record(goodBundle, 'backup.vaults', 'acme-vault');
    expect(vault.data).toMatchObject({ BackupVaultName: 'acme-vault' });
    expect(vault.data).not.toHaveProperty('Locked');
    expect(vault.error).toMatchObject({ code: 'FieldNotRecorded', fields: ['Locked', 'MinRetentionDays', 'MaxRetentionDays', 'LockDate'] });
    expect(vault.error?.message).toMatch(/keeps no Vault Lock fields/);
  });

  it('AWS::ElasticLoadBalancingV2::LoadBalancer + Listener: HTTP forwarded FAILs; redirecting is ERROR (rules not kept)', () => {
    const http = (r: Results) => findings(r, 'elbv2-http-listener-redirects');
    expect(http(badR).map((f) => f.status)).toEqual(['FAIL']);
    expect(http(badR)[0]!.reason).toMatch(/forward/);
    expect(http(goodR).map((f) => f.status)).toEqual(['ERROR']);
    expect(http(goodR)[0]!.reason).toMatch(/not the listener's rules/);
    // the HTTPS listener: its policy's protocols are not configuration
    expect(statuses(goodR, 'elbv2-listener-tls-minimum')).toEqual(['ERROR']);
    expect(reasons(goodR, 'elbv2-listener-tls-minimum', 'ERROR')).toMatch(/DescribeSSLPolicies/);
    const listener = record(goodBundle, 'elbv2.listeners', 'acme-web');
    expect(listener.data).toMatchObject({ Scheme: 'internet-facing', LoadBalancerType: 'application', LoadBalancerName: 'acme-web' });
  });

  it('AWS::CloudFront::Distribution: the default certificate at TLSv1, then TLSv1.2_2021', () => {
    expect(statuses(badR, 'cloudfront-viewer-tls')).toEqual(['FAIL']);
    expect(reasons(badR, 'cloudfront-viewer-tls', 'FAIL')).toMatch(/TLSv1\b/);
    expect(statuses(goodR, 'cloudfront-viewer-tls')).toEqual(['PASS']);
    expect(statuses(goodR, 'cloudfront-origin-tls')).toEqual(['PASS']);
  });
});

describe('what a backfilled run cannot prove', () => {
  it('every rebuilt record comes from Config history, and every field it lacks is named with a reason', () => {
    for (const r of goodBundle.records.filter((x) => COLLECTED.includes(x.collector))) {
      expect(r.source.origin, `${r.collector} ${r.resource}`).toBe('config-history');
      for (const f of r.error?.fields ?? []) expect(r.error!.message, `${r.collector} ${f}`).toContain(f);
      for (const f of r.error?.fields ?? []) expect(FIELDS_NOT_IN_HISTORY[r.collector], `${r.collector} ${f}`).toHaveProperty([f]);
    }
  });
});
