// What AWS would fill in when a fixture leaves it out: identifiers, engine versions,
// parameter catalogs. Derivations are hashes of names, so the same fixture gives the same ids.
import { createHash } from 'node:crypto';

export interface EngineInfo {
  version: string;
  family: (version: string) => string;
  port: number;
  tlsParameter: string;
  tlsDefault: string;
  logExports: string[];
}

export const ENGINES: Record<string, EngineInfo> = {
  'aurora-postgresql': {
    version: '15.4',
    family: (v) => `aurora-postgresql${v.split('.')[0]}`,
    port: 5432,
    tlsParameter: 'rds.force_ssl',
    tlsDefault: '0',
    logExports: ['postgresql'],
  },
  'aurora-mysql': {
    version: '8.0.mysql_aurora.3.05.2',
    family: (v) => (v.startsWith('5.7') ? 'aurora-mysql5.7' : 'aurora-mysql8.0'),
    port: 3306,
    tlsParameter: 'require_secure_transport',
    tlsDefault: 'OFF',
    logExports: ['audit', 'error', 'general', 'slowquery'],
  },
  // DescribeDBClusters also returns these: Neptune, DocumentDB, and RDS Multi-AZ DB clusters
  neptune: {
    version: '1.3.2.1',
    family: (v) => `neptune${v.split('.').slice(0, 2).join('.')}`,
    port: 8182,
    tlsParameter: 'neptune_enforce_ssl',
    tlsDefault: '1',
    logExports: ['audit', 'slowquery'],
  },
  docdb: {
    version: '5.0.0',
    family: (v) => `docdb${v.split('.').slice(0, 2).join('.')}`,
    port: 27017,
    tlsParameter: 'tls',
    tlsDefault: 'enabled',
    logExports: ['audit', 'profiler'],
  },
  mysql: {
    version: '8.0.35',
    family: (v) => `mysql${v.split('.').slice(0, 2).join('.')}`,
    port: 3306,
    tlsParameter: 'require_secure_transport',
    tlsDefault: 'OFF',
    logExports: ['audit', 'error', 'general', 'slowquery'],
  },
  postgres: {
    version: '16.3',
    family: (v) => `postgres${v.split('.')[0]}`,
    port: 5432,
    tlsParameter: 'rds.force_ssl',
    tlsDefault: '1',
    logExports: ['postgresql', 'upgrade'],
  },
};

/** Multi-AZ DB clusters (non-Aurora engines in a cluster): provisioned storage, not Aurora's. */
export const MULTI_AZ_DB_CLUSTER_ENGINES = new Set(['mysql', 'postgres']);

/** "aurora-mysql 8.0" is written as 8.0 in fixtures; AWS reports the full Aurora version. */
export function engineVersion(engine: string, written: string | undefined): string {
  const info = ENGINES[engine];
  if (!written) return info?.version ?? '1.0';
  if (engine === 'aurora-mysql' && /^8\.0$/.test(written)) return '8.0.mysql_aurora.3.05.2';
  if (engine === 'aurora-mysql' && /^5\.7$/.test(written)) return '5.7.mysql_aurora.2.11.4';
  return written;
}

export function familyOf(engine: string, version: string): string {
  return ENGINES[engine]?.family(version) ?? `${engine}${version.split('.')[0]}`;
}

interface ParamSpec { name: string; value?: string; type: string; allowed?: string; apply: 'static' | 'dynamic'; description: string; source?: string }

