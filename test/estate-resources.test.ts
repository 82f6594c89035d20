// One unreadable resource at a time, and resources that live elsewhere, on the sandbox estate
// (examples/estate/organization.yaml): a key its own account may not describe, a vendor's key
// whose policy allows DescribeKey but not GetKeyRotationStatus, the security account's key
// shared with a member (read once, in its owner's account), an imported key, a snapshot and a
// parameter group deleted while the run reads them. Each is an ERROR on that resource and on the
// findings that need it; everything else in the account and region stays evidence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { readBundle, writeBundle } from '../src/evidence/bundle.js';
import { loadCatalog } from '../src/controls/load.js';
import { evaluate } from '../src/engine/evaluate.js';
import { COLLECTORS } from '../collectors/registry.js';
import type { EvidenceBundle, EvidenceRecord } from '../src/evidence/model.js';
import type { Results } from '../src/engine/results.js';
import { NOW, byCollector, useSandboxEnv } from './collect-helpers.js';
import { ROOT } from './helpers/cli.js';

const ESTATE = new URL('../examples/estate/organization.yaml', import.meta.url).pathname;
const CENTRAL = 'arn:aws:kms:us-east-1:111100000003:key/c0ffee00-0000-4000-8000-000000000003';
const VENDOR = 'arn:aws:kms:us-east-1:999988887777:key/feed0000-0000-4000-8000-000000000777';
const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
let sb: Sandbox;
let tmp: string;
let bundle: EvidenceBundle;
let results: Results;
let calls: Record<string, number>;

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(ESTATE, NOW), port: 0, now: NOW });
  useSandboxEnv(sb.url);
  tmp = await mkdtemp(join(tmpdir(), 'trustpack-resources-'));
  const before = sb.stats().byOperation;
  const collected = await collectEvidence({ regions: ['us-east-1'], orgRole: 'trustpack-audit', toolVersion: 'test', now: () => NOW });
  const after = sb.stats().byOperation;
  calls = Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));
  // through the disk: the error records must survive the bundle's own checks
  await writeBundle(collected, join(tmp, 'b'));
  bundle = await readBundle(join(tmp, 'b'));
  results = evaluate(catalog.controls, bundle, { toolVersion: 'test', now: NOW });
});
afterAll(async () => {
  await sb?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const control = (id: string) => results.controls.find((c) => c.id === id)!;
const finding = (id: string, resource: string | RegExp, account?: string) =>
  control(id).findings.filter((f) => (typeof resource === 'string' ? f.resource === resource : resource.test(f.resource)) && (!account || f.account === account));
const keyRecord = (account: string, arn: string): EvidenceRecord | undefined =>
  byCollector(bundle, 'kms.keys').find((r) => r.source.account === account && r.resource === arn);

describe('per-resource ERROR records', () => {
  it('no collection fails: each unreadable resource is a record naming the call, and the manifest counts them', () => {
    expect(bundle.manifest.collections.filter((c) => c.status === 'error')).toEqual([]);
    const count = (collector: string, account: string) =>
      bundle.manifest.collections.find((c) => c.collector === collector && c.account === account && c.region === 'us-east-1')?.resourceErrors ?? 0;
    expect(count('kms.keys', '111100000002')).toBe(1); // the locked key
    expect(count('kms.keys', '111100000004')).toBe(1); // the vendor key's rotation
    expect(count('kms.keys', '111100000003')).toBe(0);
    expect(count('rds.cluster-snapshots', '111100000002')).toBe(1);
    expect(count('rds.cluster-parameters', '111100000004')).toBe(1);
    expect(count('rds.cluster-tls', '111100000004')).toBe(1);
    expect(count('rds.encryption-keys', '111100000002')).toBeGreaterThanOrEqual(1);
  });

  it('a key its own account may not describe: the usual source fields, the ARN, no data, and the error', () => {
    const locked = byCollector(bundle, 'kms.keys').find((r) => r.error?.operation === 'kms:DescribeKey')!;
    expect(locked.source).toMatchObject({ service: 'kms', account: '111100000002', region: 'us-east-1', parameters: { KeyId: locked.resource } });
    expect(locked.resource).toMatch(/^arn:aws:kms:us-east-1:111100000002:key\//);
    expect(locked.data).toBeNull();
    expect(locked.error).toEqual({ operation: 'kms:DescribeKey', code: 'AccessDeniedException', message: expect.stringMatching(/not authorized to perform: kms:DescribeKey .*explicit deny/) });
    // every KMS control needing it is ERROR on it; the account's other key stands
    for (const id of ['kms-key-enabled', 'kms-cmk-rotation-enabled', 'kms-key-aes-256']) {
      const [f] = finding(id, locked.resource);
      expect(f?.status, id).toBe('ERROR');
      expect(f?.reason).toMatch(/kms:DescribeKey failed with AccessDeniedException/);
      expect(f?.evidence).toEqual([locked.id]);
    }
    expect(finding('kms-key-enabled', /:111100000002:key\//).filter((f) => f.status === 'PASS')).toHaveLength(1);
    // the cluster it encrypts: ERROR on the customer-managed-key control, naming the key
    const [cmk] = finding('rds-cluster-customer-managed-key', /:cluster:locked-db$/);
    expect(cmk?.status).toBe('ERROR');
    expect(cmk?.reason).toContain(locked.resource);
    // controls that do not need the key judge the cluster as usual
    expect(finding('rds-cluster-encrypted-at-rest', /:cluster:locked-db$/)[0]?.status).toBe('PASS');
  });

  it('a vendor key outside the estate: described as far as its policy allows, the rotation an ERROR, the owner named', () => {
    const rec = keyRecord('111100000004', VENDOR)!;
    expect(rec.owner).toBe('999988887777');
    expect((rec.data as { KeyMetadata: { KeyState: string } }).KeyMetadata.KeyState).toBe('Enabled');
    // every field GetKeyRotationStatus answers is unknown; the key's ARN is still known (a vendor
    // key has no alias this account can list)
    expect(rec.error).toMatchObject({ operation: 'kms:GetKeyRotationStatus', code: 'AccessDeniedException', fields: ['KeyRotationEnabled', 'RotationPeriodInDays', 'NextRotationDate'] });
    expect(rec.data).toMatchObject({ KeyRotationEnabled: null, RotationPeriodInDays: null, NextRotationDate: null, Aliases: [], KeyArns: [VENDOR] });
    const [rotation] = finding('kms-cmk-rotation-enabled', VENDOR);
    expect(rotation).toMatchObject({ status: 'ERROR', account: '111100000004', owner: '999988887777' });
    expect(rotation?.reason).toMatch(/kms:GetKeyRotationStatus failed with AccessDeniedException/);
    // what DescribeKey answered still decides the controls that need only that
    expect(finding('kms-key-enabled', VENDOR)[0]).toMatchObject({ status: 'PASS', owner: '999988887777' });
    expect(finding('rds-cluster-customer-managed-key', /:cluster:search-db$/)[0]?.status).toBe('PASS');
  });

  it('the security account\'s key, used by a member: read once, in its owner\'s account, and shared', () => {
    const mine = keyRecord('111100000003', CENTRAL)!;
    const theirs = keyRecord('111100000002', CENTRAL)!;
    expect(mine.error).toBeUndefined();
    expect(theirs.error).toBeUndefined();
    expect(theirs.owner).toBe('111100000003');
    expect(theirs.source.parameters).toEqual({ KeyId: CENTRAL, ReadInAccount: '111100000003' });
    expect(theirs.data).toEqual(mine.data);
    // keys described by kms.keys: aws/rds (mgmt), orders-data + locked (2), central + byok (3), vendor (4): the central
    // key once; kms.customer-keys describes each key its own account lists (ListKeys) once more: 5
    expect(calls['kms:DescribeKey']).toBe(6 + 5);
    // its rotation is off: a FAIL in both accounts, saying who owns it
    expect(finding('kms-cmk-rotation-enabled', CENTRAL, '111100000002')[0]).toMatchObject({ status: 'FAIL', owner: '111100000003' });
    expect(finding('kms-cmk-rotation-enabled', CENTRAL, '111100000003')[0]).toMatchObject({ status: 'FAIL' });
    expect(finding('kms-cmk-rotation-enabled', CENTRAL, '111100000003')[0]?.owner).toBeUndefined();
    expect(finding('rds-cluster-customer-managed-key', /:cluster:payments-db$/)[0]?.status).toBe('PASS');
  });

  it('an imported key answers "cannot rotate", which is not an error', () => {
    const byok = byCollector(bundle, 'kms.keys').find((r) => (r.data as { KeyMetadata?: { Origin?: string } } | null)?.KeyMetadata?.Origin === 'EXTERNAL')!;
    expect(byok.error).toBeUndefined();
    expect((byok.data as { KeyRotationEnabled: unknown }).KeyRotationEnabled).toBeNull();
  });

  it('a snapshot deleted while the run reads it: ERROR where its sharing matters, evidence where it does not', () => {
    const gone = byCollector(bundle, 'rds.cluster-snapshots').find((r) => r.resource.endsWith(':cluster-snapshot:orders-db-gone'))!;
    expect(gone.error).toMatchObject({ operation: 'rds:DescribeDBClusterSnapshotAttributes', code: 'DBClusterSnapshotNotFoundFault', fields: ['DBClusterSnapshotAttributes'] });
    expect(finding('rds-snapshot-not-public', gone.resource)[0]?.status).toBe('ERROR');
    expect(finding('rds-cluster-snapshot-encrypted', gone.resource)[0]?.status).toBe('PASS');
    expect(finding('rds-snapshot-not-public', /:cluster-snapshot:orders-db-keep$/)[0]?.status).toBe('PASS');
  });

  it('a parameter group deleted meanwhile: its cluster\'s TLS finding is ERROR, the other clusters\' stand', () => {
    const [tls] = finding('rds-cluster-tls-enforced', /:cluster:search-db$/);
    expect(tls?.status).toBe('ERROR');
    expect(tls?.reason).toMatch(/rds:DescribeDBClusterParameters failed with DBParameterGroupNotFound/);
    expect(finding('rds-cluster-tls-enforced', /:cluster:orders-db$/)[0]?.status).not.toBe('ERROR');
    // the control is in ERROR (nothing failed outright would make it FAIL) and says why
    const c = control('rds-cluster-tls-enforced');
    if (c.status === 'ERROR') expect(c.reason).toMatch(/could not be read/);
  });
});
