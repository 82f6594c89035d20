// Every control over an RDS collector says which engines it covers (issue 10, points 6 and 8):
// DescribeDBClusters and DescribeDBInstances also return Neptune, DocumentDB and RDS Multi-AZ DB
// clusters, so a control with no Engine condition in its scope would judge them by accident.
// The shipped catalog is read as shipped; then `trustpack check` runs over the sandbox
// organization (examples/estate/organization.yaml, whose member 111100000004 holds those engines
// in eu-west-1) and no control errors or misjudges on them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/controls/load.js';
import { walkComparisons } from '../src/controls/assertion-walk.js';
import type { Assertion, Comparison, Control } from '../src/controls/model.js';
import { COLLECTORS } from '../collectors/registry.js';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import type { Results } from '../src/engine/results.js';
import { ROOT, runCli } from './helpers/cli.js';

const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });

/** Automated controls whose collector returns RDS clusters, instances, snapshots or backups (joins included). */
const readsRds = (c: Control): boolean => c.kind === 'automated' && typeof c.collector === 'string' && c.collector.startsWith('rds.');

/** The scope's Engine comparisons (`in` or `matches`), wherever they sit in the assertion tree. */
function engineConditions(scope: Assertion | undefined): Comparison[] {
  const found: Comparison[] = [];
  if (scope) walkComparisons(scope, ['scope'], (c) => { if (c.path === 'Engine' && (c.op === 'in' || c.op === 'matches')) found.push(c); });
  return found;
}

/** Whether an engine name satisfies an Engine comparison (the two ops the catalog uses for it). */
function covers(c: Comparison, engine: string): boolean {
  if (c.op === 'in') return Array.isArray(c.value) && c.value.includes(engine);
  return new RegExp(String(c.value)).test(engine);
}

// one engine family per row, with the engines DescribeDBClusters/DescribeDBInstances name it by
const FAMILIES: Record<string, string[]> = {
  aurora: ['aurora-mysql', 'aurora-postgresql'],
  'rds mysql/postgres (Multi-AZ DB clusters, instances)': ['mysql', 'postgres'],
  neptune: ['neptune'],
  docdb: ['docdb'],
};

describe('the shipped catalog states the engines of every RDS control', () => {
  const rdsControls = catalog.controls.filter(readsRds);

  it('finds the RDS controls (the check is not vacuous)', () => {
    expect(rdsControls.length).toBeGreaterThanOrEqual(20);
    expect(rdsControls.map((c) => c.id)).toContain('rds-cluster-encrypted-at-rest');
  });

  it('each has an Engine condition (in or matches) in its scope, saying in words what it covers', () => {
    const missing = rdsControls.filter((c) => engineConditions(c.scope).length === 0).map((c) => c.id);
    expect(missing).toEqual([]);
    const silent = rdsControls.filter((c) => engineConditions(c.scope).some((e) => !e.says)).map((c) => c.id);
    expect(silent).toEqual([]);
  });

  it('the walk finds an Engine condition nested under all/any, and misses one that is absent', () => {
    expect(engineConditions({ all: [{ path: 'SnapshotType', op: 'equals', value: 'manual' }, { any: [{ path: 'Engine', op: 'in', value: ['neptune'] }] }] })).toHaveLength(1);
    expect(engineConditions({ path: 'SnapshotType', op: 'equals', value: 'manual' })).toEqual([]);
    expect(engineConditions({ path: 'Engine', op: 'equals', value: 'neptune' })).toEqual([]); // one engine by equals is not a stated family list
    expect(engineConditions(undefined)).toEqual([]);
  });

  it('each has an example for every engine family it covers and one for an engine outside it (not-applicable)', () => {
    const gaps: string[] = [];
    for (const c of rdsControls) {
      const conds = engineConditions(c.scope);
      const inScope = (e: string) => conds.every((k) => covers(k, e));
      const examples = (c.examples ?? []).map((x) => ({ engine: (x.resource as Record<string, unknown> | undefined)?.['Engine'], expect: x.expect }));
      for (const [family, engines] of Object.entries(FAMILIES)) {
        const covered = engines.filter(inScope);
        if (covered.length === 0) continue;
        if (!examples.some((x) => typeof x.engine === 'string' && covered.includes(x.engine))) gaps.push(`${c.id}: no example for ${family}`);
      }
      if (!examples.some((x) => typeof x.engine === 'string' && !inScope(x.engine) && x.expect === 'not-applicable')) {
        gaps.push(`${c.id}: no not-applicable example for an engine outside its scope`);
      }
    }
    expect(gaps).toEqual([]);
  });
});

