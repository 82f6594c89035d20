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

type Collect = (ctx: CollectContext) => AsyncIterable<EvidenceRecordDraft>;

const RDS_RECORDED: readonly CollectorId[] = ['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots'];

/** The AWS calls an as-of run makes besides the caller identity (for the IAM policy). */
export const HISTORY_OPERATIONS = ['config:ListDiscoveredResources', 'config:GetResourceConfigHistory', 'config:BatchGetResourceConfig', 'config:DescribeConfigRules'] as const;

/** Why a collector has no as-of counterpart (shown as the ERROR's reason): its declaration's `history.none`. */
function notInHistoryReason(id: string): string | undefined {
  const d = DECLARATIONS.find((x) => x.id === id);
  return d && typeof d.history === 'object' ? d.history.none : undefined;
}

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
