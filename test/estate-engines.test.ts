// What else RDS returns (test/fixtures/sandbox/engines.yaml): Neptune, DocumentDB, Multi-AZ DB
// clusters, Serverless v2, a stopped cluster, global database secondaries without a writer, and an
// empty last page named by a marker. The whole catalog runs over them: no control errors, and the
// verdicts are the right ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { loadCatalog } from '../src/controls/load.js';
import { evaluate } from '../src/engine/evaluate.js';
import { COLLECTORS } from '../collectors/registry.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import type { Results } from '../src/engine/results.js';
import { NOW, byCollector, data, useSandboxEnv } from './collect-helpers.js';
import { ROOT } from './helpers/cli.js';

const ENGINES = new URL('./fixtures/sandbox/engines.yaml', import.meta.url).pathname;
const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
let sb: Sandbox;
let bundle: EvidenceBundle;
let results: Results;
let calls: Record<string, number>;

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(ENGINES, NOW), port: 0, now: NOW });
  useSandboxEnv(sb.url);
  bundle = await collectEvidence({ regions: ['us-east-1', 'eu-central-1'], toolVersion: 'test', now: () => NOW });
  calls = sb.stats().byOperation;
  results = evaluate(catalog.controls, bundle, { toolVersion: 'test', now: NOW });
});
afterAll(async () => { await sb?.close(); });

const verdict = (control: string, cluster: string) =>
  results.controls.find((c) => c.id === control)!.findings.find((f) => f.resource.endsWith(`:cluster:${cluster}`))?.status;

describe('other engines and shapes', () => {
  it('every cluster and instance is read, the empty last page included, and nothing fails to collect', () => {
    expect(bundle.manifest.collections.filter((c) => c.status === 'error' || c.resourceErrors)).toEqual([]);
    const clusters = byCollector(bundle, 'rds.db-clusters').map((r) => `${data(r)['Engine']}:${data(r)['DBClusterIdentifier']}`).sort();
    expect(clusters).toEqual([
      'aurora-mysql:paused-db', 'aurora-postgresql:ledger-global-eu', 'aurora-postgresql:orders-global-eu', 'aurora-postgresql:sv2-db',
      'docdb:docs-db', 'mysql:orders-maz', 'neptune:graph-db', 'postgres:ledger-maz',
    ]);
    // us-east-1 answered with a marker on its only page, then an empty page: two calls there, one in eu-central-1
    expect(calls['rds:DescribeDBClusters']).toBe(3);
    const sv2 = byCollector(bundle, 'rds.db-clusters').find((r) => data(r)['DBClusterIdentifier'] === 'sv2-db');
    expect(data(sv2)['ServerlessV2ScalingConfiguration']).toEqual({ MinCapacity: 0.5, MaxCapacity: 8 });
    expect(byCollector(bundle, 'rds.db-instances').filter((r) => data(r)['DBInstanceClass'] === 'db.serverless')).toHaveLength(2);
  });

  it('no automated control is in ERROR on any engine', () => {
    // the run-level finding of rds-data-residency (needs_every_region: this run names its regions
    // instead of --regions all) is about the run, not about any engine
    const errors = results.controls.flatMap((c) => c.findings.filter((f) => f.status === 'ERROR' && !f.resource.endsWith(':*')).map((f) => `${c.id} ${f.resource}: ${f.reason}`));
    expect(errors).toEqual([]);
  });

  it('a Neptune or DocumentDB cluster is encrypted or not like any other; Multi-AZ DB clusters are judged on their own fields', () => {
    expect(verdict('rds-cluster-encrypted-at-rest', 'graph-db')).toBe('PASS');
    expect(verdict('rds-cluster-encrypted-at-rest', 'docs-db')).toBe('PASS');
    expect(verdict('rds-cluster-encrypted-at-rest', 'ledger-maz')).toBe('FAIL');
    expect(verdict('rds-cluster-customer-managed-key', 'graph-db')).toBe('PASS');
    expect(verdict('rds-cluster-customer-managed-key', 'docs-db')).toBe('FAIL'); // aws/rds
    expect(verdict('rds-cluster-deletion-protection', 'graph-db')).toBe('PASS');
    // a Multi-AZ DB cluster with require_secure_transport OFF does not enforce TLS
    expect(verdict('rds-cluster-tls-enforced', 'orders-maz')).toBe('FAIL');
    expect(verdict('rds-cluster-tls-enforced', 'ledger-maz')).toBe('PASS'); // RDS for PostgreSQL 16 forces SSL by default
    const tls = byCollector(bundle, 'rds.cluster-tls');
    expect(tls.map((r) => [data(r)['DBClusterIdentifier'], data(r)['TlsParameterName'], data(r)['TlsParameterValue']]).filter(([id]) => id === 'graph-db' || id === 'docs-db').sort())
      .toEqual([['docs-db', 'tls', 'enabled'], ['graph-db', 'neptune_enforce_ssl', '1']]);
  });

  it('global database secondaries: readers only are judged on their zones, a headless one is out of scope', () => {
    const topo = byCollector(bundle, 'rds.cluster-topology');
    const eu = topo.find((r) => data(r)['DBClusterIdentifier'] === 'orders-global-eu');
    expect(data(eu)).toMatchObject({ HasWriter: false, MemberCount: 2, GlobalClusterIdentifier: 'orders-global' });
    expect(verdict('rds-cluster-members-multi-az', 'orders-global-eu')).toBe('PASS');
    expect(verdict('rds-cluster-members-multi-az', 'ledger-global-eu')).toBeUndefined();
    expect(verdict('rds-cluster-members-multi-az', 'paused-db')).toBe('PASS');
  });
});
