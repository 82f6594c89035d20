// Shared by the joins that read cluster parameter groups: a group's parameters by name.
import type { EvidenceRecord, EvidenceRecordDraft } from '../src/evidence/model.js';
import { dataOf, makeDraft, prior, str } from './common.js';
import type { CollectContext } from './types.js';

export interface ParameterValue {
  /** the value as AWS returns it, or null when the group leaves it unset */
  value: string | null;
  /** Source as returned: user, system, engine-default */
  source: string | null;
}

/** Parameter groups of the account and region by name, each a map of parameter name -> value. */
export function parameterGroups(ctx: CollectContext): Map<string, { record: EvidenceRecord; params: Map<string, ParameterValue> }> {
  const out = new Map<string, { record: EvidenceRecord; params: Map<string, ParameterValue> }>();
  for (const r of prior(ctx, 'rds.cluster-parameters')) {
    const d = dataOf(r);
    const name = str(d['DBClusterParameterGroupName']);
    if (!name) continue;
    const params = new Map<string, ParameterValue>();
    for (const p of Array.isArray(d['Parameters']) ? d['Parameters'] : []) {
      const o = (p ?? {}) as Record<string, unknown>;
      const n = str(o['ParameterName']);
      if (!n) continue;
      const raw = o['ParameterValue'];
      params.set(n, { value: raw === undefined || raw === null ? null : String(raw), source: str(o['Source']) ?? null });
    }
    out.set(name, { record: r, params });
  }
  return out;
}

/** A comma-separated list parameter as a sorted list of its trimmed items ([] when unset). */
export function listValue(v: string | null | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').sort();
}

/**
 * The record of a join of one cluster with its parameter group: the join's source fields, the
 * cluster's identity, and the collector's own facts after them.
 */
export function clusterGroupDraft(
  ctx: CollectContext, collector: string, cluster: EvidenceRecord,
  group: { record: EvidenceRecord } | undefined, facts: Record<string, unknown>,
): EvidenceRecordDraft {
  const c = dataOf(cluster);
  return makeDraft(ctx, collector, {
    service: 'trustpack', operation: 'join', parameters: { join: ['rds.db-clusters', 'rds.cluster-parameters'] },
    resourceType: 'AWS::RDS::DBCluster', resource: cluster.resource,
    derivedFrom: group ? [cluster.id, group.record.id] : [cluster.id],
    data: { DBClusterIdentifier: c['DBClusterIdentifier'] ?? null, DBClusterArn: c['DBClusterArn'] ?? cluster.resource, ...facts },
  });
}
