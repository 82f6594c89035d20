// rds.cluster-audit-settings (join, no calls): each Aurora cluster with what turns database
// auditing on (Aurora MySQL Advanced Auditing: server_audit_logging, server_audit_events and the
// users it includes or excludes; Aurora PostgreSQL: pgaudit in shared_preload_libraries,
// pgaudit.log with the classes it leaves in force, and pgaudit.role for object auditing) and
// which logs it exports. It shows configuration: that the pgaudit extension was created in each
// database, per-user or per-database overrides (ALTER ROLE ... SET pgaudit.log) and which tables
// the audit role may read are not visible to the RDS API.
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { dataOf, prior, str } from './common.js';
import { clusterGroupDraft, listValue, parameterGroups } from './cluster-parameter-values.js';

/** pgAudit's session classes (pgaudit.log), lower case as its documentation names them. */
const PGAUDIT_CLASSES = ['ddl', 'function', 'misc', 'misc_set', 'read', 'role', 'write'] as const;

/**
 * The classes a pgaudit.log value leaves in force, applied left to right as pgAudit does: a class
 * adds, `-class` removes, `all` is every class, `none` adds nothing. Sorted; null for null.
 */
export function pgauditClasses(value: string | null): string[] | null {
  if (value === null) return null;
  const on = new Set<string>();
  for (const raw of value.split(',')) {
    const item = raw.trim().toLowerCase();
    if (item === '') continue;
    const subtract = item.startsWith('-');
    const name = subtract ? item.slice(1).trim() : item;
    const classes: readonly string[] = name === 'all' ? PGAUDIT_CLASSES : name === 'none' ? [] : [name];
    for (const c of classes) {
      if (subtract) on.delete(c);
      else on.add(c);
    }
  }
  return [...on].sort();
}

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const groups = parameterGroups(ctx);
  for (const cluster of prior(ctx, 'rds.db-clusters')) {
    const c = dataOf(cluster);
    const groupName = str(c['DBClusterParameterGroup']) ?? null;
    const group = groupName ? groups.get(groupName) : undefined;
    const read = group !== undefined && !group.record.error;
    // Unread group: every setting is unknown (null), so the control is ERROR, never FAIL. Read
    // group, unset parameter: the engine default, which for these is auditing off ('' = empty).
    const value = (name: string): string | null => (read ? group.params.get(name)?.value ?? '' : null);
    const list = (name: string): string[] | null => {
      const v = value(name);
      return v === null ? null : listValue(v);
    };
    const role = value('pgaudit.role');
    const draft = clusterGroupDraft(ctx, 'rds.cluster-audit-settings', cluster, group, {
      Engine: c['Engine'] ?? null,
      DBClusterParameterGroup: groupName,
      ParameterGroupRead: read,
      EnabledCloudwatchLogsExports: Array.isArray(c['EnabledCloudwatchLogsExports']) ? c['EnabledCloudwatchLogsExports'] : [],
      ServerAuditLogging: read ? group.params.get('server_audit_logging')?.value ?? null : null,
      ServerAuditEvents: list('server_audit_events'),
      ServerAuditIncludeUsers: list('server_audit_incl_users'),
      ServerAuditExcludeUsers: list('server_audit_excl_users'),
      SharedPreloadLibraries: list('shared_preload_libraries'),
      PgauditLog: list('pgaudit.log'),
      PgauditLogClasses: pgauditClasses(value('pgaudit.log')),
      PgauditRole: role === null || role === '' ? null : role,
    });
    if (group?.record.error) {
      const e = group.record.error;
      draft.error = {
        operation: e.operation, code: e.code, message: `parameter group ${groupName ?? ''}: ${e.message}`,
        fields: ['ServerAuditLogging', 'ServerAuditEvents', 'ServerAuditIncludeUsers', 'ServerAuditExcludeUsers', 'SharedPreloadLibraries', 'PgauditLog', 'PgauditLogClasses', 'PgauditRole'],
      };
    }
    yield draft;
  }
}
