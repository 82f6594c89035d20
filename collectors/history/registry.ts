// Which collector an as-of run uses for each live collector id; what history cannot give is
// declared with the collector (collectors/declarations.ts, `history`). The ids, scopes and
// record shapes stay those of the declarations, so the engine never
// knows where a record came from; collectors/README.md ("From history") is the table in words.
import type { Collector, CollectContext } from '../types.js';
import type { EvidenceRecordDraft } from '../../src/evidence/model.js';
import { collectorInfo, loadCollector } from '../registry.js';
import { DECLARATIONS, type CollectorId } from '../declarations.js';
import { clusterSnapshots, configRecorders, dbClusters, dbInstances, kmsKeys, notInHistory } from './collectors.js';
import { historyJoin } from './joins.js';
import {
  CUSTOMER_KEY_NOT_KEPT, DETECTOR_NOT_KEPT, LISTENER_NOT_KEPT, TRAIL_NOT_KEPT, VAULT_NOT_KEPT,
} from './evidence-normalise.js';

type Collect = (ctx: CollectContext) => AsyncIterable<EvidenceRecordDraft>;

const RDS_RECORDED: readonly CollectorId[] = ['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots'];

/** The AWS calls an as-of run makes besides the caller identity (for the IAM policy). */
export const HISTORY_OPERATIONS = ['config:ListDiscoveredResources', 'config:GetResourceConfigHistory', 'config:BatchGetResourceConfig', 'config:DescribeConfigRules'] as const;

/** Why a collector has no as-of counterpart (shown as the ERROR's reason): its declaration's `history.none`. */
function notInHistoryReason(id: string): string | undefined {
  const d = DECLARATIONS.find((x) => x.id === id);
  return d && typeof d.history === 'object' ? d.history.none : undefined;
}

/**
 * Issues 22 and 23: rebuilt from history, but some fields the live collector reads come from
 * APIs whose answers AWS Config does not keep. Each rebuilt record names them in error.fields
 * with these reasons, so a control reading one is ERROR in a backfilled run (never a guessed
 * PASS); the record's other fields still decide the controls that read only them.
 */
export const FIELDS_NOT_IN_HISTORY: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'cloudtrail.trails': {
    ...TRAIL_NOT_KEPT,
    LogBucket: "only when the trail's bucket has no item in this account and region's history (another account or region owns it)",
  },
  's3.buckets': { ReplicationConfiguration: "AWS::S3::Bucket keeps only the replication role, not the rules or destinations (a bucket without replication: 'not configured')" },
  'guardduty.detectors': DETECTOR_NOT_KEPT,
  'kms.customer-keys': CUSTOMER_KEY_NOT_KEPT,
  'backup.vaults': VAULT_NOT_KEPT,
  'elbv2.listeners': {
    ...LISTENER_NOT_KEPT,
    PlainHttpAnswers: `${LISTENER_NOT_KEPT.PlainHttpAnswers} (when the default action itself answers plain HTTP with a forward, that answer is kept: it fails the listener whatever the rules say)`,
  },
  'rds.instance-snapshots': { DBSnapshotAttributes: 'only for a manual snapshot whose item carries no DBSnapshotAttributes' },
  'backup.recovery-points': {},
  'backup.plans': {},
  'cloudfront.distributions': {},
};

const evidence = async () => import('./evidence.js');

interface Override { collect: () => Promise<Collect>; dependsOn?: readonly CollectorId[] }

/** The collectors declared `history: 'rebuilt'` (test/collector-declarations.test.ts checks the two agree). */
export const OVERRIDES: Readonly<Partial<Record<CollectorId, Override>>> = {
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
  // issues 22 and 23 (collectors/history/evidence.ts)
  'cloudtrail.trails': { collect: async () => (await evidence()).trails, dependsOn: [] },
  's3.buckets': { collect: async () => (await evidence()).buckets, dependsOn: [] },
  'guardduty.detectors': { collect: async () => (await evidence()).detectors, dependsOn: [] },
  'kms.customer-keys': { collect: async () => (await evidence()).customerKeys, dependsOn: [] },
  'rds.instance-snapshots': { collect: async () => (await evidence()).instanceSnapshots, dependsOn: [] },
  'backup.vaults': { collect: async () => (await evidence()).vaults, dependsOn: [] },
  'backup.recovery-points': { collect: async () => (await evidence()).recoveryPoints, dependsOn: [] },
  'backup.plans': { collect: async () => (await evidence()).plans, dependsOn: [] },
  'elbv2.listeners': { collect: async () => (await evidence()).listeners, dependsOn: [] },
  'cloudfront.distributions': { collect: async () => (await evidence()).distributions, dependsOn: [] },
  'config.rule-evaluations': { collect: async () => (await import('./compliance.js')).ruleEvaluations, dependsOn: [] },
};

/** Used as they are (declared `history: 'live'`). */
const AS_IS: ReadonlySet<string> = new Set(DECLARATIONS.filter((d) => d.history === 'live').map((d) => d.id));

export async function loadHistoryCollector(id: string): Promise<Collector> {
  if (AS_IS.has(id)) return loadCollector(id);
  const info = collectorInfo(id);
  if (!info) return loadCollector(id); // throws the unknown-collector error
  const o = OVERRIDES[info.id];
  if (o) return { ...info, ...(o.dependsOn ? { dependsOn: o.dependsOn } : {}), collect: await o.collect() };
  const why = notInHistoryReason(id) ?? `collector ${id} has no counterpart built from AWS Config's configuration history`;
  return { ...info, dependsOn: [], collect: notInHistory(why) };
}
