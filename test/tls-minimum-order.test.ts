// Issue 18, "TLS defaults": the lowest TLS version an Aurora cluster accepts comes from its
// parameter group, then a per-version row citing an AWS page for Aurora, then the engine default
// DescribeEngineDefaultClusterParameters returns for the family (paged with Marker inside
// EngineDefaults), else ERROR naming what was missing; every finding names the source that
// decided. Before this, the table (with rows inferred from community MySQL) was the only fallback:
// Aurora MySQL 3.02 was judged from MySQL 8.0.26, and PostgreSQL 12 from postgresql.org.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { COLLECTORS } from '../collectors/registry.js';
import { loadCatalog } from '../src/controls/load.js';
import { evaluate } from '../src/engine/evaluate.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import type { ControlResult } from '../src/engine/results.js';
import { NOW, byCollector, data, useSandboxEnv } from './collect-helpers.js';
import { ROOT } from './helpers/cli.js';

const AT = 'arn:aws:rds:us-east-1:333344445555:cluster:';
let sb: Sandbox;
let bundle: EvidenceBundle;
let result: ControlResult;

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(join(ROOT, 'test/fixtures/sandbox/tls-order.yaml'), NOW), port: 0, now: NOW });
  useSandboxEnv(sb.url);
  bundle = await collectEvidence({
    regions: ['us-east-1'], toolVersion: '0.1.0-test', now: () => NOW,
    collectors: ['rds.db-clusters', 'rds.cluster-parameters', 'rds.engine-default-cluster-parameters', 'rds.cluster-tls-version'],
  });
  const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
  const control = catalog.controls.find((c) => c.id === 'rds-cluster-tls-minimum-version')!;
  result = evaluate([control], bundle, { toolVersion: 't', now: NOW }).controls[0]!;
}, 60_000);
afterAll(async () => { await sb?.close(); });

const finding = (id: string) => result.findings.find((f) => f.resource === `${AT}${id}`)!;

describe('TLS minimum version: which source decides', () => {
  it('reads every page of the engine defaults of each family in use, once per family', () => {
    const recs = byCollector(bundle, 'rds.engine-default-cluster-parameters');
    expect(recs.map((r) => data(r)['DBParameterGroupFamily']).sort()).toEqual(['aurora-mysql8.0', 'aurora-postgresql11', 'aurora-postgresql12', 'aurora-postgresql14']);
    const pg12 = recs.find((r) => data(r)['DBParameterGroupFamily'] === 'aurora-postgresql12')!;
    // 130 filler rows + the catalog's: more than MaxRecords 100, so the Marker was followed
    expect(data(pg12)['Parameters'].length).toBeGreaterThan(130);
    expect(data(pg12)['Parameters'].find((p: { ParameterName: string }) => p.ParameterName === 'ssl_min_protocol_version')).toMatchObject({ ParameterValue: 'TLSv1.2', Source: 'engine-default' });
    expect(pg12.source).toMatchObject({ service: 'rds', operation: 'DescribeEngineDefaultClusterParameters', parameters: { DBParameterGroupFamily: 'aurora-postgresql12' } });
  });

  it('the AWS CLI reads the sandbox\'s DescribeEngineDefaultClusterParameters, every page (an independent client)', async () => {
    const cli = async (...args: string[]) => JSON.parse((await promisify(execFile)('/usr/bin/aws', [
      'rds', 'describe-engine-default-cluster-parameters', '--db-parameter-group-family', 'aurora-postgresql12', ...args,
      '--region', 'us-east-1', '--endpoint-url', sb.url, '--output', 'json',
    ], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', AWS_ACCESS_KEY_ID: 'AKIASANDBOXCLI000000',
        AWS_SECRET_ACCESS_KEY: 'dummy', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '',
      },
      timeout: 60_000,
    })).stdout) as { EngineDefaults: { DBParameterGroupFamily?: string; Marker?: string; Parameters: { ParameterName: string; ParameterValue?: string }[] } };
    // one page of 20: the family and a Marker inside EngineDefaults, as the API reference shapes them
    const first = await cli('--max-records', '20', '--no-paginate');
    expect(first.EngineDefaults).toMatchObject({ DBParameterGroupFamily: 'aurora-postgresql12', Marker: expect.any(String) });
    expect(first.EngineDefaults.Parameters).toHaveLength(20);
    // the CLI's own paginator, 50 a page, follows EngineDefaults.Marker to the end: what the collector read
    const all = await cli('--page-size', '50');
    const rec = byCollector(bundle, 'rds.engine-default-cluster-parameters').find((r) => data(r)['DBParameterGroupFamily'] === 'aurora-postgresql12');
    expect(all.EngineDefaults.Parameters.map((p) => p.ParameterName)).toEqual(data(rec)['Parameters'].map((p: { ParameterName: string }) => p.ParameterName));
    expect(all.EngineDefaults.Parameters.find((p) => p.ParameterName === 'ssl_min_protocol_version')?.ParameterValue).toBe('TLSv1.2');
  }, 60_000);

  it('the parameter group decides first', () => {
    expect(finding('pg14-group')).toMatchObject({ status: 'FAIL', values: { MinTlsSource: 'parameter-group', MinimumTlsVersion: 'TLSv1.1' } });
  });

  it('a cited per-version row wins over the family\'s engine default', () => {
    // the sandbox's aurora-mysql8.0 default accepts TLSv1: the row for 3.04+ (an AWS page) decides
    const rec = byCollector(bundle, 'rds.cluster-tls-version').find((r) => data(r)['DBClusterIdentifier'] === 'mysql305-table');
    expect(data(rec)).toMatchObject({ EngineDefaultValue: 'TLSv1,TLSv1.1,TLSv1.2,TLSv1.3', MinTlsSource: 'version-table' });
    expect(data(rec)['DefaultSources'][0]).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/AmazonRDS\/latest\/AuroraUserGuide\/AuroraMySQL\.Security\.html/);
    expect(finding('mysql305-table')).toMatchObject({ status: 'PASS', values: { MinTlsSource: 'version-table', MinimumTlsVersion: 'TLSv1.2' } });
  });

  it('with no cited row, the engine default the API returns decides (found on a later page)', () => {
    expect(finding('pg12-api')).toMatchObject({ status: 'PASS', values: { MinTlsSource: 'engine-defaults-api', MinimumTlsVersion: 'TLSv1.2' } });
    // Aurora MySQL 3.02 had a row inferred from community MySQL; now the family's default decides
    expect(finding('mysql302-api')).toMatchObject({ status: 'FAIL', values: { MinTlsSource: 'engine-defaults-api', MinimumTlsVersion: 'TLSv1' } });
    const rec = byCollector(bundle, 'rds.cluster-tls-version').find((r) => data(r)['DBClusterIdentifier'] === 'pg12-api')!;
    const fam = byCollector(bundle, 'rds.engine-default-cluster-parameters').find((r) => data(r)['DBParameterGroupFamily'] === 'aurora-postgresql12')!;
    expect(rec.source.derivedFrom).toContain(fam.id);
  });

  it('with neither, ERROR with the reason', () => {
    const f = finding('pg11-none');
    expect(f.status).toBe('ERROR');
    expect(f.values?.['MinTlsUnknownReason']).toBe('parameter group default.aurora-postgresql11 leaves ssl_min_protocol_version unset, no row of '
      + 'collectors/rds-tls-defaults.ts cites an AWS page for aurora-postgresql 11.21, and DescribeEngineDefaultClusterParameters for '
      + 'aurora-postgresql11 returns ssl_min_protocol_version without a ParameterValue');
  });
});
