// The sandbox through the real AWS SDK v3 clients: every operation, paging, faults, AssumeRole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  RDSClient, DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeDBClusterSnapshotsCommand,
  DescribeDBClusterSnapshotAttributesCommand, DescribeDBClusterAutomatedBackupsCommand, DescribeDBClusterParametersCommand,
  DescribeDBClusterParameterGroupsCommand, paginateDescribeDBClusters, paginateDescribeDBClusterSnapshots, paginateDescribeDBInstances,
  paginateDescribeDBClusterParameters, DescribeDBMajorEngineVersionsCommand, DescribeGlobalClustersCommand, DescribeDBInstanceAutomatedBackupsCommand,
} from '@aws-sdk/client-rds';
import { KMSClient, DescribeKeyCommand, GetKeyRotationStatusCommand, ListKeysCommand, ListAliasesCommand, ListKeyRotationsCommand, paginateListAliases, paginateListKeys } from '@aws-sdk/client-kms';
import {
  ConfigServiceClient, DescribeConfigRulesCommand, DescribeComplianceByConfigRuleCommand, GetComplianceDetailsByConfigRuleCommand,
  DescribeConfigurationRecordersCommand, DescribeConfigurationRecorderStatusCommand, paginateGetComplianceDetailsByConfigRule,
} from '@aws-sdk/client-config-service';
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { generateAccount, parseFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { clientConfig, NOW } from './sandbox-helpers.js';

const SAMPLE = 'examples/sample/account.yaml';
const DAY = 86_400_000;

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

describe('sandbox: the sample account through the SDK', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ fixture: parseFixture(readFileSync(SAMPLE, 'utf8'), SAMPLE, NOW), now: NOW });
  });
  afterAll(async () => sb.close());

  const rds = (region: string) => new RDSClient(clientConfig(sb, region));
  const kms = (region: string) => new KMSClient(clientConfig(sb, region));
  const config = (region: string) => new ConfigServiceClient(clientConfig(sb, region));

  it('DescribeDBClusters answers each cluster as the fixture says', async () => {
    const us = await rds('us-east-1').send(new DescribeDBClustersCommand({}));
    expect(us.DBClusters?.map((c) => c.DBClusterIdentifier)).toEqual(['orders-prod', 'legacy-reporting']);
    const orders = us.DBClusters![0]!;
    expect(orders).toMatchObject({
      Engine: 'aurora-postgresql', EngineVersion: '15.4', StorageEncrypted: true, BackupRetentionPeriod: 7, DeletionProtection: true,
      AvailabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], EnabledCloudwatchLogsExports: ['postgresql'],
      DBClusterParameterGroup: 'orders-pg15', DBClusterArn: 'arn:aws:rds:us-east-1:111122223333:cluster:orders-prod',
      DBClusterMembers: [
        { DBInstanceIdentifier: 'orders-prod-instance-1', IsClusterWriter: true },
        { DBInstanceIdentifier: 'orders-prod-instance-2', IsClusterWriter: false },
      ],
    });
    expect(orders.KmsKeyId).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
    expect(orders.ClusterCreateTime).toBeInstanceOf(Date);
    expect(us.DBClusters![1]).toMatchObject({ Engine: 'aurora-mysql', EnabledCloudwatchLogsExports: ['audit', 'error'], DBClusterMembers: [{ IsClusterWriter: true }] });
    const eu = await rds('eu-central-1').send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'customers-eu' }));
    expect(eu.DBClusters?.[0]?.TagList).toContainEqual({ Key: 'city', Value: 'Zürich' });
    expect(eu.DBClusters?.[0]?.BackupRetentionPeriod).toBe(14);
  });

  it('answers DBClusterNotFoundFault for an unknown cluster, and an empty list for a region not in the fixture', async () => {
    await expect(rds('us-east-1').send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'nope' }))).rejects.toMatchObject({
      name: 'DBClusterNotFoundFault', $metadata: { httpStatusCode: 404 },
    });
    const empty = await rds('ap-south-1').send(new DescribeDBClustersCommand({}));
    expect(empty.DBClusters).toEqual([]);
  });

  it('DescribeDBInstances: members in their AZs, encrypted with the cluster key', async () => {
    const client = rds('eu-central-1');
    const { DBClusters } = await client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'analytics-eu' }));
    const { DBInstances } = await client.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: ['analytics-eu'] }] }));
    expect(DBInstances?.map((i) => [i.DBInstanceIdentifier, i.AvailabilityZone])).toEqual([
      ['analytics-eu-instance-1', 'eu-central-1a'], ['analytics-eu-instance-2', 'eu-central-1c'],
    ]);
    for (const i of DBInstances ?? []) expect(i).toMatchObject({ StorageEncrypted: true, KmsKeyId: DBClusters![0]!.KmsKeyId, DBClusterIdentifier: 'analytics-eu' });
  });

  it('DescribeDBClusterSnapshots: types, ages and the SnapshotType / DBClusterIdentifier filters', async () => {
    const client = rds('us-east-1');
    const manual = await client.send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }));
    const ages = Object.fromEntries((manual.DBClusterSnapshots ?? []).map((s) => [s.DBClusterSnapshotIdentifier, Math.round((NOW.getTime() - s.SnapshotCreateTime!.getTime()) / DAY)]));
    expect(ages).toEqual({ 'orders-prod-pre-migration': 5, 'orders-prod-dr-copy': 2, 'legacy-reporting-2024-export': 40 });
    const auto = await client.send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'automated', DBClusterIdentifier: 'orders-prod' }));
    expect(auto.DBClusterSnapshots?.map((s) => s.DBClusterSnapshotIdentifier)).toEqual([
      'rds:orders-prod-2026-06-14-12-00', 'rds:orders-prod-2026-06-13-12-00', 'rds:orders-prod-2026-06-12-12-00',
    ]);
    for (const s of [...manual.DBClusterSnapshots!, ...auto.DBClusterSnapshots!]) expect(s.StorageEncrypted).toBe(true);
  });

  it('DescribeDBClusterSnapshotAttributes: restore shared with the listed accounts', async () => {
    const us = await rds('us-east-1').send(new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: 'orders-prod-dr-copy' }));
    expect(us.DBClusterSnapshotAttributesResult).toEqual({
      DBClusterSnapshotIdentifier: 'orders-prod-dr-copy',
      DBClusterSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: ['444455556666'] }],
    });
    const eu = await rds('eu-central-1').send(new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: 'customers-eu-partner-share' }));
    expect(eu.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes?.[0]?.AttributeValues).toEqual(['999988887777']);
    const notShared = await rds('us-east-1').send(new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: 'orders-prod-pre-migration' }));
    expect(notShared.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes?.[0]?.AttributeValues ?? []).toEqual([]);
    await expect(rds('us-east-1').send(new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: 'missing' })))
      .rejects.toMatchObject({ name: 'DBClusterSnapshotNotFoundFault' });
  });

  it('DescribeDBClusterAutomatedBackups: active backups of live clusters, retained ones of deleted clusters', async () => {
    const { DBClusterAutomatedBackups: us } = await rds('us-east-1').send(new DescribeDBClusterAutomatedBackupsCommand({}));
    const byCluster = Object.fromEntries((us ?? []).map((b) => [b.DBClusterIdentifier, b]));
    expect(Object.keys(byCluster).sort()).toEqual(['legacy-reporting', 'old-tenant-db', 'orders-prod']);
    expect(byCluster['orders-prod']).toMatchObject({ Status: 'active', StorageEncrypted: true, BackupRetentionPeriod: 7 });
    const old = byCluster['old-tenant-db']!;
    expect(old).toMatchObject({ Status: 'retained', BackupRetentionPeriod: 35, StorageEncrypted: true });
    expect(old.DBClusterAutomatedBackupsArn).toMatch(/^arn:aws:rds:us-east-1:111122223333:cluster-auto-backup:/);
    expect(NOW.getTime() - old.RestoreWindow!.EarliestTime!.getTime()).toBe(30 * DAY);
    const { DBClusterAutomatedBackups: eu } = await rds('eu-central-1').send(new DescribeDBClusterAutomatedBackupsCommand({ Filters: [{ Name: 'status', Values: ['retained'] }] }));
    expect(eu?.map((b) => [b.DBClusterIdentifier, b.BackupRetentionPeriod])).toEqual([['trial-tenant-db', 7]]);
  });

  it('DescribeDBClusterParameters and ParameterGroups: the TLS parameter, Source filter, default groups', async () => {
    const client = rds('us-east-1');
    const legacy = await client.send(new DescribeDBClusterParametersCommand({ DBClusterParameterGroupName: 'legacy-mysql57' }));
    expect(legacy.Parameters?.find((p) => p.ParameterName === 'require_secure_transport')).toMatchObject({ ParameterValue: 'OFF', Source: 'user' });
    expect(legacy.Parameters!.length).toBeGreaterThan(4);
    const user = await client.send(new DescribeDBClusterParametersCommand({ DBClusterParameterGroupName: 'orders-pg15', Source: 'user' }));
    expect(user.Parameters?.every((p) => p.Source === 'user')).toBe(true);
    expect(user.Parameters?.find((p) => p.ParameterName === 'rds.force_ssl')?.ParameterValue).toBe('1');
    const groups = await client.send(new DescribeDBClusterParameterGroupsCommand({}));
    expect(groups.DBClusterParameterGroups?.map((g) => g.DBClusterParameterGroupName).sort()).toEqual([
      'default.aurora-mysql5.7', 'default.aurora-postgresql15', 'legacy-mysql57', 'orders-pg15',
    ]);
    expect(groups.DBClusterParameterGroups?.find((g) => g.DBClusterParameterGroupName === 'orders-pg15')).toMatchObject({
      DBParameterGroupFamily: 'aurora-postgresql15', DBClusterParameterGroupArn: 'arn:aws:rds:us-east-1:111122223333:cluster-pg:orders-pg15',
    });
    const eu = await rds('eu-central-1').send(new DescribeDBClusterParametersCommand({ DBClusterParameterGroupName: 'analytics-mysql80' }));
    expect(eu.Parameters?.find((p) => p.ParameterName === 'require_secure_transport')?.ParameterValue).toBe('ON');
    await expect(client.send(new DescribeDBClusterParametersCommand({ DBClusterParameterGroupName: 'nope' }))).rejects.toMatchObject({ name: 'DBParameterGroupNotFoundFault', $metadata: { httpStatusCode: 404 } });
  });

  it('enforces MaxRecords 20..100 as AWS does', async () => {
    await expect(rds('us-east-1').send(new DescribeDBClustersCommand({ MaxRecords: 5 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('KMS: DescribeKey by id, ARN, alias name and alias ARN; rotation; EXTERNAL keys cannot rotate', async () => {
    const us = kms('us-east-1');
    const byAlias = await us.send(new DescribeKeyCommand({ KeyId: 'alias/orders-data' }));
    const md = byAlias.KeyMetadata!;
    expect(md).toMatchObject({ KeyManager: 'CUSTOMER', KeySpec: 'SYMMETRIC_DEFAULT', Origin: 'AWS_KMS', KeyState: 'Enabled', AWSAccountId: '111122223333' });
    for (const ref of [md.KeyId!, md.Arn!, 'arn:aws:kms:us-east-1:111122223333:alias/orders-data']) {
      expect((await us.send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata?.KeyId).toBe(md.KeyId);
    }
    expect((await us.send(new GetKeyRotationStatusCommand({ KeyId: md.KeyId }))).KeyRotationEnabled).toBe(true);
    const legacy = (await us.send(new DescribeKeyCommand({ KeyId: 'alias/legacy-reporting' }))).KeyMetadata!;
    expect((await us.send(new GetKeyRotationStatusCommand({ KeyId: legacy.Arn }))).KeyRotationEnabled).toBe(false);
    const eu = kms('eu-central-1');
    const byok = (await eu.send(new DescribeKeyCommand({ KeyId: 'alias/customers-eu-byok' }))).KeyMetadata!;
    expect(byok.Origin).toBe('EXTERNAL');
    await expect(eu.send(new GetKeyRotationStatusCommand({ KeyId: byok.KeyId }))).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    const awsKey = (await eu.send(new DescribeKeyCommand({ KeyId: 'alias/aws/rds' }))).KeyMetadata!;
    expect(awsKey.KeyManager).toBe('AWS');
    expect((await eu.send(new GetKeyRotationStatusCommand({ KeyId: awsKey.KeyId }))).KeyRotationEnabled).toBe(true);
    await expect(us.send(new DescribeKeyCommand({ KeyId: 'alias/nope' }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('KMS: every cluster key is one the region lists; ListKeys / ListAliases page with Limit + Marker', async () => {
    const eu = kms('eu-central-1');
    const keys = (await all(paginateListKeys({ client: eu, pageSize: 1 }, {}))).flatMap((p) => p.Keys ?? []);
    expect(keys).toHaveLength(2);
    const first = await eu.send(new ListKeysCommand({ Limit: 1 }));
    expect(first).toMatchObject({ Truncated: true });
    const aliases = (await all(paginateListAliases({ client: eu, pageSize: 1 }, {}))).flatMap((p) => p.Aliases ?? []);
    expect(aliases.map((a) => a.AliasName).sort()).toEqual(['alias/aws/rds', 'alias/customers-eu-byok']);
    const { DBClusters } = await rds('eu-central-1').send(new DescribeDBClustersCommand({}));
    const keyIds = new Set(keys.map((k) => k.KeyArn));
    for (const c of DBClusters ?? []) expect(keyIds.has(c.KmsKeyId)).toBe(true);
    const filtered = await eu.send(new ListAliasesCommand({ KeyId: keys[0]!.KeyId }));
    expect(filtered.Aliases).toHaveLength(1);
  });

  it('Config: rules, compliance by rule, evaluation details, recorders and their status', async () => {
    const eu = config('eu-central-1');
    const rules = await eu.send(new DescribeConfigRulesCommand({}));
    expect(rules.ConfigRules?.map((r) => [r.ConfigRuleName, r.Source?.SourceIdentifier, r.Source?.Owner])).toEqual([
      ['cloudtrail-log-file-validation-enabled', 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED', 'AWS'],
      ['rds-storage-encrypted', 'RDS_STORAGE_ENCRYPTED', 'AWS'],
      ['multi-region-cloudtrail-enabled', 'MULTI_REGION_CLOUD_TRAIL_ENABLED', 'AWS'],
      ['s3-bucket-default-lock-enabled', 'S3_BUCKET_DEFAULT_LOCK_ENABLED', 'AWS'],
      ['cw-loggroup-retention-period-check', 'CW_LOGGROUP_RETENTION_PERIOD_CHECK', 'AWS'],
      ['guardduty-enabled-centralized', 'GUARDDUTY_ENABLED_CENTRALIZED', 'AWS'],
      ['guardduty-rds-protection-enabled', 'GUARDDUTY_RDS_PROTECTION_ENABLED', 'AWS'],
    ]);
    expect(JSON.parse(rules.ConfigRules!.find((r) => r.ConfigRuleName === 'multi-region-cloudtrail-enabled')!.InputParameters!)).toEqual({ readWriteType: 'ALL', s3BucketName: 'example-eu-logs' });
    const compliance = await eu.send(new DescribeComplianceByConfigRuleCommand({}));
    expect(compliance.ComplianceByConfigRules?.map((c) => [c.ConfigRuleName, c.Compliance?.ComplianceType]).slice(0, 2)).toEqual([
      ['cloudtrail-log-file-validation-enabled', 'NON_COMPLIANT'], ['rds-storage-encrypted', 'COMPLIANT'],
    ]);
    const trail = await eu.send(new GetComplianceDetailsByConfigRuleCommand({ ConfigRuleName: 'cloudtrail-log-file-validation-enabled' }));
    expect(trail.EvaluationResults?.[0]).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      EvaluationResultIdentifier: { EvaluationResultQualifier: { ResourceType: 'AWS::CloudTrail::Trail', ResourceId: 'eu-data-trail' } },
    });
    expect(trail.EvaluationResults?.[0]?.ResultRecordedTime).toEqual(new Date(NOW.getTime() - 2 * 3_600_000));
    const us = config('us-east-1');
    const ok = await us.send(new GetComplianceDetailsByConfigRuleCommand({ ConfigRuleName: 'cloudtrail-log-file-validation-enabled', ComplianceTypes: ['COMPLIANT'] }));
    expect(ok.EvaluationResults?.map((e) => e.EvaluationResultIdentifier?.EvaluationResultQualifier?.ResourceId)).toEqual(['org-trail']);
    const none = await us.send(new GetComplianceDetailsByConfigRuleCommand({ ConfigRuleName: 'rds-storage-encrypted', ComplianceTypes: ['NON_COMPLIANT'] }));
    expect(none.EvaluationResults).toEqual([]);
    await expect(us.send(new GetComplianceDetailsByConfigRuleCommand({ ConfigRuleName: 'nope' }))).rejects.toMatchObject({ name: 'NoSuchConfigRuleException' });
    for (const client of [us, eu]) {
      const rec = await client.send(new DescribeConfigurationRecordersCommand({}));
      expect(rec.ConfigurationRecorders?.[0]).toMatchObject({ name: 'default', recordingGroup: { allSupported: client === us, recordingStrategy: { useOnly: client === us ? 'ALL_SUPPORTED_RESOURCE_TYPES' : 'INCLUSION_BY_RESOURCE_TYPES' } } });
      const status = await client.send(new DescribeConfigurationRecorderStatusCommand({}));
      expect(status.ConfigurationRecordersStatus?.[0]).toMatchObject({ name: 'default', recording: true, lastStatus: 'SUCCESS' });
      expect(status.ConfigurationRecordersStatus?.[0]?.lastStatusChangeTime).toBeInstanceOf(Date);
    }
    const empty = await config('ap-south-1').send(new DescribeConfigurationRecordersCommand({}));
    expect(empty.ConfigurationRecorders).toEqual([]);
  });

  it('DescribeDBMajorEngineVersions, DescribeGlobalClusters, DescribeDBInstanceAutomatedBackups, ListKeyRotations', async () => {
    const client = rds('us-east-1');
    const majors = await client.send(new DescribeDBMajorEngineVersionsCommand({ Engine: 'aurora-mysql' }));
    expect(majors.DBMajorEngineVersions?.map((m) => m.MajorEngineVersion)).toEqual(['5.7', '8.0']);
    const std = majors.DBMajorEngineVersions![0]!.SupportedEngineLifecycles!.find((l) => l.LifecycleSupportName === 'open-source-rds-standard-support');
    expect(std?.LifecycleSupportEndDate).toEqual(new Date('2024-10-31T00:00:00Z'));
    await expect(client.send(new DescribeDBMajorEngineVersionsCommand({ MajorEngineVersion: '8.0' }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    const globals = await client.send(new DescribeGlobalClustersCommand({}));
    expect(globals.GlobalClusters?.map((g) => [g.GlobalClusterIdentifier, g.GlobalClusterMembers?.map((m) => [m.DBClusterArn, m.IsWriter])])).toEqual([
      ['orders-global', [['arn:aws:rds:us-east-1:111122223333:cluster:orders-prod', true], ['arn:aws:rds:ap-southeast-2:111122223333:cluster:orders-apac', false]]],
    ]);
    expect(globals.GlobalClusters?.[0]?.GlobalClusterMembers?.[0]?.Readers).toEqual(['arn:aws:rds:ap-southeast-2:111122223333:cluster:orders-apac']);
    const backups = await client.send(new DescribeDBInstanceAutomatedBackupsCommand({}));
    expect(backups.DBInstanceAutomatedBackups).toEqual([]);
    const eu = new KMSClient(clientConfig(sb, 'eu-central-1'));
    const key = await eu.send(new DescribeKeyCommand({ KeyId: 'alias/customers-eu-byok' }));
    const rotations = await eu.send(new ListKeyRotationsCommand({ KeyId: key.KeyMetadata!.Arn! }));
    expect(rotations).toMatchObject({ Rotations: [], Truncated: false });
  });

  it('STS: GetCallerIdentity names the fixture caller', async () => {
    const id = await new STSClient(clientConfig(sb, 'us-east-1')).send(new GetCallerIdentityCommand({}));
    expect(id).toMatchObject({ Account: '111122223333', Arn: 'arn:aws:sts::111122223333:assumed-role/trustpack-audit/nightly' });
    expect(id.UserId).toMatch(/^AROA[A-Z2-7]+:nightly$/);
  });

  it('counts calls by operation', () => {
    const s = sb.stats();
    expect(s.calls).toBeGreaterThan(20);
    expect(s.byOperation['rds:DescribeDBClusters']).toBeGreaterThan(0);
    expect(s.byOperation['kms:DescribeKey']).toBeGreaterThan(0);
    expect(s.faultsInjected).toBe(0);
  });
});

describe('sandbox: pagination', () => {
  let sb: Sandbox;
  const fixture = generateAccount({ regions: ['us-east-1'], clustersPerRegion: 45, seed: 3, now: NOW });
  beforeAll(async () => {
    sb = await startSandbox({ fixture });
  });
  afterAll(async () => sb.close());

  it('every RDS listing returns each item exactly once across pages', async () => {
    const client = new RDSClient(clientConfig(sb, 'us-east-1'));
    const region = fixture.accounts[0]!.regions['us-east-1']!;
    const clusterPages = await all(paginateDescribeDBClusters({ client, pageSize: 20 }, {}));
    expect(clusterPages.length).toBe(3);
    expect(clusterPages.flatMap((p) => p.DBClusters ?? []).map((c) => c.DBClusterIdentifier)).toEqual(region.clusters.map((c) => c.DBClusterIdentifier));
    const instances = (await all(paginateDescribeDBInstances({ client, pageSize: 20 }, {}))).flatMap((p) => p.DBInstances ?? []);
    expect(instances.map((i) => i.DBInstanceIdentifier)).toEqual(region.instances.map((i) => i.DBInstanceIdentifier));
    expect(new Set(instances.map((i) => i.DBInstanceIdentifier)).size).toBe(90);
    const snaps = (await all(paginateDescribeDBClusterSnapshots({ client, pageSize: 20 }, {}))).flatMap((p) => p.DBClusterSnapshots ?? []);
    expect(snaps.map((s) => s.DBClusterSnapshotIdentifier)).toEqual(region.snapshots.map((s) => s.DBClusterSnapshotIdentifier));
    const params = (await all(paginateDescribeDBClusterParameters({ client, pageSize: 20 }, { DBClusterParameterGroupName: 'db-0001-params' }))).flatMap((p) => p.Parameters ?? []);
    expect(params.length).toBe(region.parameterGroups.find((g) => g.group.DBClusterParameterGroupName === 'db-0001-params')!.parameters.length);
  });

  it('Config evaluation details page with Limit + NextToken', async () => {
    const client = new ConfigServiceClient(clientConfig(sb, 'us-east-1'));
    const pages = await all(paginateGetComplianceDetailsByConfigRule({ client, pageSize: 7 }, { ConfigRuleName: 'rds-storage-encrypted' }));
    expect(pages.length).toBe(7);
    const ids = pages.flatMap((p) => p.EvaluationResults ?? []).map((e) => e.EvaluationResultIdentifier?.EvaluationResultQualifier?.ResourceId);
    expect(ids).toHaveLength(45);
    expect(new Set(ids).size).toBe(45);
  });

  it('refuses a marker from another listing', async () => {
    const client = new RDSClient(clientConfig(sb, 'us-east-1'));
    const first = await client.send(new DescribeDBClustersCommand({ MaxRecords: 20 }));
    await expect(client.send(new DescribeDBInstancesCommand({ MaxRecords: 20, Marker: first.Marker }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});

describe('sandbox: faults', () => {
  let sb: Sandbox;
  const fixture = generateAccount({ regions: ['us-east-1', 'eu-central-1'], clustersPerRegion: 30, seed: 5, now: NOW });
  beforeAll(async () => {
    sb = await startSandbox({ fixture });
  });
  afterAll(async () => sb.close());

  it('throttling at rate 0.5 is absorbed by the SDK retries', async () => {
    sb.setFaults({ seed: 11, rules: [{ service: 'rds', kind: 'throttle', rate: 0.5 }] });
    const client = new RDSClient(clientConfig(sb, 'us-east-1', { maxAttempts: 12 }));
    const before = sb.stats().faultsInjected;
    const clusters = (await all(paginateDescribeDBClusters({ client, pageSize: 20 }, {}))).flatMap((p) => p.DBClusters ?? []);
    const snaps = (await all(paginateDescribeDBClusterSnapshots({ client, pageSize: 20 }, {}))).flatMap((p) => p.DBClusterSnapshots ?? []);
    expect(clusters).toHaveLength(30);
    expect(new Set(snaps.map((s) => s.DBClusterSnapshotIdentifier)).size).toBe(fixture.accounts[0]!.regions['us-east-1']!.snapshots.length);
    expect(sb.stats().faultsInjected).toBeGreaterThan(before);
    sb.setFaults(undefined);
  });

  it('JSON-protocol throttling (ThrottlingException) is retried too', async () => {
    sb.setFaults({ rules: [{ service: 'kms', kind: 'throttle', times: 2 }] });
    const client = new KMSClient(clientConfig(sb, 'us-east-1', { maxAttempts: 5 }));
    const res = await client.send(new DescribeKeyCommand({ KeyId: 'alias/data' }));
    expect(res.KeyMetadata?.KeyManager).toBe('CUSTOMER');
    expect(res.$metadata.attempts).toBe(3);
    sb.setFaults(undefined);
  });

  it('S3 is throttled (503 SlowDown) and denied like the other services, and the SDK rides out the throttle', async () => {
    const { S3Client, ListBucketsCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ ...clientConfig(sb, 'us-east-1', { maxAttempts: 5 }), forcePathStyle: true });
    sb.setFaults({ rules: [{ service: 's3', kind: 'throttle', times: 2 }] });
    const res = await client.send(new ListBucketsCommand({}));
    expect(res.$metadata.attempts).toBe(3);
    sb.setFaults({ rules: [{ service: 's3', operation: 'ListBuckets', kind: 'access-denied' }] });
    await expect(client.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    sb.setFaults(undefined);
  });

  it('access denied in one region gives the SDK AccessDenied there, data elsewhere', async () => {
    sb.setFaults({ rules: [{ region: 'eu-central-1', kind: 'access-denied' }] });
    const eu = new RDSClient(clientConfig(sb, 'eu-central-1', { maxAttempts: 3 }));
    const err = await eu.send(new DescribeDBClustersCommand({})).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect((err as Error).message).toContain('rds:DescribeDBClusters');
    const kmsErr = await new KMSClient(clientConfig(sb, 'eu-central-1')).send(new ListKeysCommand({})).catch((e: unknown) => e);
    expect(kmsErr).toMatchObject({ name: 'AccessDeniedException' });
    const us = await new RDSClient(clientConfig(sb, 'us-east-1')).send(new DescribeDBClustersCommand({}));
    expect(us.DBClusters?.length).toBe(30);
    sb.setFaults(undefined);
  });

  it('server errors are 500 InternalFailure and retried', async () => {
    sb.setFaults({ rules: [{ service: 'config', kind: 'server-error', times: 1 }] });
    const client = new ConfigServiceClient(clientConfig(sb, 'us-east-1', { maxAttempts: 3 }));
    const res = await client.send(new DescribeConfigRulesCommand({}));
    expect(res.ConfigRules).toHaveLength(2);
    expect(res.$metadata.attempts).toBe(2);
    sb.setFaults({ rules: [{ service: 'config', kind: 'server-error' }] });
    await expect(new ConfigServiceClient(clientConfig(sb, 'us-east-1')).send(new DescribeConfigRulesCommand({})))
      .rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    sb.setFaults(undefined);
  });

  it('a timeout holds the request until the client gives up, and does not keep the server from closing', async () => {
    const own = await startSandbox({ fixture, faults: { rules: [{ kind: 'timeout', operation: 'DescribeDBClusters' }] } });
    const client = new RDSClient(clientConfig(own, 'us-east-1', { requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } }));
    await expect(client.send(new DescribeDBClustersCommand({}))).rejects.toMatchObject({ name: 'TimeoutError' });
    // a second held request, still open when the server closes
    const abort = new AbortController();
    const pending = new RDSClient(clientConfig(own, 'us-east-1')).send(new DescribeDBClustersCommand({}), { abortSignal: abort.signal }).catch((e: unknown) => e);
    while (own.stats().calls < 2) await new Promise((r) => setTimeout(r, 10));
    await own.close();
    const outcome = await pending;
    expect(outcome).toBeInstanceOf(Error);
    expect(own.stats().faultsInjected).toBe(2);
  });

  it('truncated and malformed answers fail to parse', async () => {
    for (const kind of ['truncate', 'malformed'] as const) {
      sb.setFaults({ rules: [{ kind }] });
      await expect(new RDSClient(clientConfig(sb, 'us-east-1')).send(new DescribeDBClustersCommand({}))).rejects.toBeInstanceOf(Error);
      await expect(new KMSClient(clientConfig(sb, 'us-east-1')).send(new ListKeysCommand({}))).rejects.toBeInstanceOf(Error);
    }
    sb.setFaults(undefined);
  });

  it('rules match by account and stop after `times`', async () => {
    sb.setFaults({ rules: [{ account: '999999999999', kind: 'access-denied' }, { service: 'sts', kind: 'access-denied', times: 1 }] });
    const sts = new STSClient(clientConfig(sb, 'us-east-1'));
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('123456789012');
    sb.setFaults(undefined);
  });

  it('latency delays answers without blocking other requests', async () => {
    sb.setLatency(50);
    const client = new KMSClient(clientConfig(sb, 'us-east-1'));
    const answers = await Promise.all(Array.from({ length: 10 }, () => client.send(new ListKeysCommand({}))));
    expect(answers.every((a) => a.Keys?.length === 1)).toBe(true);
    sb.setLatency(0);
  });
});

describe('sandbox: AssumeRole switches account', () => {
  let sb: Sandbox;
  const file = 'test/fixtures/sandbox/two-accounts.yaml';
  beforeAll(async () => {
    sb = await startSandbox({ fixture: parseFixture(readFileSync(file, 'utf8'), file, NOW), now: NOW });
  });
  afterAll(async () => sb.close());

  it('temporary credentials are served the role account data; unknown accounts are denied', async () => {
    const sts = new STSClient(clientConfig(sb, 'us-east-1'));
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('111111111111');
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/trustpack-audit', RoleSessionName: 'nightly' }));
    const creds = assumed.Credentials!;
    expect(creds.AccessKeyId).toMatch(/^ASIA222222222222/);
    expect(creds.Expiration).toEqual(new Date(NOW.getTime() + 3600_000));
    const as2 = { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! };
    const who = await new STSClient(clientConfig(sb, 'us-east-1', { credentials: as2 })).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: '222222222222', Arn: 'arn:aws:sts::222222222222:assumed-role/trustpack-audit/nightly' });
    const other = await new RDSClient(clientConfig(sb, 'us-west-2', { credentials: as2 })).send(new DescribeDBClustersCommand({}));
    expect(other.DBClusters?.map((c) => c.DBClusterIdentifier)).toEqual(['other-db']);
    expect(other.DBClusters?.[0]?.DBClusterArn).toBe('arn:aws:rds:us-west-2:222222222222:cluster:other-db');
    expect(other.DBClusters?.[0]?.ClusterCreateTime).toEqual(new Date(NOW.getTime() - 3 * DAY));
    const hsm = new KMSClient(clientConfig(sb, 'us-west-2', { credentials: as2 }));
    await expect(hsm.send(new GetKeyRotationStatusCommand({ KeyId: other.DBClusters![0]!.KmsKeyId }))).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    const mine = await new RDSClient(clientConfig(sb, 'us-west-2')).send(new DescribeDBClustersCommand({}));
    expect(mine.DBClusters).toEqual([]);
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::333333333333:role/x', RoleSessionName: 's' })))
      .rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });
});
