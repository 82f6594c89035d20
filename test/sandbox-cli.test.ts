// The sandbox through the AWS CLI (Debian's awscli v2 at /usr/bin/aws, installed in CI):
// a second, independent client (botocore) must read the same wire answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws } from './helpers/aws-cli.js';
import { readFileSync } from 'node:fs';
import { generateAccount, parseFixture, startSandbox, type Fixture, type Sandbox } from '../src/sandbox/index.js';
import { NOW } from './sandbox-helpers.js';

describe('sandbox: the AWS CLI reads the sample account', () => {
  let sb: Sandbox;
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = parseFixture(readFileSync('examples/sample/account.yaml', 'utf8'), 'account.yaml', NOW);
    sb = await startSandbox({ fixture });
  });
  afterAll(async () => sb.close());

  it('aws rds describe-db-clusters', async () => {
    const out = (await aws(sb, 'eu-central-1', 'rds', 'describe-db-clusters')) as { DBClusters: Record<string, unknown>[] };
    const region = fixture.accounts[0]!.regions['eu-central-1']!;
    expect(out.DBClusters.map((c) => c['DBClusterIdentifier'])).toEqual(region.clusters.map((c) => c.DBClusterIdentifier));
    const eu = out.DBClusters[0]!;
    expect(eu).toMatchObject({
      Engine: 'aurora-postgresql', StorageEncrypted: true, KmsKeyId: region.clusters[0]!.KmsKeyId, BackupRetentionPeriod: 14, DeletionProtection: true,
      AvailabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'], EnabledCloudwatchLogsExports: ['postgresql'],
      DBClusterMembers: [{ DBInstanceIdentifier: 'customers-eu-instance-1', IsClusterWriter: true }, { DBInstanceIdentifier: 'customers-eu-instance-2', IsClusterWriter: false }],
    });
    expect(eu['TagList']).toContainEqual({ Key: 'city', Value: 'Zürich' });
    expect(new Date(String(eu['ClusterCreateTime'])).getTime()).toBe((region.clusters[0]!['ClusterCreateTime'] as Date).getTime());
  });

  it('aws kms describe-key, aws configservice describe-config-rules, aws sts get-caller-identity', async () => {
    const key = (await aws(sb, 'us-east-1', 'kms', 'describe-key', '--key-id', 'alias/legacy-reporting')) as { KeyMetadata: Record<string, unknown> };
    const fixtureKey = fixture.accounts[0]!.regions['us-east-1']!.keys[1]!.metadata;
    expect(key.KeyMetadata).toMatchObject({ KeyId: fixtureKey.KeyId, Arn: fixtureKey.Arn, KeyManager: 'CUSTOMER', Origin: 'AWS_KMS', KeySpec: 'SYMMETRIC_DEFAULT' });
    expect(new Date(String(key.KeyMetadata['CreationDate'])).getTime()).toBe((fixtureKey['CreationDate'] as Date).getTime());
    const rules = (await aws(sb, 'eu-central-1', 'configservice', 'describe-config-rules')) as { ConfigRules: { ConfigRuleName: string; Source: { SourceIdentifier: string } }[] };
    expect(rules.ConfigRules.map((r) => [r.ConfigRuleName, r.Source.SourceIdentifier])).toEqual([
      ['cloudtrail-log-file-validation-enabled', 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED'], ['rds-storage-encrypted', 'RDS_STORAGE_ENCRYPTED'],
      ['multi-region-cloudtrail-enabled', 'MULTI_REGION_CLOUD_TRAIL_ENABLED'], ['s3-bucket-default-lock-enabled', 'S3_BUCKET_DEFAULT_LOCK_ENABLED'],
      ['cw-loggroup-retention-period-check', 'CW_LOGGROUP_RETENTION_PERIOD_CHECK'], ['guardduty-enabled-centralized', 'GUARDDUTY_ENABLED_CENTRALIZED'],
      ['guardduty-rds-protection-enabled', 'GUARDDUTY_RDS_PROTECTION_ENABLED'],
    ]);
    const details = (await aws(sb, 'eu-central-1', 'configservice', 'get-compliance-details-by-config-rule', '--config-rule-name', 'cloudtrail-log-file-validation-enabled')) as { EvaluationResults: { ComplianceType: string }[] };
    expect(details.EvaluationResults.map((e) => e.ComplianceType)).toEqual(['NON_COMPLIANT']);
    const me = await aws(sb, 'us-east-1', 'sts', 'get-caller-identity');
    expect(me).toMatchObject({ Account: '111122223333', Arn: 'arn:aws:sts::111122223333:assumed-role/trustpack-audit/nightly' });
  });

  it('aws rds describe-db-cluster-snapshot-attributes and describe-db-cluster-parameters', async () => {
    const attrs = (await aws(sb, 'us-east-1', 'rds', 'describe-db-cluster-snapshot-attributes', '--db-cluster-snapshot-identifier', 'orders-prod-dr-copy')) as { DBClusterSnapshotAttributesResult: unknown };
    expect(attrs.DBClusterSnapshotAttributesResult).toEqual({
      DBClusterSnapshotIdentifier: 'orders-prod-dr-copy', DBClusterSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: ['444455556666'] }],
    });
    const params = (await aws(sb, 'us-east-1', 'rds', 'describe-db-cluster-parameters', '--db-cluster-parameter-group-name', 'legacy-mysql57', '--source', 'user')) as { Parameters: { ParameterName: string; ParameterValue: string }[] };
    expect(params.Parameters.find((p) => p.ParameterName === 'require_secure_transport')?.ParameterValue).toBe('OFF');
    // the AWS CLI reads the global database the sandbox serves (XML list items as the model names them)
    const globals = (await aws(sb, 'us-east-1', 'rds', 'describe-global-clusters')) as { GlobalClusters: { GlobalClusterIdentifier: string; GlobalClusterMembers: { DBClusterArn: string; IsWriter: boolean }[] }[] };
    expect(globals.GlobalClusters.map((g) => [g.GlobalClusterIdentifier, g.GlobalClusterMembers.map((m) => m.IsWriter)])).toEqual([['orders-global', [true, false]]]);
  });
});

