// The lowest TLS version an Aurora engine version accepts when its cluster parameter group leaves
// the minimum-version parameter unset (tls_version for Aurora MySQL, ssl_min_protocol_version for
// Aurora PostgreSQL). Written from the sources named on each row; a version no row matches has
// no known default, and the control reads that as missing evidence (ERROR), never as a pass.
// When AWS changes a default, add a row with its source; never widen a pattern by guesswork.

export interface TlsDefault {
  engine: 'aurora-mysql' | 'aurora-postgresql';
  /** which engine versions (EngineVersion as DescribeDBClusters returns it) the row covers */
  versions: RegExp;
  parameter: 'tls_version' | 'ssl_min_protocol_version';
  /** the parameter's default as the engine applies it */
  defaultValue: string;
  sources: string[];
}

export const TLS_DEFAULTS: readonly TlsDefault[] = [
  {
    engine: 'aurora-mysql', versions: /^5\.7\.mysql_aurora\.2\./, parameter: 'tls_version', defaultValue: 'TLSv1,TLSv1.1,TLSv1.2',
    sources: [
      'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html (TLS 1.0, 1.1 and 1.2 on Aurora MySQL version 2)',
      'https://dev.mysql.com/doc/refman/5.7/en/encrypted-connection-protocols-ciphers.html (tls_version default)',
    ],
  },
  {
    // Aurora MySQL 3.01-3.03 are MySQL 8.0.23 and 8.0.26, before MySQL 8.0.28 dropped TLS 1.0 and 1.1
    engine: 'aurora-mysql', versions: /^8\.0\.mysql_aurora\.3\.0[0-3]\./, parameter: 'tls_version', defaultValue: 'TLSv1,TLSv1.1,TLSv1.2,TLSv1.3',
    sources: [
      'https://dev.mysql.com/doc/refman/8.0/en/encrypted-connection-protocols-ciphers.html (before 8.0.28: TLSv1,TLSv1.1,TLSv1.2,TLSv1.3)',
      'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraMySQLReleaseNotes/AuroraMySQL.Updates.30Updates.html (3.01-3.03 MySQL 8.0.23/8.0.26)',
    ],
  },
  {
    engine: 'aurora-mysql', versions: /^8\.0\.mysql_aurora\.3\.(0[4-9]|[1-9]\d)\./, parameter: 'tls_version', defaultValue: 'TLSv1.2,TLSv1.3',
    sources: [
      'https://dev.mysql.com/doc/refman/8.0/en/encrypted-connection-protocols-ciphers.html (from 8.0.28: TLSv1.2,TLSv1.3)',
      'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html (Aurora MySQL version 3: TLS 1.2 and 1.3)',
    ],
  },
  {
    // PostgreSQL 11 has no ssl_min_protocol_version: every TLS version the library offers is accepted
    engine: 'aurora-postgresql', versions: /^(9\.6|10|11)\./, parameter: 'ssl_min_protocol_version', defaultValue: 'TLSv1',
    sources: ['https://www.postgresql.org/docs/11/runtime-config-connection.html (no minimum-version setting)'],
  },
  {
    engine: 'aurora-postgresql', versions: /^12\./, parameter: 'ssl_min_protocol_version', defaultValue: 'TLSv1',
    sources: ['https://www.postgresql.org/docs/12/runtime-config-connection.html#GUC-SSL-MIN-PROTOCOL-VERSION (default TLSv1)'],
  },
  {
    engine: 'aurora-postgresql', versions: /^(13|14|15|16|17)\./, parameter: 'ssl_min_protocol_version', defaultValue: 'TLSv1.2',
    sources: [
      'https://www.postgresql.org/docs/13/release-13.html (default of ssl_min_protocol_version changed to TLSv1.2)',
      'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html (ssl_min_protocol_version)',
    ],
  },
];

/** The minimum-version parameter of an engine, or null when we know none. */
export function minTlsParameter(engine: string | undefined): TlsDefault['parameter'] | null {
  if (engine === 'aurora-mysql') return 'tls_version';
  if (engine === 'aurora-postgresql') return 'ssl_min_protocol_version';
  return null;
}

export function tlsDefault(engine: string | undefined, version: string | undefined): TlsDefault | undefined {
  if (!engine || !version) return undefined;
  return TLS_DEFAULTS.find((d) => d.engine === engine && d.versions.test(version));
}

const ORDER = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * The lowest protocol a value allows: tls_version is a list ("TLSv1.2,TLSv1.3"),
 * ssl_min_protocol_version one name. null when a name is not one we know.
 */
export function lowestTls(value: string): string | null {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0 || names.some((n) => !ORDER.includes(n))) return null;
  return names.sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))[0]!;
}
