// rds.cluster-audit-settings (join, no calls): each Aurora cluster with what turns database
// auditing on (Aurora MySQL Advanced Auditing: server_audit_logging, server_audit_events; Aurora
// PostgreSQL: pgaudit in shared_preload_libraries and pgaudit.log) and which logs it exports.
// It shows configuration: that the pgaudit extension was created in each database is not visible
// to the RDS API.
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { dataOf, prior, str } from './common.js';
import { clusterGroupDraft, listValue, parameterGroups } from './cluster-parameter-values.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const groups = parameterGroups(ctx);
  for (const cluster of prior(ctx, 'rds.db-clusters')) {
    const c = dataOf(cluster);
    const groupName = str(c['DBClusterParameterGroup']) ?? null;
    const group = groupName ? groups.get(groupName) : undefined;
    // unset parameters take the engine's default; for these the default is auditing off
    const value = (name: string): string | null => group?.params.get(name)?.value ?? null;
    yield clusterGroupDraft(ctx, 'rds.cluster-audit-settings', cluster, group, {
      Engine: c['Engine'] ?? null,
      DBClusterParameterGroup: groupName,
      ParameterGroupRead: group !== undefined,
      EnabledCloudwatchLogsExports: Array.isArray(c['EnabledCloudwatchLogsExports']) ? c['EnabledCloudwatchLogsExports'] : [],
      ServerAuditLogging: value('server_audit_logging'),
      ServerAuditEvents: listValue(value('server_audit_events')),
      SharedPreloadLibraries: listValue(value('shared_preload_libraries')),
      PgauditLog: listValue(value('pgaudit.log')),
    });
  }
}
