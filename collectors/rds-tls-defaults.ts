// The lowest TLS version an Aurora engine version accepts when its cluster parameter group leaves
// the minimum-version parameter unset (tls_version for Aurora MySQL, ssl_min_protocol_version for
// Aurora PostgreSQL), per engine version. A row stays only when an AWS page states the value FOR
// AURORA (`awsSource`); a value inferred from community MySQL or PostgreSQL is not a row (issue
// 18: Aurora MySQL 3.01-3.03 were inferred from MySQL 8.0.23/8.0.26 and are gone). Order of
// sources in rds.cluster-tls-version: the group's own value, then a row of this table (a
// per-version statement beats DescribeEngineDefaultClusterParameters, which answers per family and
// cannot tell minor versions apart), then the engine default the API returns, else ERROR.
// When AWS changes a default, add a row with its AWS source; never widen a pattern by guesswork.

export interface TlsDefault {
  engine: 'aurora-mysql' | 'aurora-postgresql';
  /** which engine versions (EngineVersion as DescribeDBClusters returns it) the row covers */
  versions: RegExp;
  parameter: 'tls_version' | 'ssl_min_protocol_version';
  /** the parameter's default as the engine applies it */
  defaultValue: string;
  /** the AWS page (with the sentence it comes from) that states this value for Aurora */
  awsSource: string;
  /** further reading, never the reason for the row */
  sources: string[];
}

export const TLS_DEFAULTS: readonly TlsDefault[] = [
  {
    engine: 'aurora-mysql', versions: /^5\.7\.mysql_aurora\.2\./, parameter: 'tls_version', defaultValue: 'TLSv1,TLSv1.1,TLSv1.2',
    awsSource: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html (Aurora MySQL version 2 supports TLS 1.0, 1.1 and 1.2)',
    sources: ['https://dev.mysql.com/doc/refman/5.7/en/encrypted-connection-protocols-ciphers.html (tls_version default)'],
  },
  {
    engine: 'aurora-mysql', versions: /^8\.0\.mysql_aurora\.3\.(0[4-9]|[1-9]\d)\./, parameter: 'tls_version', defaultValue: 'TLSv1.2,TLSv1.3',
    awsSource: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html (Aurora MySQL version 3.04 and higher: TLS 1.2 and 1.3)',
    sources: ['https://dev.mysql.com/doc/refman/8.0/en/encrypted-connection-protocols-ciphers.html (from 8.0.28: TLSv1.2,TLSv1.3)'],
  },
  {
    engine: 'aurora-postgresql', versions: /^(13|14|15|16|17)\./, parameter: 'ssl_min_protocol_version', defaultValue: 'TLSv1.2',
    awsSource: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html (ssl_min_protocol_version: TLSv1.2 by default)',
    sources: ['https://www.postgresql.org/docs/13/release-13.html (default of ssl_min_protocol_version changed to TLSv1.2)'],
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

/**
 * The cluster parameter-group family of an Aurora engine version, as AWS names families
 * (aurora-mysql5.7, aurora-mysql8.0, aurora-postgresql15): the argument
 * DescribeEngineDefaultClusterParameters takes. null for engines whose TLS minimum we do not read.
 */
export function clusterParameterGroupFamily(engine: string | undefined, version: string | undefined): string | null {
  if (!version) return null;
  if (engine === 'aurora-mysql') {
    const m = /^(5\.7|8\.0)\.mysql_aurora\./.exec(version);
    return m ? `aurora-mysql${m[1]!}` : null;
  }
  if (engine === 'aurora-postgresql') {
    const m = /^(9\.6|\d{2,})(\.|$)/.exec(version);
    return m ? `aurora-postgresql${m[1]!}` : null;
  }
  return null;
}
