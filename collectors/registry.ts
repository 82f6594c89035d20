// The catalog of collectors: metadata only, so listing or validating controls never loads the
// AWS SDK. A collector's module (and with it the SDK client it uses) is imported on demand.
import type { Collector, CollectorInfo, CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';

type CollectFn = (ctx: CollectContext) => AsyncIterable<EvidenceRecordDraft>;

interface Entry extends CollectorInfo {
  load: () => Promise<{ collect: CollectFn }>;
}

const RDS_SOURCES = ['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots', 'rds.cluster-automated-backups'];

const ENTRIES: readonly Entry[] = [
  {
    id: 'sts.caller-identity', service: 'sts', operations: ['GetCallerIdentity'],
    resourceType: 'AWS::STS::CallerIdentity', scope: 'global',
    description: 'The identity the collection ran as: account, ARN, user id.',
    load: () => import('./sts-caller-identity.js'),
  },
  {
    id: 'rds.db-clusters', service: 'rds', operations: ['DescribeDBClusters'],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional',
    description: 'Every RDS/Aurora DB cluster as DescribeDBClusters returns it.',
    load: () => import('./rds-db-clusters.js'),
  },
  {
    id: 'rds.db-instances', service: 'rds', operations: ['DescribeDBInstances'],
    resourceType: 'AWS::RDS::DBInstance', scope: 'regional',
    description: 'Every RDS DB instance as DescribeDBInstances returns it.',
    load: () => import('./rds-db-instances.js'),
  },
  {
    id: 'rds.cluster-snapshots', service: 'rds',
    operations: ['DescribeDBClusterSnapshots', 'DescribeDBClusterSnapshotAttributes'],
    resourceType: 'AWS::RDS::DBClusterSnapshot', scope: 'regional',
    description: 'Every DB cluster snapshot; manual ones with their restore (sharing) attributes.',
    load: () => import('./rds-cluster-snapshots.js'),
  },
  {
    id: 'rds.cluster-automated-backups', service: 'rds', operations: ['DescribeDBClusterAutomatedBackups'],
    resourceType: 'AWS::RDS::DBClusterAutomatedBackup', scope: 'regional',
    description: 'Automated backups of DB clusters, active and retained.',
    load: () => import('./rds-cluster-automated-backups.js'),
  },
  {
    id: 'rds.cluster-parameters', service: 'rds', operations: ['DescribeDBClusterParameters'],
    resourceType: 'AWS::RDS::DBClusterParameterGroup', scope: 'regional',
    // reads the clusters to know which parameter groups are in use
    dependsOn: ['rds.db-clusters'],
    description: 'The parameters of every DB cluster parameter group in use by a cluster.',
    load: () => import('./rds-cluster-parameters.js'),
  },
  {
    id: 'kms.keys', service: 'kms', operations: ['DescribeKey', 'GetKeyRotationStatus', 'ListAliases'],
    resourceType: 'AWS::KMS::Key', scope: 'regional',
    dependsOn: RDS_SOURCES,
    description: 'Every KMS key referenced by a cluster, instance, snapshot or backup: metadata, rotation, aliases.',
    load: () => import('./kms-keys.js'),
  },
  {
    id: 'rds.cluster-topology', service: 'rds', operations: [],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional',
    dependsOn: ['rds.db-clusters', 'rds.db-instances'],
    description: 'Join: each cluster with the availability zones of its member instances.',
    load: () => import('./rds-cluster-topology.js'),
  },
  {
    id: 'rds.cluster-tls', service: 'rds', operations: [],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional',
    dependsOn: ['rds.db-clusters', 'rds.cluster-parameters'],
    description: 'Join: each cluster with the value of its engine\'s TLS-enforcement parameter.',
    load: () => import('./rds-cluster-tls.js'),
  },
  {
    id: 'rds.encryption-keys', service: 'rds', operations: [],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional',
    dependsOn: [...RDS_SOURCES, 'kms.keys'],
    description: 'Join: each cluster, instance, snapshot and backup with the KMS key that encrypts it.',
    load: () => import('./rds-encryption-keys.js'),
  },
  {
    id: 'config.recorders', service: 'config',
    operations: ['DescribeConfigurationRecorders', 'DescribeConfigurationRecorderStatus'],
    resourceType: 'AWS::Config::ConfigurationRecorder', scope: 'regional',
    description: 'AWS Config configuration recorders and whether they are recording.',
    load: () => import('./config-recorders.js'),
  },
  {
    id: 'config.rules', service: 'config', operations: ['DescribeConfigRules', 'DescribeComplianceByConfigRule'],
    resourceType: 'AWS::Config::ConfigRule', scope: 'regional',
    description: 'AWS Config rules with their compliance summary.',
    load: () => import('./config-rules.js'),
  },
  {
    id: 'config.rule-evaluations', service: 'config', operations: ['GetComplianceDetailsByConfigRule'],
    resourceType: 'AWS::Config::ResourceCompliance', scope: 'regional',
    dependsOn: ['config.rules', 'config.recorders'],
    description: 'Each resource a Config rule evaluated, with its compliance and whether the recorder is on.',
    load: () => import('./config-rule-evaluations.js'),
  },
  // ---- catalog (issue 11): what the security page's claims need beyond the first collectors ----
  {
    id: 'rds.engine-default-cluster-parameters', service: 'rds', operations: ['DescribeEngineDefaultClusterParameters'],
    resourceType: 'AWS::RDS::EngineDefaultClusterParameters', scope: 'regional', dependsOn: ['rds.db-clusters'],
    description: 'The engine default cluster parameters of every Aurora parameter-group family a cluster uses.',
    load: () => import('./rds-engine-default-cluster-parameters.js'),
  },
  {
    id: 'rds.cluster-tls-version', service: 'rds', operations: [],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional',
    dependsOn: ['rds.db-clusters', 'rds.cluster-parameters', 'rds.engine-default-cluster-parameters'],
    description: 'Join: each cluster with the lowest TLS version it accepts (parameter group, cited per-version default, engine default) and which decided.',
    load: () => import('./rds-cluster-tls-version.js'),
  },
  {
    id: 'rds.cluster-audit-settings', service: 'rds', operations: [],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional', dependsOn: ['rds.db-clusters', 'rds.cluster-parameters'],
    description: 'Join: each cluster with its database-auditing parameters and exported logs.',
    load: () => import('./rds-cluster-audit-settings.js'),
  },
  {
    id: 'kms.key-rotations', service: 'kms', operations: ['ListKeyRotations'],
    resourceType: 'AWS::KMS::Key', scope: 'regional', dependsOn: ['kms.keys'],
    description: 'Completed rotations of imported (EXTERNAL) keys the account owns, and the age of their key material.',
    load: () => import('./kms-key-rotations.js'),
  },
  {
    id: 'rds.engine-lifecycles', service: 'rds', operations: ['DescribeDBMajorEngineVersions'],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional', dependsOn: ['rds.db-clusters', 'rds.db-instances'],
    description: 'Each cluster and stand-alone instance with the support lifecycle of its major engine version.',
    load: () => import('./rds-engine-lifecycles.js'),
  },
  {
    id: 'rds.instance-automated-backups', service: 'rds', operations: ['DescribeDBInstanceAutomatedBackups'],
    resourceType: 'AWS::RDS::DBInstanceAutomatedBackup', scope: 'regional',
    description: 'Automated backups of DB instances, including replicated and retained ones.',
    load: () => import('./rds-instance-automated-backups.js'),
  },
  {
    id: 'rds.global-clusters', service: 'rds', operations: ['DescribeGlobalClusters'],
    resourceType: 'AWS::RDS::GlobalCluster', scope: 'regional',
    description: 'Aurora global databases and their member clusters.',
    load: () => import('./rds-global-clusters.js'),
  },
  {
    id: 'rds.data-locations', service: 'rds', operations: [],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional',
    dependsOn: [...RDS_SOURCES, 'rds.instance-automated-backups', 'rds.global-clusters', 'rds.instance-snapshots'],
    description: 'Join: every copy of database data (clusters, instances, cluster and instance snapshots, backups, replicas) and its region.',
    load: () => import('./rds-data-locations.js'),
  },
  // ---- evidence read where it lives (issue 22) ----
  {
    id: 's3.buckets', service: 's3',
    operations: ['ListBuckets', 'GetObjectLockConfiguration', 'GetBucketVersioning', 'GetBucketEncryption',
      'GetBucketLifecycleConfiguration', 'GetBucketReplication', 'GetPublicAccessBlock'],
    resourceType: 'AWS::S3::Bucket', scope: 'global',
    description: 'Every S3 bucket the account owns (ListBuckets with BucketRegion), with its Object Lock, versioning, default encryption, lifecycle, replication and public access block, read in the bucket\'s region.',
    load: () => import('./s3-buckets.js'),
  },
  {
    id: 'cloudtrail.trails', service: 'cloudtrail',
    // "s3:..." operations are another service's, called for the trail's bucket
    operations: ['DescribeTrails', 'GetTrailStatus', 'GetEventSelectors', 's3:ListBuckets', 's3:GetObjectLockConfiguration', 's3:GetBucketVersioning'],
    resourceType: 'AWS::CloudTrail::Trail', scope: 'regional',
    description: 'Every trail whose home region this is (shadow and organization trails included): its settings, status (IsLogging, delivery errors), event selectors, and its bucket\'s Object Lock read in the account that owns it.',
    load: () => import('./cloudtrail-trails.js'),
  },
  {
    id: 'cloudtrail.region-coverage', service: 'cloudtrail', operations: ['DescribeTrails'],
    resourceType: 'AWS::::Account', scope: 'regional',
    description: 'Which trails record this region (DescribeTrails with shadow trails): the multi-region trails, whatever their home region, and the single-region trails homed here.',
    load: () => import('./cloudtrail-region-coverage.js'),
  },
  {
    id: 'kms.customer-keys', service: 'kms',
    operations: ['ListKeys', 'DescribeKey', 'ListAliases', 'GetKeyRotationStatus', 'ListKeyRotations', 'GetKeyPolicy', 'ListGrants'],
    resourceType: 'AWS::KMS::Key', scope: 'regional',
    description: 'Every customer-managed KMS key of the account, whatever uses it: metadata, aliases, rotation status and period, completed rotations, key policy (and the company principals it lets use the key), grants.',
    load: () => import('./kms-customer-keys.js'),
  },
  // ---- every copy of customer data and the edge (issue 23) ----
  {
    id: 'rds.instance-snapshots', service: 'rds', operations: ['DescribeDBSnapshots', 'DescribeDBSnapshotAttributes'],
    resourceType: 'AWS::RDS::DBSnapshot', scope: 'regional',
    description: 'Every DB instance snapshot the account owns (manual, automated, AWS Backup); manual ones with their restore (sharing) attributes.',
    load: () => import('./rds-instance-snapshots.js'),
  },
  {
    id: 'backup.vaults', service: 'backup', operations: ['ListBackupVaults', 'DescribeBackupVault'],
    resourceType: 'AWS::Backup::BackupVault', scope: 'regional',
    description: 'Every AWS Backup vault with its Vault Lock state and minimum and maximum retention.',
    load: () => import('./backup-vaults.js'),
  },
  {
    id: 'backup.recovery-points', service: 'backup', operations: ['ListBackupVaults', 'ListRecoveryPointsByBackupVault'],
    resourceType: 'AWS::Backup::RecoveryPoint', scope: 'regional',
    description: 'Every recovery point of every AWS Backup vault: resource, creation, lifecycle, calculated delete-at, encryption, status.',
    load: () => import('./backup-recovery-points.js'),
  },
  {
    id: 'backup.plans', service: 'backup', operations: ['ListBackupPlans', 'GetBackupPlan'],
    resourceType: 'AWS::Backup::BackupPlan', scope: 'regional',
    description: 'Every AWS Backup plan: its rules\' lifecycles and copy actions with their destination vaults.',
    load: () => import('./backup-plans.js'),
  },
  {
    id: 'elbv2.listeners', service: 'elasticloadbalancing',
    operations: ['DescribeLoadBalancers', 'DescribeListeners', 'DescribeSSLPolicies', 'DescribeRules'],
    resourceType: 'AWS::ElasticLoadBalancingV2::Listener', scope: 'regional',
    description: 'Every listener of every Application and Network Load Balancer: protocol, TLS policy and its protocols, and how HTTP listeners of internet-facing ALBs answer plain HTTP.',
    load: () => import('./elbv2-listeners.js'),
  },
  {
    id: 'cloudfront.distributions', service: 'cloudfront', operations: ['ListDistributions'],
    resourceType: 'AWS::CloudFront::Distribution', scope: 'global',
    description: 'Every CloudFront distribution: viewer certificate and minimum protocol, viewer protocol policies, origin protocols.',
    load: () => import('./cloudfront-distributions.js'),
  },
  {
    id: 'guardduty.detectors', service: 'guardduty',
    operations: ['ListDetectors', 'GetDetector', 'ListFindings', 'GetFindings'],
    resourceType: 'AWS::GuardDuty::Detector', scope: 'regional',
    description: 'The region\'s GuardDuty detector (or "not configured"): status, features, and the open high-severity findings with their creation time.',
    load: () => import('./guardduty-detectors.js'),
  },
  {
    id: 'logs.log-groups', service: 'logs', operations: ['DescribeLogGroups'],
    resourceType: 'AWS::Logs::LogGroup', scope: 'regional', dependsOn: ['rds.db-clusters', 'cloudtrail.trails'],
    description: 'The CloudWatch Logs groups the clusters\' exported database logs and the trails write to: retention and KMS key.',
    load: () => import('./logs-log-groups.js'),
  },
];

/** Every collector's metadata, in a dependency-respecting order. */
export const COLLECTORS: readonly CollectorInfo[] = ENTRIES.map(({ load: _load, ...info }) => info);

const BY_ID = new Map(ENTRIES.map((e) => [e.id, e]));

export function collectorIds(): string[] {
  return ENTRIES.map((e) => e.id);
}

export function collectorInfo(id: string): CollectorInfo | undefined {
  const entry = BY_ID.get(id);
  if (!entry) return undefined;
  const { load: _load, ...info } = entry;
  return info;
}

export class UnknownCollectorError extends Error {
  constructor(id: string) {
    super(`unknown collector "${id}" (known: ${collectorIds().join(', ')})`);
    this.name = 'UnknownCollectorError';
  }
}

/** The collector with its code; imports its module (and its SDK client) on first use. */
export async function loadCollector(id: string): Promise<Collector> {
  const entry = BY_ID.get(id);
  if (!entry) throw new UnknownCollectorError(id);
  const { load, ...info } = entry;
  const mod = await load();
  return { ...info, collect: mod.collect };
}

/**
 * The given collectors plus everything they depend on, dependencies first (a topological order;
 * ties keep the catalog order so the result is stable).
 */
export function withDependencies(ids: readonly string[]): string[] {
  const wanted = new Set<string>();
  const visit = (id: string, path: string[]): void => {
    const entry = BY_ID.get(id);
    if (!entry) throw new UnknownCollectorError(id);
    if (path.includes(id)) throw new Error(`collector dependency cycle: ${[...path, id].join(' -> ')}`);
    if (wanted.has(id)) return;
    for (const dep of entry.dependsOn ?? []) visit(dep, [...path, id]);
    wanted.add(id);
  };
  for (const id of ids) visit(id, []);
  // Kahn's algorithm over the catalog order.
  const out: string[] = [];
  const done = new Set<string>();
  while (out.length < wanted.size) {
    const next = ENTRIES.find((e) => wanted.has(e.id) && !done.has(e.id) && (e.dependsOn ?? []).every((d) => done.has(d)));
    if (!next) throw new Error('collector dependency cycle');
    out.push(next.id);
    done.add(next.id);
  }
  return out;
}
