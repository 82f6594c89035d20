// rds.cluster-tls-version (join, no calls): each Aurora cluster with the lowest TLS version it
// accepts and the source that decided it, in this order (issue 18, "TLS defaults"):
//   1. parameter-group: the minimum-version parameter of its cluster parameter group, when the
//      group sets it (Source user or system);
//   2. version-table: a row of collectors/rds-tls-defaults.ts for the engine version, each citing
//      an AWS page that states the value for Aurora (a per-version statement beats the family's
//      engine default, which cannot tell minor versions apart);
//   3. engine-defaults-api: DescribeEngineDefaultClusterParameters for the family, when it returns
//      the parameter with a ParameterValue;
//   4. unknown: none of them; MinTlsUnknownReason says what was missing (the control's ERROR).
import type { CollectContext } from './types.js';
import type { EvidenceRecord, EvidenceRecordDraft } from '../src/evidence/model.js';
import { dataOf, prior, str } from './common.js';
import { clusterGroupDraft, parameterGroups } from './cluster-parameter-values.js';
import { clusterParameterGroupFamily, lowestTls, minTlsParameter, tlsDefault } from './rds-tls-defaults.js';

type Source = 'parameter-group' | 'version-table' | 'engine-defaults-api' | 'unknown' | 'not-applicable';

interface FamilyDefaults { record: EvidenceRecord; read: boolean; values: Map<string, string | null> }

/** The engine-default records of the account and region by family. */
function familyDefaults(ctx: CollectContext): Map<string, FamilyDefaults> {
  const out = new Map<string, FamilyDefaults>();
  for (const r of prior(ctx, 'rds.engine-default-cluster-parameters')) {
    const d = r.data === null || r.data === undefined ? {} : dataOf(r);
    const family = str(d['DBParameterGroupFamily']) ?? r.resource.split(':').pop() ?? '';
    const values = new Map<string, string | null>();
    for (const p of Array.isArray(d['Parameters']) ? d['Parameters'] : []) {
      const o = (p ?? {}) as Record<string, unknown>;
      const n = str(o['ParameterName']);
      const v = o['ParameterValue'];
      if (n) values.set(n, v === undefined || v === null || v === '' ? null : String(v));
    }
    out.set(family, { record: r, read: !r.error, values });
  }
  return out;
}

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const groups = parameterGroups(ctx);
  const defaults = familyDefaults(ctx);
  for (const cluster of prior(ctx, 'rds.db-clusters')) {
    const c = dataOf(cluster);
    const engine = str(c['Engine']);
    const version = str(c['EngineVersion']);
    const groupName = str(c['DBClusterParameterGroup']) ?? null;
    const group = groupName ? groups.get(groupName) : undefined;
    const parameter = minTlsParameter(engine);
    const family = parameter ? clusterParameterGroupFamily(engine, version) : null;
    const set = parameter && group ? group.params.get(parameter) : undefined;
    // an engine-default row in the group is the API's echo of a default, not a setting
    const configured = set && set.value !== null && set.source !== 'engine-default' ? set.value : null;
    const row = parameter ? tlsDefault(engine, version) : undefined;
    const fam = family ? defaults.get(family) : undefined;
    const apiValue = parameter && fam?.read ? fam.values.get(parameter) ?? null : null;
    let source: Source;
    let effective: string | null = null;
    let why: string | null = null;
    if (!parameter) source = 'not-applicable';
    else if (configured !== null) { source = 'parameter-group'; effective = configured; }
    else if (row) { source = 'version-table'; effective = row.defaultValue; }
    else if (apiValue !== null) { source = 'engine-defaults-api'; effective = apiValue; }
    else {
      source = 'unknown';
      why = `${groupName ? `parameter group ${groupName}` : 'the cluster'} leaves ${parameter} unset, no row of collectors/rds-tls-defaults.ts cites an AWS page for ${engine ?? '?'} ${version ?? '?'}, and ${unreadDefault(family, fam, parameter)}`;
    }
    const minimum = effective === null ? null : lowestTls(effective);
    if (source !== 'unknown' && source !== 'not-applicable' && minimum === null) why = `${parameter ?? ''} holds ${effective ?? ''}, which names a TLS version we do not know`;
    const draft = clusterGroupDraft(ctx, 'rds.cluster-tls-version', cluster, group, {
      Engine: engine ?? null,
      EngineVersion: version ?? null,
      DBClusterParameterGroup: groupName,
      DBParameterGroupFamily: family,
      MinTlsParameterName: parameter,
      MinTlsParameterValue: configured,
      EngineDefaultValue: apiValue,
      MinTlsSource: source,
      DefaultSources: source === 'version-table' && row ? [row.awsSource, ...row.sources] : [],
      EffectiveValue: effective,
      MinimumTlsVersion: minimum,
      MinTlsUnknownReason: why,
    });
    // the engine defaults decided (or were looked for): they are evidence of this verdict too
    if (fam && source !== 'parameter-group' && source !== 'version-table' && source !== 'not-applicable') {
      draft.source.derivedFrom = [...new Set([...(draft.source.derivedFrom ?? []), fam.record.id])].sort();
    }
    yield draft;
  }
}

function unreadDefault(family: string | null, fam: FamilyDefaults | undefined, parameter: string): string {
  if (family === null) return 'its parameter-group family is not one we can name, so its engine defaults were not read';
  if (!fam) return `the engine defaults of ${family} were not collected`;
  if (!fam.read) return `DescribeEngineDefaultClusterParameters for ${family} could not be read (${fam.record.error?.code ?? 'error'})`;
  if (!fam.values.has(parameter)) return `DescribeEngineDefaultClusterParameters for ${family} does not list ${parameter}`;
  return `DescribeEngineDefaultClusterParameters for ${family} returns ${parameter} without a ParameterValue`;
}
