// Which collector an as-of run uses for each live collector id, and what history cannot give.
// The ids, scopes and record shapes stay those of collectors/registry.ts, so the engine never
// knows where a record came from; collectors/README.md ("From history") is the table in words.
import type { Collector, CollectContext } from '../types.js';
import type { EvidenceRecordDraft } from '../../src/evidence/model.js';
import { collectorInfo, loadCollector } from '../registry.js';
import { clusterSnapshots, configRecorders, dbClusters, dbInstances, kmsKeys, notInHistory } from './collectors.js';
import { historyJoin } from './joins.js';

type Collect = (ctx: CollectContext) => AsyncIterable<EvidenceRecordDraft>;

const RDS_RECORDED = ['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots'];

/** The AWS calls an as-of run makes besides the caller identity (for the IAM policy). */
export const HISTORY_OPERATIONS = ['config:ListDiscoveredResources', 'config:GetResourceConfigHistory', 'config:BatchGetResourceConfig', 'config:DescribeConfigRules'] as const;

/** Why a collector has no as-of counterpart (shown as the ERROR's reason). */
export const NOT_IN_HISTORY: Readonly<Record<string, string>> = {
  'rds.cluster-automated-backups': 'AWS Config keeps no configuration history of DB cluster automated backups (no such Config resource type), so they cannot be rebuilt for a past date',
  'rds.cluster-parameters': 'AWS Config keeps no configuration history of DB cluster parameter groups or their parameters (AWS::RDS::DBClusterParameterGroup is not a Config resource type)',
  'config.rules': "Config rules' definitions and compliance summaries are not in the configuration history",
  // issue 22: what Config keeps of these is partial, and trustpack does not rebuild them yet
  'cloudtrail.trails': "AWS Config's history of AWS::CloudTrail::Trail keeps the trail's settings (multi-region, validation, bucket) but not its status (IsLogging) nor its event selectors (only whether custom ones exist), and this version does not rebuild trail records from it",
  'cloudtrail.region-coverage': "AWS Config's history of AWS::CloudTrail::Trail keeps each trail's IsMultiRegionTrail, but this version does not rebuild which trails covered a region on a past date",
  's3.buckets': 'this version does not rebuild s3.buckets from the AWS::S3::Bucket items and their supplementary configuration in AWS Config\'s history',
  'logs.log-groups': 'CloudWatch Logs log groups are not a resource type AWS Config records, so their retention cannot be rebuilt for a past date',
  'guardduty.detectors': "AWS Config's history of AWS::GuardDuty::Detector keeps no features, and findings are not configuration",
  'kms.customer-keys': "AWS Config's history of AWS::KMS::Key keeps no rotation period, rotation list or key policy",
  // issue 23: Config records these types, but this version does not rebuild them yet (reason shown as the ERROR)
  'rds.instance-snapshots': 'AWS Config records AWS::RDS::DBSnapshot, but this version of trustpack does not yet rebuild DB instance snapshots from its history',
  'backup.vaults': "AWS Config's AWS::Backup::BackupVault keeps no Vault Lock fields (Locked, MinRetentionDays, MaxRetentionDays), so a vault's lock cannot be proven for a past date",
  'backup.recovery-points': 'AWS Config records AWS::Backup::RecoveryPoint, but this version of trustpack does not yet rebuild recovery points from its history',
  'backup.plans': 'AWS Config records AWS::Backup::BackupPlan, but this version of trustpack does not yet rebuild backup plans from its history',
  'elbv2.listeners': 'AWS Config records AWS::ElasticLoadBalancingV2::Listener and ::LoadBalancer, but this version of trustpack does not yet rebuild listeners from its history; the TLS policies\' protocols and listener rules are not kept with the listener',
  'cloudfront.distributions': 'AWS Config records AWS::CloudFront::Distribution, but this version of trustpack does not yet rebuild distributions from its history',
};

interface Override { collect: () => Promise<Collect>; dependsOn?: string[] }

const OVERRIDES: Readonly<Record<string, Override>> = {
  'rds.db-clusters': { collect: async () => dbClusters },
  'rds.db-instances': { collect: async () => dbInstances },
  'rds.cluster-snapshots': { collect: async () => clusterSnapshots },
  'kms.keys': { collect: async () => kmsKeys, dependsOn: RDS_RECORDED },
  'rds.cluster-topology': { collect: async () => historyJoin('rds.cluster-topology', (await import('../rds-cluster-topology.js')).collect) },
  'rds.encryption-keys': {
    // automated backups have no history: the join covers clusters, instances and snapshots (the
    // backup controls read rds.cluster-automated-backups, which is ERROR in an as-of run)
    collect: async () => historyJoin('rds.encryption-keys', (await import('../rds-encryption-keys.js')).collect, ['rds.cluster-automated-backups']),
    dependsOn: [...RDS_RECORDED, 'kms.keys'],
  },
  'config.recorders': { collect: async () => configRecorders },
  'config.rule-evaluations': { collect: async () => (await import('./compliance.js')).ruleEvaluations, dependsOn: [] },
};

/**
 * Used as they are: the caller identity (who collects, asked live) and the TLS join, which in an
 * as-of run never runs because the parameter groups it reads have no history (DependencyFailed).
 */
const AS_IS = new Set(['sts.caller-identity', 'rds.cluster-tls']);

export async function loadHistoryCollector(id: string): Promise<Collector> {
  if (AS_IS.has(id)) return loadCollector(id);
  const info = collectorInfo(id);
  if (!info) return loadCollector(id); // throws the unknown-collector error
  const o = OVERRIDES[id];
  if (o) return { ...info, ...(o.dependsOn ? { dependsOn: o.dependsOn } : {}), collect: await o.collect() };
  const why = NOT_IN_HISTORY[id] ?? `collector ${id} has no counterpart built from AWS Config's configuration history`;
  return { ...info, dependsOn: [], collect: notInHistory(why) };
}