describe('sandbox: the AWS CLI follows Marker pages', () => {
  let sb: Sandbox;
  const fixture = generateAccount({ regions: ['us-west-2'], clustersPerRegion: 25, seed: 1, now: NOW });
  beforeAll(async () => {
    sb = await startSandbox({ fixture });
  });
  afterAll(async () => sb.close());

  it('aws rds describe-db-cluster-snapshots --page-size 20 returns every snapshot once', async () => {
    const out = (await aws(sb, 'us-west-2', 'rds', 'describe-db-cluster-snapshots', '--page-size', '20')) as { DBClusterSnapshots: { DBClusterSnapshotIdentifier: string }[] };
    const expected = fixture.accounts[0]!.regions['us-west-2']!.snapshots.map((s) => s.DBClusterSnapshotIdentifier);
    expect(expected.length).toBeGreaterThan(60);
    expect(out.DBClusterSnapshots.map((s) => s.DBClusterSnapshotIdentifier)).toEqual(expected);
    expect(sb.stats().byOperation['rds:DescribeDBClusterSnapshots']).toBe(Math.ceil(expected.length / 20));
  });

  it('the CLI retries throttling by itself', async () => {
    sb.setFaults({ seed: 3, rules: [{ service: 'rds', kind: 'throttle', times: 2 }] });
    const out = (await aws(sb, 'us-west-2', 'rds', 'describe-db-clusters')) as { DBClusters: unknown[] };
    expect(out.DBClusters).toHaveLength(25);
    expect(sb.stats().faultsInjected).toBe(2);
    sb.setFaults(undefined);
  });
});
