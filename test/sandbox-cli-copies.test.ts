// The sandbox's new services through the AWS CLI (Debian's awscli v2, /usr/bin/aws): botocore, a
// client nobody here wrote, reads every call the issue-23 collectors make (RDS DB snapshots,
// AWS Backup REST-JSON, ELBv2 query XML, CloudFront REST-XML), paginated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws } from './helpers/aws-cli.js';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { NOW } from './collect-helpers.js';

const FIXTURE = new URL('./fixtures/never-seen-copies.yaml', import.meta.url).pathname;

// awscli v2 prints timestamps as ISO 8601, v1 as epoch seconds
const when = (t: string | number): number => (typeof t === 'number' ? t * 1000 : Date.parse(t));

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
    expect(when(points.RecoveryPoints[1].CalculatedLifecycle.DeleteAt) - when(points.RecoveryPoints[1].CreationDate)).toBe(90 * 86_400_000);
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

  // Why `--page-size 2` reads one page of load balancers: ELBv2's own limit key is named PageSize, so
  // the CLI takes its global --page-size for the API's raw parameter and turns auto-pagination off
  // (awscli/customizations/paginate.py check_should_enable_pagination; aws/aws-cli#10442). The
  // sandbox's answer is right: botocore parses NextMarker from the Result element, and handing it
  // back as --marker reads the next page. RDS is unaffected (its limit key is MaxRecords).
  it('elbv2 pages: NextMarker sits in the Result and botocore reads it (the --page-size cut is the CLI)', async () => {
    const first = await aws(sb, 'eu-central-1', 'elbv2', 'describe-load-balancers', '--page-size', '2');
    expect(first.LoadBalancers.map((l: any) => l.LoadBalancerName)).toEqual(['web', 'legacy']);
    expect(typeof first.NextMarker).toBe('string');
    const second = await aws(sb, 'eu-central-1', 'elbv2', 'describe-load-balancers', '--page-size', '2', '--marker', first.NextMarker);
    expect(second.LoadBalancers.map((l: any) => l.LoadBalancerName)).toEqual(['mixed', 'mqtt']);
    const last = await aws(sb, 'eu-central-1', 'elbv2', 'describe-load-balancers', '--page-size', '2', '--marker', second.NextMarker);
    expect(last.LoadBalancers.map((l: any) => l.LoadBalancerName)).toEqual(['internal-api']);
    expect(last.NextMarker).toBeUndefined();
    // the raw XML: NextMarker is a child of DescribeLoadBalancersResult, in the 2015-12-01 namespace
    const body = new URLSearchParams({ Action: 'DescribeLoadBalancers', Version: '2015-12-01', PageSize: '2' });
    const xml = await (await fetch(sb.url, { method: 'POST', body, headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIASANDBOXCLI000000/20261207/eu-central-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0',
    } })).text();
    expect(xml).toMatch(/<DescribeLoadBalancersResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/"><DescribeLoadBalancersResult><LoadBalancers><member>.*<\/LoadBalancers><NextMarker>[^<]+<\/NextMarker><\/DescribeLoadBalancersResult>/s);
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
