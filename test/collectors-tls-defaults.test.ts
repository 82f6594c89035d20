// The vendored table of engine TLS defaults and the helpers the catalog's joins rely on.
import { describe, expect, it } from 'vitest';
import { clusterParameterGroupFamily, lowestTls, minTlsParameter, tlsDefault, TLS_DEFAULTS } from '../collectors/rds-tls-defaults.js';
import { majorOf } from '../collectors/rds-engine-lifecycles.js';
import { listValue } from '../collectors/cluster-parameter-values.js';

describe('TLS defaults table', () => {
  it('names a source for every row, and rows never overlap', () => {
    for (const row of TLS_DEFAULTS) expect(row.sources.every((s) => /^https:\/\//.test(s)), row.defaultValue).toBe(true);
    // issue 18: a row stays only when an AWS page states the value for Aurora
    for (const row of TLS_DEFAULTS) expect(row.awsSource, row.defaultValue).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/AmazonRDS\/latest\/AuroraUserGuide\/Aurora/);
    const versions = ['5.7.mysql_aurora.2.11.4', '8.0.mysql_aurora.3.02.0', '8.0.mysql_aurora.3.05.2', '8.0.mysql_aurora.3.10.0', '11.9', '12.16', '13.12', '15.4', '17.2'];
    for (const v of versions) {
      const hits = TLS_DEFAULTS.filter((d) => d.versions.test(v));
      expect(hits.length, v).toBeLessThanOrEqual(1);
    }
  });

  it('knows the defaults of the versions it lists, and nothing else', () => {
    expect(tlsDefault('aurora-mysql', '5.7.mysql_aurora.2.11.4')?.defaultValue).toBe('TLSv1,TLSv1.1,TLSv1.2');
    // 3.01-3.03 were inferred from community MySQL 8.0.23/8.0.26: no AWS page states them, no row
    expect(tlsDefault('aurora-mysql', '8.0.mysql_aurora.3.02.0')).toBeUndefined();
    expect(tlsDefault('aurora-mysql', '8.0.mysql_aurora.3.05.2')?.defaultValue).toBe('TLSv1.2,TLSv1.3');
    // PostgreSQL 12 and older: only postgresql.org states a default, so the engine default the API returns decides
    expect(tlsDefault('aurora-postgresql', '12.16')).toBeUndefined();
    expect(tlsDefault('aurora-postgresql', '15.4')?.defaultValue).toBe('TLSv1.2');
    // an engine version the table does not know has no default: the control makes it ERROR
    expect(tlsDefault('aurora-postgresql', '18.0')).toBeUndefined();
    expect(tlsDefault('aurora-mysql', '9.0.mysql_aurora.4.00.0')).toBeUndefined();
    expect(tlsDefault('neptune', '1.3.0')).toBeUndefined();
    expect(minTlsParameter('aurora-mysql')).toBe('tls_version');
    expect(minTlsParameter('aurora-postgresql')).toBe('ssl_min_protocol_version');
    expect(minTlsParameter('docdb')).toBeNull();
    expect(clusterParameterGroupFamily('aurora-mysql', '8.0.mysql_aurora.3.05.2')).toBe('aurora-mysql8.0');
    expect(clusterParameterGroupFamily('aurora-mysql', '5.7.mysql_aurora.2.11.4')).toBe('aurora-mysql5.7');
    expect(clusterParameterGroupFamily('aurora-postgresql', '15.4')).toBe('aurora-postgresql15');
    expect(clusterParameterGroupFamily('aurora-postgresql', '9.6.22')).toBe('aurora-postgresql9.6');
    expect(clusterParameterGroupFamily('neptune', '1.3.0')).toBeNull();
  });

  it('reads the lowest protocol a value allows, and refuses names it does not know', () => {
    expect(lowestTls('TLSv1.2,TLSv1.3')).toBe('TLSv1.2');
    expect(lowestTls('TLSv1.3, TLSv1.1')).toBe('TLSv1.1');
    expect(lowestTls('TLSv1')).toBe('TLSv1');
    expect(lowestTls('SSLv3')).toBeNull();
    expect(lowestTls('')).toBeNull();
  });
});

describe('join helpers', () => {
  it('majorOf picks the longest major version the engine version starts with', () => {
    expect(majorOf('8.0.mysql_aurora.3.05.2', ['5.7', '8.0'])).toBe('8.0');
    expect(majorOf('15.4', ['14', '15', '16'])).toBe('15');
    expect(majorOf('16', ['16'])).toBe('16');
    expect(majorOf('150.1', ['15'])).toBeNull();
  });

  it('listValue splits comma-separated parameter values', () => {
    expect(listValue('pg_stat_statements, pgaudit')).toEqual(['pg_stat_statements', 'pgaudit']);
    expect(listValue(null)).toEqual([]);
  });
});