/** A few realistic engine-default parameters per family, TLS first. */
const CATALOG: Record<string, ParamSpec[]> = {
  postgresql: [
    { name: 'rds.force_ssl', value: '0', type: 'boolean', allowed: '0,1', apply: 'dynamic', description: 'Force SSL connections.' },
    { name: 'ssl_min_protocol_version', value: 'TLSv1.2', type: 'string', allowed: 'TLSv1,TLSv1.1,TLSv1.2,TLSv1.3', apply: 'dynamic', description: 'Sets the minimum SSL/TLS protocol version to use.' },
    { name: 'log_connections', type: 'boolean', allowed: '0,1', apply: 'dynamic', description: 'Logs each successful connection.' },
    { name: 'log_min_duration_statement', type: 'integer', allowed: '-1-2147483647', apply: 'dynamic', description: 'Sets the minimum execution time above which statements will be logged.' },
    { name: 'shared_preload_libraries', value: 'pg_stat_statements', type: 'list', allowed: 'auto_explain,orafce,pg_cron,pg_hint_plan,pg_similarity,pg_stat_statements,pgaudit', apply: 'static', description: 'Lists shared libraries to preload into server.' },
    { name: 'pgaudit.log', type: 'list', allowed: 'ddl,function,misc,misc_set,read,role,write,none,all,-ddl,-function,-misc,-misc_set,-read,-role,-write', apply: 'dynamic', description: 'Specifies which classes of statements will be logged by session audit logging.' },
    { name: 'pgaudit.role', type: 'string', apply: 'dynamic', description: 'Specifies the master role to use for object audit logging.' },
    { name: 'password_encryption', value: 'scram-sha-256', type: 'string', allowed: 'md5,scram-sha-256', apply: 'dynamic', description: 'Encrypt passwords.' },
    { name: 'timezone', value: 'UTC', type: 'string', apply: 'dynamic', description: 'Sets the time zone for displaying and interpreting time stamps.' },
  ],
  mysql: [
    { name: 'require_secure_transport', value: 'OFF', type: 'boolean', allowed: 'ON,OFF', apply: 'dynamic', description: 'Require that connections use SSL/TLS.' },
    { name: 'tls_version', value: 'TLSv1.2,TLSv1.3', type: 'string', allowed: 'TLSv1.2,TLSv1.3', apply: 'static', description: 'TLS protocols permitted for encrypted connections.' },
    { name: 'server_audit_logging', value: '0', type: 'boolean', allowed: '0,1', apply: 'dynamic', description: 'Enables advanced auditing.' },
    { name: 'server_audit_events', type: 'list', allowed: 'CONNECT,QUERY,QUERY_DCL,QUERY_DDL,QUERY_DML,TABLE', apply: 'dynamic', description: 'Events to log in the audit log.' },
    { name: 'server_audit_incl_users', type: 'string', apply: 'dynamic', description: 'Include specified users.' },
    { name: 'server_audit_excl_users', type: 'string', apply: 'dynamic', description: 'Exclude specified users.' },
    { name: 'binlog_format', value: 'OFF', type: 'string', allowed: 'ROW,STATEMENT,MIXED,OFF', apply: 'static', description: 'Binary logging format.' },
    { name: 'character_set_server', type: 'string', allowed: 'big5,latin1,utf8,utf8mb4', apply: 'dynamic', description: 'The server default character set.' },
    { name: 'time_zone', type: 'string', apply: 'dynamic', description: 'The current time zone.' },
  ],
  neptune: [
    { name: 'neptune_enforce_ssl', value: '1', type: 'boolean', allowed: '0,1', apply: 'static', description: 'Enforce SSL connections to the cluster.' },
    { name: 'neptune_enable_audit_log', value: '0', type: 'boolean', allowed: '0,1', apply: 'static', description: 'Enables audit logs.' },
    { name: 'neptune_query_timeout', value: '120000', type: 'integer', allowed: '10-2147483647', apply: 'dynamic', description: 'Graph query timeout (ms).' },
  ],
  docdb: [
    { name: 'tls', value: 'enabled', type: 'string', allowed: 'disabled,enabled,fips-140-3,tls1.2+,tls1.3+', apply: 'static', description: 'Config to enable/disable TLS' },
    { name: 'audit_logs', value: 'disabled', type: 'string', allowed: 'enabled,disabled,ddl,dml_read,dml_write,all,none', apply: 'dynamic', description: 'Enables auditing on cluster.' },
    { name: 'ttl_monitor', value: 'enabled', type: 'string', allowed: 'disabled,enabled', apply: 'dynamic', description: 'Enables TTL Monitoring' },
  ],
};

function catalogFor(family: string): ParamSpec[] {
  if (family.startsWith('aurora-postgresql') || family.startsWith('postgres')) {
    // RDS for PostgreSQL 15 and later forces SSL by default; Aurora does not
    const pg = CATALOG['postgresql'] ?? [];
    return family.startsWith('postgres') ? pg.map((p) => (p.name === 'rds.force_ssl' ? { ...p, value: '1' } : p)) : pg;
  }
  if (family.startsWith('aurora-mysql') || family.startsWith('mysql')) return CATALOG['mysql'] ?? [];
  if (family.startsWith('neptune')) return CATALOG['neptune'] ?? [];
  if (family.startsWith('docdb')) return CATALOG['docdb'] ?? [];
  return [];
}

/** The parameter list of a group: the family's defaults overlaid with the fixture's values (Source "user"). */
export function parameterList(family: string, overrides: Record<string, string>): Record<string, string | boolean | string[] | undefined>[] {
  const out: Record<string, string | boolean | string[] | undefined>[] = [];
  const seen = new Set<string>();
  const row = (p: ParamSpec, value: string | undefined, source: string) => ({
    ParameterName: p.name,
    ParameterValue: value,
    Description: p.description,
    Source: source,
    ApplyType: p.apply,
    DataType: p.type,
    AllowedValues: p.allowed,
    IsModifiable: true,
    ApplyMethod: 'pending-reboot',
    SupportedEngineModes: ['provisioned'],
  });
  for (const p of catalogFor(family)) {
    seen.add(p.name);
    const o = overrides[p.name];
    out.push(o !== undefined ? row(p, o, 'user') : row(p, p.value, 'engine-default'));
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (!seen.has(name)) out.push(row({ name, type: 'string', apply: 'dynamic', description: name }, value, 'user'));
  }
  return out.sort((a, b) => String(a['ParameterName']).localeCompare(String(b['ParameterName'])));
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** A UUID-shaped KMS key id derived from the account, region and name. */
export function keyId(account: string, region: string, name: string): string {
  const h = digest('key', account, region, name);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** An upper-case base32 token like AWS resource ids (cluster-ABC..., db-ABC...). */
export function resourceToken(len: number, ...parts: string[]): string {
  const h = Buffer.from(digest(...parts), 'hex');
  let s = '';
  for (let i = 0; i < len; i++) s += B32[(h[i % h.length] ?? 0) % 32];
  return s;
}

/** The 12-digit account's DR-style fake VPC id, stable per region. */
export function vpcId(account: string, region: string): string {
  return `vpc-${digest('vpc', account, region).slice(0, 17)}`;
}

export function configRuleId(account: string, region: string, name: string): string {
  return `config-rule-${digest('rule', account, region, name).slice(0, 6)}`;
}

/** AWS's automated snapshot name: rds:CLUSTER-YYYY-MM-DD-HH-MM. */
export function automatedSnapshotId(cluster: string, at: Date): string {
  const iso = at.toISOString();
  return `rds:${cluster}-${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}`;
}

export function hostSuffix(account: string, region: string): string {
  return digest('host', account, region).slice(0, 12);
}
