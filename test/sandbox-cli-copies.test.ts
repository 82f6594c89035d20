// The sandbox's new services through the AWS CLI (Debian's awscli v2, /usr/bin/aws): botocore, a
// client nobody here wrote, reads every call the issue-23 collectors make (RDS DB snapshots,
// AWS Backup REST-JSON, ELBv2 query XML, CloudFront REST-XML), paginated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws } from './helpers/aws-cli.js';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { NOW } from './collect-helpers.js';

const FIXTURE = new URL('./fixtures/never-seen-copies.yaml', import.meta.url).pathname;

let sb: Sandbox;
beforeAll(async () => { sb = await startSandbox({ fixture: loadFixture(FIXTURE, NOW), now: NOW }); });
afterAll(async () => sb?.close());

describe('the AWS CLI reads the issue-23 calls', () => {
  it('rds describe-db-snapshots (no type, awsbackup) and describe-db-snapshot-attributes', async () => {
    const plain = await aws(sb, 'eu-central-1', 'rds', 'describe-db-snapshots', '--page-size', '20');
    expect(plain.DBSnapshots.map((s: any) => s.SnapshotType).sort()).toEqual(['automated', 'manual', 'manual', 'manual']);
    const backup = await aws(sb, 'eu-central-1', 'rds', 'describe-db-snapshots', '--snapshot-type', 'awsbackup');
    expect(backup.DBSnapshots).toHaveLength(1);
    expect(backup.DBSnapshots[0]).toMatchObject({ SnapshotType: 'awsbackup', Encrypted: true, DBInstanceIdentifier: 'billing-db' });
    const attrs = await aws(sb, 'eu-central-1', 'rds', 'describe-db-snapshot-attributes', '--db-snapshot-identifier', 'billing-db-public');
    expect(attrs.DBSnapshotAttributesResult).toEqual({ DBSnapshotIdentifier: 'billing-db-public', DBSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: ['all'] }] });
  });

  it('backup list-backup-vaults, describe-backup-vault, list-recovery-points-by-backup-vault (paged), list-backup-plans, get-backup-plan', async () => {
    const vaults = await aws(sb, 'eu-central-1', 'backup', 'list-backup-vaults');
    expect(vaults.BackupVaultList.map((v: any) => v.BackupVaultName)).toEqual(['Default']);
    const vault = await aws(sb, 'eu-central-1', 'backup', 'describe-backup-vault', '--backup-vault-name', 'Default');
    expect(vault).toMatchObject({ Locked: true, MinRetentionDays: 7, MaxRetentionDays: 14 });
    // one item a page: the CLI follows NextToken through all three
    const points = await aws(sb, 'eu-central-1', 'backup', 'list-recovery-points-by-backup-vault', '--backup-vault-name', 'Default', '--page-size', '1');
    expect(points.RecoveryPoints.map((p: any) => p.Lifecycle?.DeleteAfterDays ?? null)).toEqual([14, 90, null]);
    expect(new Date(points.RecoveryPoints[1].CalculatedLifecycle.DeleteAt).getTime() - new Date(points.RecoveryPoints[1].CreationDate).getTime()).toBe(90 * 86_400_000);
    const plans = await aws(sb, 'eu-central-1', 'backup', 'list-backup-plans');
    const withCopies = plans.BackupPlansList.find((p: any) => p.BackupPlanName === 'daily-with-copies');
    const plan = await aws(sb, 'eu-central-1', 'backup', 'get-backup-plan', '--backup-plan-id', withCopies.BackupPlanId);
    expect(plan.BackupPlan.Rules[0].CopyActions.map((a: any) => a.DestinationBackupVaultArn)).toEqual([
      'arn:aws:backup:ap-southeast-1:210987654321:backup-vault:dr', 'arn:aws:backup:eu-central-1:777766665555:backup-vault:partner',
    ]);
  });

  it('elbv2 describe-load-balancers, describe-listeners, describe-rules, describe-ssl-policies', async () => {
    const lbs = await aws(sb, 'eu-central-1', 'elbv2', 'describe-load-balancers');
    expect(lbs.LoadBalancers.map((l: any) => [l.LoadBalancerName, l.Scheme, l.Type])).toEqual([
      ['web', 'internet-facing', 'application'], ['legacy', 'internet-facing', 'application'], ['mixed', 'internet-facing', 'application'],
      ['mqtt', 'internet-facing', 'network'], ['internal-api', 'internal', 'application'],
    ]);
    const legacy = lbs.LoadBalancers[1];
    const listeners = await aws(sb, 'eu-central-1', 'elbv2', 'describe-listeners', '--load-balancer-arn', legacy.LoadBalancerArn);
    expect(listeners.Listeners.map((l: any) => [l.Protocol, l.Port, l.SslPolicy ?? null, l.DefaultActions[0].Type])).toEqual([
      ['HTTP', 80, null, 'forward'], ['HTTPS', 443, 'ELBSecurityPolicy-TLS-1-0-2015-04', 'forward'],
    ]);
    const mixed = await aws(sb, 'eu-central-1', 'elbv2', 'describe-listeners', '--load-balancer-arn', lbs.LoadBalancers[2].LoadBalancerArn);
    const rules = await aws(sb, 'eu-central-1', 'elbv2', 'describe-rules', '--listener-arn', mixed.Listeners[0].ListenerArn);
    expect(rules.Rules.map((r: any) => [r.Priority, r.Actions[0].Type, r.Actions[0].RedirectConfig?.Protocol ?? null])).toEqual([['5', 'forward', null], ['default', 'redirect', 'HTTPS']]);
    const policies = await aws(sb, 'eu-central-1', 'elbv2', 'describe-ssl-policies', '--names', 'ELBSecurityPolicy-TLS-1-0-2015-04');
    expect(policies.SslPolicies[0].SslProtocols).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2']);
  });

  it('cloudfront list-distributions (paged)', async () => {
    const out = await aws(sb, 'us-east-1', 'cloudfront', 'list-distributions', '--page-size', '1');
    const items = out.DistributionList.Items;
    expect(items.map((d: any) => [d.Id, d.ViewerCertificate.MinimumProtocolVersion, d.DefaultCacheBehavior.ViewerProtocolPolicy])).toEqual([
      ['E1CLEANEXAMPLE', 'TLSv1.2_2021', 'redirect-to-https'], ['E2LEGACYEXAMPLE', 'TLSv1', 'allow-all'],
    ]);
    expect(items[0].CacheBehaviors.Items[0]).toMatchObject({ PathPattern: '/api/*', ViewerProtocolPolicy: 'https-only' });
    expect(items[1].Origins.Items[0].CustomOriginConfig.OriginSslProtocols.Items).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2']);
  });
});
