// rds.cluster-tls (join, no calls): each cluster with the value of the parameter that makes its
// engine refuse unencrypted connections.
import type { CollectContext } from './types.js';
import type { EvidenceRecord, EvidenceRecordDraft } from '../src/evidence/model.js';
import { dataOf, makeDraft, prior, str } from './common.js';

/** The TLS-enforcement parameter of an engine, or null when the engine has none we know. */
export function tlsParameterName(engine: string | undefined): string | null {
  switch (engine) {
    case 'aurora-mysql':
    case 'mysql':
      return 'require_secure_transport';
    case 'aurora-postgresql':
    case 'postgres':
      return 'rds.force_ssl';
    // DescribeDBClusters returns these too; their own TLS switches
    case 'neptune':
      return 'neptune_enforce_ssl';
    case 'docdb':
      return 'tls';
    default:
      return null;
  }
}

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const groups = new Map<string, EvidenceRecord>();
  for (const r of prior(ctx, 'rds.cluster-parameters')) {
    // an unreadable group's record has no data: its name is its call's parameter
    const name = str(dataOf(r)['DBClusterParameterGroupName']) ?? str(r.source.parameters['DBClusterParameterGroupName']);
    if (name) groups.set(name, r);
  }
  for (const cluster of prior(ctx, 'rds.db-clusters')) {
    const c = dataOf(cluster);
    const engine = str(c['Engine']);
    const groupName = str(c['DBClusterParameterGroup']) ?? null;
    const group = groupName ? groups.get(groupName) : undefined;
    const parameterName = tlsParameterName(engine);
    let value: string | null = null;
    if (parameterName && group) {
      const params = dataOf(group)['Parameters'];
      const found = (Array.isArray(params) ? params : [])
        .map((p) => (p ?? {}) as Record<string, unknown>)
        .find((p) => p['ParameterName'] === parameterName);
      const raw = found?.['ParameterValue'];
      // unset parameters come back without ParameterValue; numbers stay strings as AWS sends them
      value = raw === undefined || raw === null ? null : String(raw);
    }
    const draft = makeDraft(ctx, 'rds.cluster-tls', {
      service: 'trustpack', operation: 'join', parameters: { join: ['rds.db-clusters', 'rds.cluster-parameters'] },
      resourceType: 'AWS::RDS::DBCluster',
      resource: cluster.resource,
      derivedFrom: group ? [cluster.id, group.id] : [cluster.id],
      data: {
        DBClusterIdentifier: c['DBClusterIdentifier'] ?? null,
        DBClusterArn: c['DBClusterArn'] ?? cluster.resource,
        Engine: engine ?? null,
        DBClusterParameterGroup: groupName,
        TlsParameterName: parameterName,
        TlsParameterValue: value,
      },
    });
    if (group?.error && parameterName) {
      draft.error = { ...group.error, message: `parameter group ${groupName}: ${group.error.message}`, fields: ['TlsParameterValue'] };
    }
    yield draft;
  }
}
