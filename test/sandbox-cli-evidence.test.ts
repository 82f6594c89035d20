// The calls issue 22 added to the sandbox, read by the AWS CLI (Debian's awscli v2, botocore): a
// client nobody here wrote must read the same wire answers the SDK reads (CloudTrail JSON 1.1,
// S3 REST-XML with its not-configured errors and region redirects, KMS JSON 1.1 paging).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws, awsError } from './helpers/aws-cli.js';
import { readFileSync } from 'node:fs';
import { parseFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { NOW } from './sandbox-helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ fixture: parseFixture(readFileSync('examples/sample/account.yaml', 'utf8'), 'account.yaml', NOW), now: NOW });
});
afterAll(async () => sb?.close());

describe('the AWS CLI reads the evidence sources of issue 22', () => {
  it('cloudtrail describe-trails, get-trail-status and get-event-selectors (by ARN, from another region)', async () => {
    // us-east-1's own trail, then eu-data-trail's shadow (multi-region, homed in eu-central-1)
    const trails = await aws(sb, 'us-east-1', 'cloudtrail', 'describe-trails');
    expect(trails.trailList).toEqual([
      expect.objectContaining({ Name: 'org-trail', IsMultiRegionTrail: true, HomeRegion: 'us-east-1', S3BucketName: 'example-cloudtrail-logs', LogFileValidationEnabled: true }),
      expect.objectContaining({ Name: 'eu-data-trail', IsMultiRegionTrail: true, HomeRegion: 'eu-central-1', S3BucketName: 'example-eu-logs', LogFileValidationEnabled: false }),
    ]);
    // each multi-region trail's shadow in the other region, and only with shadow trails asked for
    expect((await aws(sb, 'eu-central-1', 'cloudtrail', 'describe-trails')).trailList.map((t: any) => t.HomeRegion).sort()).toEqual(['eu-central-1', 'us-east-1']);
    expect((await aws(sb, 'us-east-1', 'cloudtrail', 'describe-trails', '--no-include-shadow-trails')).trailList.map((t: any) => t.Name)).toEqual(['org-trail']);
    expect((await aws(sb, 'eu-central-1', 'cloudtrail', 'describe-trails', '--no-include-shadow-trails')).trailList.map((t: any) => t.Name)).toEqual(['eu-data-trail']);
    const arn = trails.trailList[0].TrailARN as string;
    const status = await aws(sb, 'us-east-1', 'cloudtrail', 'get-trail-status', '--name', arn);
    expect(status.IsLogging).toBe(true);
    expect(typeof status.LatestDeliveryTime).toBe('string');
    const selectors = await aws(sb, 'us-east-1', 'cloudtrail', 'get-event-selectors', '--trail-name', arn);
    expect(selectors).toMatchObject({ TrailARN: arn, EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
    expect(await awsError(sb, 'eu-central-1', 'cloudtrail', 'get-trail-status', '--name', 'org-trail')).toContain('TrailNotFoundException');
  });

  it('s3api list-buckets and the six bucket reads, not-configured answers and the region redirect', async () => {
    const list = await aws(sb, 'us-east-1', 's3api', 'list-buckets');
    expect(list.Buckets.map((b: any) => b.Name)).toEqual(['example-cloudtrail-logs', 'example-eu-logs']);
    const b = ['--bucket', 'example-cloudtrail-logs'];
    expect(await aws(sb, 'us-east-1', 's3api', 'get-object-lock-configuration', ...b)).toEqual({
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } },
    });
    expect(await aws(sb, 'us-east-1', 's3api', 'get-bucket-versioning', ...b)).toEqual({ Status: 'Enabled', MFADelete: 'Disabled' });
    expect((await aws(sb, 'us-east-1', 's3api', 'get-bucket-encryption', ...b)).ServerSideEncryptionConfiguration.Rules[0])
      .toMatchObject({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true });
    expect((await aws(sb, 'us-east-1', 's3api', 'get-bucket-lifecycle-configuration', ...b)).Rules)
      .toEqual([expect.objectContaining({ ID: 'expire-after-400-days', Status: 'Enabled', Expiration: { Days: 400 }, NoncurrentVersionExpiration: { NoncurrentDays: 400 } })]);
    expect((await aws(sb, 'us-east-1', 's3api', 'get-public-access-block', ...b)).PublicAccessBlockConfiguration)
      .toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(await awsError(sb, 'us-east-1', 's3api', 'get-bucket-replication', ...b)).toContain('ReplicationConfigurationNotFoundError');
    // asked in the wrong region, the sandbox answers 301 with x-amz-bucket-region as S3 does, and
    // botocore's redirector follows it to the bucket's region
    const before = sb.callLog().length;
    expect(await aws(sb, 'eu-central-1', 's3api', 'get-bucket-versioning', ...b)).toEqual({ Status: 'Enabled', MFADelete: 'Disabled' });
    expect(sb.callLog().slice(before).filter((c) => c.call === 's3:GetBucketVersioning').map((c) => c.region)).toEqual(['eu-central-1', 'us-east-1']);
  });

  it('guardduty list-detectors, get-detector, list-findings with criteria, get-findings', async () => {
    const { DetectorIds } = await aws(sb, 'eu-central-1', 'guardduty', 'list-detectors');
    expect(DetectorIds).toHaveLength(1);
    const d = await aws(sb, 'eu-central-1', 'guardduty', 'get-detector', '--detector-id', DetectorIds[0]);
    expect(d.Status).toBe('ENABLED');
    // Debian's awscli 2.9 predates GetDetector's features (2023): it shows the members its model knows
    expect(d).toMatchObject({ FindingPublishingFrequency: 'SIX_HOURS', ServiceRole: expect.stringContaining('AWSServiceRoleForAmazonGuardDuty') });
    const criteria = JSON.stringify({ Criterion: { severity: { Gte: 7 }, 'service.archived': { Eq: ['false'] } } });
    expect((await aws(sb, 'eu-central-1', 'guardduty', 'list-findings', '--detector-id', DetectorIds[0], '--finding-criteria', criteria)).FindingIds).toEqual([]);
    expect(await awsError(sb, 'eu-central-1', 'guardduty', 'get-findings', '--detector-id', 'not-mine', '--finding-ids', 'x')).toContain('BadRequestException');
    expect((await aws(sb, 'ap-south-1', 'guardduty', 'list-detectors')).DetectorIds).toEqual([]);
  });

  it('logs describe-log-groups (prefix, paged) with the retention RDS-exported groups and D20 have', async () => {
    const out = await aws(sb, 'eu-central-1', 'logs', 'describe-log-groups', '--log-group-name-prefix', '/aws/rds/cluster/', '--page-size', '1');
    expect(out.logGroups.map((g: any) => [g.logGroupName, g.retentionInDays ?? null])).toEqual([
      ['/aws/rds/cluster/analytics-eu/audit', 30], ['/aws/rds/cluster/customers-eu/postgresql', null],
    ]);
  });

  it('kms list-keys (paged), get-key-policy and list-grants', async () => {
    const keys = await aws(sb, 'eu-central-1', 'kms', 'list-keys', '--page-size', '1');
    expect(keys.Keys.length).toBe(2);
    const byok = await aws(sb, 'eu-central-1', 'kms', 'describe-key', '--key-id', 'alias/customers-eu-byok');
    const policy = await aws(sb, 'eu-central-1', 'kms', 'get-key-policy', '--key-id', byok.KeyMetadata.KeyId, '--policy-name', 'default');
    expect(JSON.parse(policy.Policy).Statement.map((s: any) => s.Sid)).toEqual(['CustomerAdministers', 'DatabaseUse']);
    expect(await aws(sb, 'eu-central-1', 'kms', 'list-grants', '--key-id', byok.KeyMetadata.KeyId)).toMatchObject({ Grants: [] });
  });
});
