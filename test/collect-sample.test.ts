// Every collector against the sample account, through the real SDK and the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { readBundle, writeBundle } from '../src/evidence/bundle.js';
import { recordId } from '../src/evidence/canonical.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import { ACCESS_KEY, NOW, SAMPLE, SECRET, bundleText, byCollector, data, useSandboxEnv } from './collect-helpers.js';

let sb: Sandbox;
let bundle: EvidenceBundle;
let tmp: string;
const progress: { phase: string; collector: string }[] = [];

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(SAMPLE, NOW), port: 0, now: NOW });
  useSandboxEnv(sb.url);
  tmp = await mkdtemp(join(tmpdir(), 'trustpack-collect-'));
  bundle = await collectEvidence({
    regions: ['us-east-1', 'eu-central-1'], toolVersion: '0.1.0-test', now: () => NOW,
    onProgress: (e) => progress.push(e),
  });
});
afterAll(async () => {
  await sb?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const cluster = (id: string) => byCollector(bundle, 'rds.db-clusters').find((r) => data(r)['DBClusterIdentifier'] === id);

describe('collectEvidence on the sample account', () => {
  it('collects every collector in every region, and the caller identity once', () => {
    const m = bundle.manifest;
    expect(m.caller).toEqual({ account: '111122223333', arn: 'arn:aws:sts::111122223333:assumed-role/trustpack-audit/nightly', userId: expect.any(String) });
    expect(m.accounts).toEqual(['111122223333']);
    expect(m.regions).toEqual(['us-east-1', 'eu-central-1']);
    expect(m.runId).toMatch(/^20261128T233000Z-[0-9a-f]{4}$/);
    expect(m.tool).toEqual({ name: 'trustpack', version: '0.1.0-test' });
    expect(m.collections.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(m.collections.filter((c) => c.collector === 'sts.caller-identity').map((c) => c.region)).toEqual(['global']);
    expect(m.collections.filter((c) => c.region === 'global').map((c) => c.collector).sort()).toEqual(['cloudfront.distributions', 's3.buckets', 'sts.caller-identity']);
    // three global collections, 30 regional collectors in each of the two regions
    expect(m.collections).toHaveLength(3 + 30 * 2);
    // a global collection's records carry their resource's region (a bucket's), not "global"
    for (const c of m.collections) expect(c.records).toBe(bundle.records.filter((r) => r.collector === c.collector && (c.region === 'global' || r.source.region === c.region)).length);
    expect(progress.filter((p) => p.phase === 'done')).toHaveLength(63);
  });

  it('counts exactly the calls the endpoint answered', () => {
    const counted = bundle.manifest.collections.reduce((n, c) => n + c.calls, 0);
    expect(counted).toBe(sb.stats().calls);
    expect(bundle.manifest.collections.filter((c) => ['rds.cluster-topology', 'rds.cluster-tls', 'rds.encryption-keys'].includes(c.collector)).every((c) => c.calls === 0)).toBe(true);
  });

  it('sts.caller-identity: the caller as STS says', () => {
    const [r] = byCollector(bundle, 'sts.caller-identity');
    expect(r?.resource).toBe('arn:aws:sts::111122223333:assumed-role/trustpack-audit/nightly');
    expect(r?.source.region).toBe('global');
    expect(data(r)['Account']).toBe('111122223333');
  });

  it('rds.db-clusters: the 4 clusters as returned, as JSON data', () => {
    const ids = byCollector(bundle, 'rds.db-clusters').map((r) => data(r)['DBClusterIdentifier']).sort();
    expect(ids).toEqual(['analytics-eu', 'customers-eu', 'legacy-reporting', 'orders-prod']);
    const c = cluster('customers-eu')!;
    expect(c.resource).toBe('arn:aws:rds:eu-central-1:111122223333:cluster:customers-eu');
    expect(c.resourceType).toBe('AWS::RDS::DBCluster');
    expect(c.source).toMatchObject({ service: 'rds', operation: 'DescribeDBClusters', region: 'eu-central-1', account: '111122223333', time: NOW.toISOString() });
    expect(data(c)['TagList']).toContainEqual({ Key: 'city', Value: 'Zürich' });
    expect(data(c)['BackupRetentionPeriod']).toBe(14);
    expect(typeof data(c)['ClusterCreateTime']).toBe('string'); // a Date in the SDK, an ISO string in evidence
    expect(data(c)).not.toHaveProperty('$metadata');
  });

  it('rds.db-instances: every member instance with its AZ, and the stand-alone billing-us', () => {
    const inst = byCollector(bundle, 'rds.db-instances');
    expect(inst).toHaveLength(8);
    expect(inst.filter((r) => data(r)['DBClusterIdentifier'] === undefined).map((r) => data(r)['DBInstanceIdentifier'])).toEqual(['billing-us']);
    expect(inst.every((r) => r.resource.startsWith('arn:aws:rds:') && r.resource.includes(':db:'))).toBe(true);
  });

  it('rds.cluster-snapshots: manual snapshots carry their restore attribute', () => {
    const snaps = byCollector(bundle, 'rds.cluster-snapshots');
    const manual = Object.fromEntries(snaps.filter((r) => data(r)['SnapshotType'] === 'manual').map((r) => [data(r)['DBClusterSnapshotIdentifier'], data(r)['DBClusterSnapshotAttributes']]));
    expect(Object.keys(manual).sort()).toEqual(['customers-eu-partner-share', 'legacy-reporting-2024-export', 'orders-prod-dr-copy', 'orders-prod-pre-migration']);
    const restore = (id: string) => (manual[id] as { AttributeName: string; AttributeValues: string[] }[]).find((a) => a.AttributeName === 'restore')?.AttributeValues ?? [];
    expect(restore('orders-prod-dr-copy')).toEqual(['444455556666']);
    expect(restore('customers-eu-partner-share')).toEqual(['999988887777']);
    expect(restore('orders-prod-pre-migration')).toEqual([]);
    expect(snaps.filter((r) => data(r)['SnapshotType'] === 'automated').every((r) => !('DBClusterSnapshotAttributes' in data(r)))).toBe(true);
  });

  it('rds.cluster-automated-backups: the 2 retained backups of deleted clusters', () => {
    const retained = byCollector(bundle, 'rds.cluster-automated-backups').filter((r) => data(r)['Status'] === 'retained');
    expect(retained.map((r) => data(r)['DBClusterIdentifier']).sort()).toEqual(['old-tenant-db', 'trial-tenant-db']);
    const old = retained.find((r) => data(r)['DBClusterIdentifier'] === 'old-tenant-db');
    expect(data(old)['BackupRetentionPeriod']).toBe(35);
    expect(typeof data(old)['RestoreWindow']['EarliestTime']).toBe('string');
    expect(old?.resource).toBe(data(old)['DBClusterAutomatedBackupsArn']);
  });

  it('rds.cluster-parameters: one record per group in use, ARN built as AWS does', () => {
    const groups = byCollector(bundle, 'rds.cluster-parameters');
    expect(groups.map((r) => r.resource).sort()).toEqual([
      'arn:aws:rds:eu-central-1:111122223333:cluster-pg:analytics-mysql80',
      'arn:aws:rds:eu-central-1:111122223333:cluster-pg:customers-pg15',
      'arn:aws:rds:us-east-1:111122223333:cluster-pg:legacy-mysql57',
      'arn:aws:rds:us-east-1:111122223333:cluster-pg:orders-pg15',
    ]);
  });

  it('kms.keys: manager, origin, rotation (null for the imported key) and aliases', () => {
    const keys = Object.fromEntries(byCollector(bundle, 'kms.keys').map((r) => [data(r)['Aliases'][0], data(r)]));
    expect(Object.keys(keys).sort()).toEqual(['alias/aws/rds', 'alias/customers-eu-byok', 'alias/legacy-reporting', 'alias/orders-data']);
    expect(keys['alias/orders-data']).toMatchObject({ KeyRotationEnabled: true, KeyMetadata: { KeyManager: 'CUSTOMER', Origin: 'AWS_KMS' } });
    expect(keys['alias/legacy-reporting']).toMatchObject({ KeyRotationEnabled: false, KeyMetadata: { KeyManager: 'CUSTOMER' } });
    expect(keys['alias/customers-eu-byok']).toMatchObject({ KeyRotationEnabled: null, KeyMetadata: { KeyManager: 'CUSTOMER', Origin: 'EXTERNAL' } });
    expect(keys['alias/aws/rds']).toMatchObject({ KeyRotationEnabled: true, KeyMetadata: { KeyManager: 'AWS', KeySpec: 'SYMMETRIC_DEFAULT' } });
  });

  it('rds.cluster-topology: member AZs, legacy-reporting only in us-east-1a', () => {
    const topo = Object.fromEntries(byCollector(bundle, 'rds.cluster-topology').map((r) => [data(r)['DBClusterIdentifier'], data(r)]));
    expect(topo['legacy-reporting']!['MemberAvailabilityZones']).toEqual(['us-east-1a']);
    expect(topo['legacy-reporting']!['StorageAvailabilityZones']).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(topo['orders-prod']!['MemberAvailabilityZones']).toEqual(['us-east-1a', 'us-east-1b']);
    expect(topo['analytics-eu']!['MemberAvailabilityZones']).toEqual(['eu-central-1a', 'eu-central-1c']);
    expect(topo['orders-prod']!['Members']).toContainEqual({ DBInstanceIdentifier: expect.any(String), IsClusterWriter: true, AvailabilityZone: 'us-east-1a' });
  });

  it('rds.cluster-tls: the engine\'s parameter and its value', () => {
    const tls = Object.fromEntries(byCollector(bundle, 'rds.cluster-tls').map((r) => [data(r)['DBClusterIdentifier'], [data(r)['TlsParameterName'], data(r)['TlsParameterValue']]]));
    expect(tls).toEqual({
      'orders-prod': ['rds.force_ssl', '1'],
      'legacy-reporting': ['require_secure_transport', 'OFF'],
      'customers-eu': ['rds.force_ssl', '1'],
      'analytics-eu': ['require_secure_transport', 'ON'],
    });
  });

  it('rds.encryption-keys: every cluster, instance, snapshot and backup with its key facts', () => {
    const enc = byCollector(bundle, 'rds.encryption-keys');
    const sources = ['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots', 'rds.cluster-automated-backups'];
    expect(enc).toHaveLength(sources.reduce((n, s) => n + byCollector(bundle, s).length, 0));
    const analytics = enc.find((r) => r.resource === cluster('analytics-eu')!.resource);
    expect(data(analytics)).toMatchObject({ ResourceType: 'AWS::RDS::DBCluster', ResourceId: 'analytics-eu', StorageEncrypted: true, KeyManager: 'AWS', KeyAliases: ['alias/aws/rds'] });
    const legacy = enc.find((r) => r.resource === cluster('legacy-reporting')!.resource);
    expect(data(legacy)).toMatchObject({ KeyManager: 'CUSTOMER', KeyRotationEnabled: false, KeyOrigin: 'AWS_KMS', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT' });
    const byok = enc.find((r) => r.resource === cluster('customers-eu')!.resource);
    expect(data(byok)).toMatchObject({ KeyOrigin: 'EXTERNAL', KeyRotationEnabled: null });
    expect(enc.map((r) => r.resourceType).filter((t, i, a) => a.indexOf(t) === i).sort()).toEqual(
      ['AWS::RDS::DBCluster', 'AWS::RDS::DBClusterAutomatedBackup', 'AWS::RDS::DBClusterSnapshot', 'AWS::RDS::DBInstance']);
  });

  it('config: recorders on, rules with compliance, evaluations with managed rule id and trail ARNs', () => {
    const recorders = byCollector(bundle, 'config.recorders');
    expect(recorders).toHaveLength(2);
    expect(recorders.every((r) => data(r)['Status']?.['recording'] === true)).toBe(true);
    // the ARN AWS returns (newer APIs return one); built as config-recorder/NAME only when absent
    expect(recorders.every((r) => r.resource === data(r)['ConfigurationRecorder']['arn'])).toBe(true);
    const rules = byCollector(bundle, 'config.rules');
    expect(rules).toHaveLength(14);
    expect(rules.every((r) => data(r)['Compliance'] !== null)).toBe(true);
    const evals = byCollector(bundle, 'config.rule-evaluations');
    const trail = evals.find((r) => data(r)['ResourceId'] === 'eu-data-trail');
    expect(trail?.resource).toBe('arn:aws:cloudtrail:eu-central-1:111122223333:trail/eu-data-trail');
    expect(data(trail)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', SourceIdentifier: 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED', RecorderRecording: true, ResourceType: 'AWS::CloudTrail::Trail' });
    expect(trail?.resourceType).toBe('AWS::CloudTrail::Trail');
    expect(evals.filter((r) => data(r)['SourceIdentifier'] === 'RDS_STORAGE_ENCRYPTED').map((r) => data(r)['ComplianceType'])).toEqual(['COMPLIANT', 'COMPLIANT', 'COMPLIANT', 'COMPLIANT']);
  });

  it('rds.cluster-tls-version: the group\'s minimum, else the engine version\'s default with its sources', () => {
    const tls = Object.fromEntries(byCollector(bundle, 'rds.cluster-tls-version').map((r) => [data(r)['DBClusterIdentifier'], data(r)]));
    expect(tls['orders-prod']).toMatchObject({ MinTlsParameterName: 'ssl_min_protocol_version', MinTlsParameterValue: 'TLSv1.2', MinTlsSource: 'parameter-group', MinimumTlsVersion: 'TLSv1.2' });
    expect(tls['analytics-eu']).toMatchObject({ MinTlsParameterName: 'tls_version', MinTlsParameterValue: 'TLSv1.2,TLSv1.3', MinimumTlsVersion: 'TLSv1.2' });
    // tls_version unset on Aurora MySQL 2: the sandbox answers an engine-default row, which is not a
    // setting; the cited per-version row wins over the family's engine default (TLSv1.2,TLSv1.3 here)
    expect(tls['legacy-reporting']).toMatchObject({ EngineVersion: '5.7.mysql_aurora.2.11.4', MinTlsParameterValue: null, MinTlsSource: 'version-table', EngineDefaultValue: 'TLSv1.2,TLSv1.3', EffectiveValue: 'TLSv1,TLSv1.1,TLSv1.2', MinimumTlsVersion: 'TLSv1' });
    expect(tls['legacy-reporting'].DefaultSources.length).toBeGreaterThan(0);
  });

  it('rds.cluster-audit-settings: auditing parameters split into lists', () => {
    const a = Object.fromEntries(byCollector(bundle, 'rds.cluster-audit-settings').map((r) => [data(r)['DBClusterIdentifier'], data(r)]));
    expect(a['orders-prod']).toMatchObject({ SharedPreloadLibraries: ['pg_stat_statements', 'pgaudit'], PgauditLog: ['ddl', 'read', 'role', 'write'], PgauditLogClasses: ['ddl', 'read', 'role', 'write'], PgauditRole: null, EnabledCloudwatchLogsExports: ['postgresql'] });
    expect(a['legacy-reporting']).toMatchObject({ ServerAuditLogging: '1', ServerAuditEvents: ['CONNECT', 'QUERY_DDL'], ServerAuditIncludeUsers: [], ServerAuditExcludeUsers: [] });
    expect(a['customers-eu']).toMatchObject({ SharedPreloadLibraries: ['pg_stat_statements'], PgauditLog: [] });
    expect(a['legacy-reporting']).toMatchObject({ ServerAuditLogging: '1', ServerAuditEvents: ['CONNECT', 'QUERY_DDL'] });
  });

  it('kms.keys keeps the rotation period and next date; kms.key-rotations dates imported material', () => {
    const keys = Object.fromEntries(byCollector(bundle, 'kms.keys').map((r) => [data(r)['Aliases'][0], data(r)]));
    expect(keys['alias/orders-data']).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 730, NextRotationDate: expect.stringMatching(/^20\d\d-/) });
    expect(keys['alias/orders-data'].KeyArns).toContain('arn:aws:kms:us-east-1:111122223333:alias/orders-data');
    const rot = byCollector(bundle, 'kms.key-rotations');
    expect(rot).toHaveLength(1);
    expect(rot[0]!.source.operation).toBe('ListKeyRotations');
    expect(data(rot[0])).toMatchObject({ KeyOrigin: 'EXTERNAL', SameAccount: true, Rotations: [], LastRotationDate: null });
    expect(data(rot[0])['MaterialDate']).toBe(data(rot[0])['CreationDate']);
  });

  it('rds.engine-lifecycles: the standard-support end of each cluster\'s major version', () => {
    const l = Object.fromEntries(byCollector(bundle, 'rds.engine-lifecycles').map((r) => [data(r)['Identifier'], data(r)]));
    expect(l['legacy-reporting']).toMatchObject({ MajorEngineVersion: '5.7', StandardSupportEndDate: '2024-10-31T00:00:00.000Z' });
    expect(l['orders-prod']).toMatchObject({ MajorEngineVersion: '15', StandardSupportEndDate: expect.stringMatching(/^2028-/) });
    expect(l['analytics-eu']!.SupportedEngineLifecycles.map((x: { LifecycleSupportName: string }) => x.LifecycleSupportName)).toEqual(['open-source-rds-standard-support', 'open-source-rds-extended-support']);
  });

  it('rds.data-locations: every copy with its region, the global-database secondary included', () => {
    const locs = byCollector(bundle, 'rds.data-locations').map((r) => data(r));
    const secondary = locs.filter((d) => d['Kind'] === 'global database secondary');
    expect(secondary).toEqual([expect.objectContaining({ Identifier: 'orders-apac', Region: 'ap-southeast-2', CollectedIn: 'us-east-1' })]);
    const kinds = new Set(locs.map((d) => d['Kind']));
    expect([...kinds].sort()).toEqual(['cluster', 'cluster automated backup', 'cluster snapshot', 'global database secondary', 'instance', 'instance snapshot']);
    // the instance snapshots: manual, automated, and the one AWS Backup made (listed by its own call)
    expect(locs.filter((d) => d['Kind'] === 'instance snapshot').map((d) => String(d['Identifier']).replace(/\d{4}-.*$|job-.*$/, '')).sort()).toEqual(['awsbackup:', 'billing-us-pre-upgrade', 'rds:billing-us-']);
    expect(locs.filter((d) => d['Kind'] !== 'global database secondary').every((d) => d['Region'] === d['CollectedIn'])).toBe(true);
  });

  it('every record id is its content hash; every derivedFrom id is a record of the bundle', () => {
    const ids = new Set(bundle.records.map((r) => r.id));
    expect(ids.size).toBe(bundle.records.length);
    for (const r of bundle.records) {
      expect(recordId(r)).toBe(r.id);
      for (const d of r.source.derivedFrom ?? []) expect(ids.has(d)).toBe(true);
    }
    const joins = bundle.records.filter((r) => r.source.service === 'trustpack');
    expect(joins.length).toBeGreaterThan(0);
    expect(joins.every((r) => (r.source.derivedFrom ?? []).length > 0)).toBe(true);
  });

  it('writes a bundle that reads back verified, with no credential in any file', async () => {
    const { dir, manifest } = await writeBundle(bundle, join(tmp, 'bundle'));
    expect(manifest.files).toEqual(bundle.manifest.files);
    const back = await readBundle(dir);
    expect(back.records.map((r) => r.id).sort()).toEqual(bundle.records.map((r) => r.id).sort());
    const text = await bundleText(dir);
    expect(text).toContain('Zürich');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(ACCESS_KEY);
  });

  it('is repeatable: the same account at the same time gives the same records', async () => {
    const again = await collectEvidence({ regions: ['us-east-1', 'eu-central-1'], toolVersion: '0.1.0-test', now: () => NOW, concurrency: 1 });
    expect(again.records.map((r) => r.id)).toEqual(bundle.records.map((r) => r.id));
  });
});