describe('trustpack check over the sandbox organization, other engines included', () => {
  let sb: Sandbox;
  let tmp: string;
  let results: Results;
  let code: number | null;
  let stderr: string;
  const ENGINES_AT = 'arn:aws:rds:eu-west-1:111100000004:cluster:';

  beforeAll(async () => {
    sb = await startSandbox({ fixture: loadFixture(join(ROOT, 'examples/estate/organization.yaml')), port: 0 });
    tmp = await mkdtemp(join(tmpdir(), 'trustpack-catalog-engines-'));
    const env = {
      AWS_ENDPOINT_URL: sb.url, AWS_ACCESS_KEY_ID: 'AKIDENGINESTEST', AWS_SECRET_ACCESS_KEY: 'engines-secret-never-printed',
      AWS_REGION: 'us-east-1', AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const r = await runCli(['check', '--org-role', 'trustpack-audit', '--regions', 'us-east-1,eu-west-1', '--format', 'json'], { env, cwd: tmp });
    code = r.code;
    stderr = r.stderr;
    results = JSON.parse(r.stdout) as Results;
  }, 120_000);
  afterAll(async () => {
    await sb?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const finding = (control: string, cluster: string) =>
    results.controls.find((c) => c.id === control)!.findings.find((f) => f.resource === `${ENGINES_AT}${cluster}`);

  it('evaluates the estate (its deliberate defects fail the run)', () => {
    expect(code, stderr).toBe(1);
    expect(results.run.regions).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1']));
  });

  it('no finding on a Neptune, DocumentDB or Multi-AZ resource is ERROR', () => {
    const onOtherEngines = results.controls.flatMap((c) => c.findings
      .filter((f) => f.account === '111100000004' && f.region === 'eu-west-1' && !f.resource.endsWith(':*'))
      .map((f) => ({ control: c.id, resource: f.resource, status: f.status, reason: f.reason })));
    // the clusters, their instances and snapshots are judged at all
    for (const id of ['graph-db', 'docs-db', 'orders-maz', 'ledger-maz']) {
      expect(onOtherEngines.some((f) => f.resource === `${ENGINES_AT}${id}`), id).toBe(true);
    }
    expect(onOtherEngines.filter((f) => f.status === 'ERROR')).toEqual([]);
  });

  it('a Neptune or DocumentDB cluster is encrypted or not like any other; Multi-AZ clusters are judged on their own fields', () => {
    expect(finding('rds-cluster-encrypted-at-rest', 'graph-db')?.status).toBe('PASS');
    expect(finding('rds-cluster-encrypted-at-rest', 'docs-db')?.status).toBe('PASS');
    expect(finding('rds-cluster-encrypted-at-rest', 'ledger-maz')?.status).toBe('FAIL');
    expect(finding('rds-cluster-customer-managed-key', 'graph-db')?.status).toBe('PASS');
    expect(finding('rds-cluster-customer-managed-key', 'docs-db')?.status).toBe('FAIL'); // aws/rds
    expect(finding('rds-cluster-deletion-protection', 'graph-db')?.status).toBe('PASS');
    expect(finding('rds-cluster-members-multi-az', 'docs-db')?.status).toBe('FAIL'); // one instance
    expect(finding('rds-cluster-members-multi-az', 'orders-maz')?.status).toBe('PASS');
  });

  it('engine-specific TLS checks judge each engine by its own parameter and leave the others out', () => {
    expect(finding('rds-cluster-tls-enforced', 'graph-db')?.status).toBe('PASS'); // neptune_enforce_ssl 1
    expect(finding('rds-cluster-tls-enforced', 'docs-db')?.status).toBe('PASS'); // tls enabled
    expect(finding('rds-cluster-tls-enforced', 'orders-maz')?.status).toBe('FAIL'); // require_secure_transport OFF
    expect(finding('rds-cluster-tls-enforced', 'ledger-maz')?.status).toBe('PASS'); // rds.force_ssl 1 on PostgreSQL 16
    // Aurora-only controls have no finding at all on the other engines (NOT_APPLICABLE)
    for (const id of ['graph-db', 'docs-db', 'orders-maz', 'ledger-maz']) {
      expect(finding('rds-cluster-tls-minimum-version', id), id).toBeUndefined();
      expect(finding('rds-cluster-audit-logs-exported', id), id).toBeUndefined();
    }
    // Aurora storage: the Multi-AZ DB cluster fails (EBS, three copies); Neptune is out of scope
    expect(finding('rds-cluster-aurora-storage', 'orders-maz')?.status).toBe('FAIL');
    expect(finding('rds-cluster-aurora-storage', 'graph-db')).toBeUndefined();
    // standard support: RDS for MySQL 8.0 left standard support on 2026-07-31; Neptune has no window in this API
    expect(finding('rds-engine-standard-support', 'orders-maz')?.status).toBe('FAIL');
    expect(finding('rds-engine-standard-support', 'graph-db')).toBeUndefined();
  });
});
