// rds.cluster-tls-version (join, no calls): each Aurora cluster with the lowest TLS version it
// accepts: the minimum-version parameter of its cluster parameter group when the group sets it
// (Source user or system), else the engine version's default from collectors/rds-tls-defaults.ts.
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { dataOf, prior, str } from './common.js';
import { clusterGroupDraft, parameterGroups } from './cluster-parameter-values.js';
import { lowestTls, minTlsParameter, tlsDefault } from './rds-tls-defaults.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const groups = parameterGroups(ctx);
  for (const cluster of prior(ctx, 'rds.db-clusters')) {
    const c = dataOf(cluster);
    const engine = str(c['Engine']);
    const version = str(c['EngineVersion']);
    const groupName = str(c['DBClusterParameterGroup']) ?? null;
    const group = groupName ? groups.get(groupName) : undefined;
    const parameter = minTlsParameter(engine);
    const set = parameter && group ? group.params.get(parameter) : undefined;
    // an engine-default row in the group is the API's echo of a default, not a setting
    const configured = set && set.value !== null && set.source !== 'engine-default' ? set.value : null;
    const fallback = parameter ? tlsDefault(engine, version) : undefined;
    let source: 'parameter-group' | 'engine-default' | 'unknown' | 'not-applicable';
    let effective: string | null;
    if (!parameter) { source = 'not-applicable'; effective = null; }
    else if (configured !== null) { source = 'parameter-group'; effective = configured; }
    else if (fallback) { source = 'engine-default'; effective = fallback.defaultValue; }
    else { source = 'unknown'; effective = null; }
    yield clusterGroupDraft(ctx, 'rds.cluster-tls-version', cluster, group, {
      Engine: engine ?? null,
      EngineVersion: version ?? null,
      DBClusterParameterGroup: groupName,
      MinTlsParameterName: parameter,
      MinTlsParameterValue: configured,
      MinTlsSource: source,
      DefaultSources: source === 'engine-default' && fallback ? fallback.sources : [],
      EffectiveValue: effective,
      MinimumTlsVersion: effective === null ? null : lowestTls(effective),
    });
  }
}
