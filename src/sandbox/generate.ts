// Synthetic accounts for benchmarks: many clusters, each with the resources a real one has.
import { fixtureFromObject } from './fixture.js';
import { seededRandom } from './faults.js';
import type { Fixture } from './model.js';

export interface GenerateOptions {
  /** a number of regions (taken from a fixed list) or the region names */
  regions: number | string[];
  clustersPerRegion: number;
  seed?: number;
  accountId?: string;
  now?: Date;
  /**
   * also the evidence read where it lives (issues 22 and 23), per account: a multi-region trail
   * in the first region writing to a bucket locked in COMPLIANCE mode, two data buckets (one
   * replicating to the other), a CloudFront distribution; per region: a GuardDuty detector, an
   * RDS instance with its snapshots, an AWS Backup vault with recovery points and a plan, an ALB
   * with an HTTP redirect and an HTTPS listener
   */
  evidenceSources?: boolean;
}

const REGIONS = ['us-east-1', 'us-west-2', 'eu-central-1', 'eu-west-1', 'ap-southeast-2', 'ap-northeast-1', 'ca-central-1',
  'eu-north-1', 'us-east-2', 'us-west-1', 'eu-west-2', 'eu-west-3', 'ap-south-1', 'ap-southeast-1', 'sa-east-1', 'ap-northeast-2'];

/**
 * Per region: one customer key, and per cluster two instances in different AZs, a parameter
 * group, two automated and one or two manual snapshots, an active automated backup; a Config
 * recorder and two rules evaluating every cluster. Same options, same account.
 */
export function generateAccount(opts: GenerateOptions): Fixture {
  const regions = typeof opts.regions === 'number' ? REGIONS.slice(0, opts.regions) : opts.regions;
  if (typeof opts.regions === 'number' && opts.regions > REGIONS.length) throw new Error(`generateAccount: at most ${REGIONS.length} regions by number; name them to have more`);
  const random = seededRandom(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const account = opts.accountId ?? '123456789012';
  const regionObjects: Record<string, unknown> = {};
  for (const region of regions) {
    const clusters: unknown[] = [];
    const groups: unknown[] = [];
    const snapshots: unknown[] = [];
    const evaluations: unknown[] = [];
    for (let i = 0; i < opts.clustersPerRegion; i++) {
      const id = `db-${String(i + 1).padStart(4, '0')}`;
      const engine = pick(['aurora-postgresql', 'aurora-mysql'] as const);
      const pg = `${id}-params`;
      const tls = random() < 0.9;
      groups.push({ name: pg, engine, parameters: engine === 'aurora-postgresql'
        ? { 'rds.force_ssl': tls ? 1 : 0, log_min_duration_statement: 1000 }
        : { require_secure_transport: tls ? 'ON' : 'OFF', server_audit_logging: 1 } });
      clusters.push({
        id, engine, key: 'data', parameter_group: pg, backup_retention: pick([7, 14, 35]),
        deletion_protection: random() < 0.95, log_exports: engine === 'aurora-postgresql' ? ['postgresql'] : ['audit', 'error'],
        members: [{ az: 'a', writer: true }, { az: pick(['b', 'c']) }],
        tags: { team: pick(['payments', 'growth', 'platform']), env: 'prod' },
      });
      snapshots.push({ cluster: id, type: 'automated', created: '1 day ago' }, { cluster: id, type: 'automated', created: '2 days ago' });
      snapshots.push({ id: `${id}-manual-1`, cluster: id, created: `${1 + Math.floor(random() * 40)} days ago`, ...(random() < 0.1 ? { shared_with: ['444455556666'] } : {}) });
      if (random() < 0.5) snapshots.push({ id: `${id}-manual-2`, cluster: id, created: `${1 + Math.floor(random() * 10)} days ago` });
      evaluations.push({ resource_type: 'AWS::RDS::DBCluster', resource_id: id, compliance: 'COMPLIANT' });
    }
    const more: Record<string, unknown> = {};
    if (opts.evidenceSources) {
      const first = region === regions[0];
      Object.assign(more, {
        guardduty: {},
        ...(first ? { trails: [{ name: 'org-trail', bucket: `trail-logs-${account}`, log_group: '/aws/cloudtrail/org-trail' }] } : {}),
        ...(first ? { log_groups: [{ name: '/aws/cloudtrail/org-trail' }] } : {}),
        instances: [{ id: 'billing', engine: 'postgres', key: 'data' }],
        instance_snapshots: [
          { instance: 'billing', type: 'automated', created: '1 day ago' },
          { id: 'billing-manual', instance: 'billing', created: `${1 + Math.floor(random() * 10)} days ago` },
        ],
        backup: {
          vaults: [{ name: 'Default', key: 'data', lock: { min_days: 1, max_days: 14, locked_on: '300 days ago' }, recovery_points: [
            { resource: `arn:aws:rds:${region}:${account}:db:billing`, created: '1 day ago', delete_after_days: 14, key: 'data' },
            { resource: `arn:aws:rds:${region}:${account}:db:billing`, created: '2 days ago', delete_after_days: 14, key: 'data' },
          ] }],
          plans: [{ name: 'daily', rules: [{ name: 'daily', vault: 'Default', delete_after_days: 14 }] }],
        },
        load_balancers: [{ name: 'web', listeners: [
          { port: 80, protocol: 'HTTP', default: 'redirect' },
          { port: 443, protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' },
        ] }],
      });
    }
    regionObjects[region] = {
      ...more,
      keys: [{ alias: 'data', rotation: random() < 0.9 }],
      parameter_groups: groups,
      clusters,
      snapshots,
      config: {
        recorders: [{ name: 'default' }],
        rules: [
          { name: 'rds-storage-encrypted', source_identifier: 'RDS_STORAGE_ENCRYPTED', evaluations },
          { name: 'cloudtrail-log-file-validation-enabled', source_identifier: 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED',
            evaluations: [{ resource_type: 'AWS::CloudTrail::Trail', resource_id: `trail-${region}`, compliance: 'COMPLIANT' }] },
        ],
      },
    };
  }
  const global: Record<string, unknown> = {};
  if (opts.evidenceSources) {
    const home = regions[0] ?? 'us-east-1';
    Object.assign(global, {
      buckets: [
        { name: `trail-logs-${account}`, region: home, object_lock: { mode: 'COMPLIANCE', days: 400 }, public_access_block: true },
        { name: `uploads-${account}`, region: home, versioning: 'Enabled', encryption: { algorithm: 'aws:kms', key: `arn:aws:kms:${home}:${account}:alias/data` },
          replication: { rules: [{ ID: 'dr', Priority: 1, Status: 'Enabled', Filter: { Prefix: '' }, DeleteMarkerReplication: { Status: 'Disabled' },
            Destination: { Bucket: `arn:aws:s3:::uploads-dr-${account}` } }] } },
        { name: `uploads-dr-${account}`, region: regions[1] ?? home, versioning: 'Enabled', encryption: { algorithm: 'AES256' } },
      ],
      cloudfront: [{ id: `E${account}`, aliases: [`www.${account}.example.com`], minimum_protocol_version: 'TLSv1.2_2021', viewer_protocol_policy: 'redirect-to-https',
        origins: [{ domain: `web.${account}.example.com`, origin_protocol_policy: 'https-only', ssl_protocols: ['TLSv1.2'] }] }],
    });
  }
  return fixtureFromObject({ accounts: [{ id: account, ...global, regions: regionObjects }] }, opts.now ?? new Date(), '(generated account)');
}
