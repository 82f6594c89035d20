import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/engine/evaluate.js';
import { resolveParameters } from '../src/engine/parameters.js';
import { expandConfigRule } from '../src/controls/expand.js';
import type { Attestation, Control, Waiver } from '../src/controls/model.js';
import { bundle, collection, complete, record } from './engine-helpers.js';

const now = new Date('2026-11-28T12:00:00Z');
const ACC = '111122223333';
const REGIONS = ['us-east-1', 'eu-central-1'];
const arn = (region: string, name: string): string => `arn:aws:rds:${region}:${ACC}:cluster:${name}`;

const encrypted: Control = {
  id: 'rds-cluster-encrypted-at-rest', title: 'Encrypted', description: 'd', severity: 'high', kind: 'automated',
  collector: 'rds.db-clusters', assert: { path: 'StorageEncrypted', op: 'equals', value: true },
  frameworks: { soc2: ['CC6.1'], 'pci-dss-4.0.1': ['3.5.1'] }, remediation: 'r',
};
const multiAz: Control = {
  id: 'rds-cluster-members-multi-az', title: 'Multi-AZ', description: 'd', severity: 'medium', kind: 'automated',
  collector: 'rds.cluster-topology', scope: { path: 'Engine', op: 'matches', value: '^aurora' },
  assert: { path: 'MemberAvailabilityZones', op: 'length-greater-or-equal', param: 'min_member_zones' },
  parameters: { min_member_zones: { type: 'count', default: 2, description: 'zones', unit: 'zones' } },
  frameworks: { soc2: ['A1.2'] }, remediation: 'r',
};
const trail: Control = expandConfigRule({
  id: 'cloudtrail-log-file-validation', title: 'Trail', description: 'd', severity: 'medium', kind: 'automated',
  config_rule: 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED', frameworks: { soc2: ['CC7.2'] }, remediation: 'r',
});
const manual: Control = {
  id: 'manual-backup-restore-test', title: 'Restore test', description: 'd', severity: 'high', kind: 'manual',
  attestation: { evidence: 'restore test report', max_age_days: 365 }, frameworks: { soc2: ['A1.2'] }, remediation: 'r',
};

const clusters = (enc: Record<string, boolean>) =>
  Object.entries(enc).map(([name, v]) => record('rds.db-clusters', ACC, name.startsWith('eu') ? 'eu-central-1' : 'us-east-1', arn(name.startsWith('eu') ? 'eu-central-1' : 'us-east-1', name), { DBClusterIdentifier: name, StorageEncrypted: v }));

const opts = { toolVersion: '0.1.0', now };

describe('automated controls', () => {
  it('PASS when every scope is collected and every resource satisfies the assertion', () => {
    const recs = clusters({ 'us-orders': true, 'eu-customers': true });
    const r = evaluate([encrypted], bundle([ACC], REGIONS, complete('rds.db-clusters', [ACC], REGIONS), recs), opts);
    const c = r.controls[0]!;
    expect(c.status).toBe('PASS');
    expect(c.asserts).toBe('StorageEncrypted equals true');
    expect(c.findings.map((f) => [f.resource, f.status, f.evidence])).toEqual([
      [arn('us-east-1', 'us-orders'), 'PASS', [recs[0]!.id]],
      [arn('eu-central-1', 'eu-customers'), 'PASS', [recs[1]!.id]],
    ]);
    expect(c.findings[0]!.values).toEqual({ StorageEncrypted: true });
    expect(r.summary).toEqual({ PASS: 1, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0, MANUAL: 0, WAIVED: 0 });
    expect(r.run).toEqual({ id: 'run-1', startedAt: '2026-11-28T10:00:00.000Z', endedAt: '2026-11-28T10:05:00.000Z', evaluatedAt: now.toISOString(), accounts: [ACC], regions: REGIONS, asOf: '2026-11-28T10:00:00.000Z', source: 'live' });
    expect(r.tool).toEqual({ name: 'trustpack', version: '0.1.0' });
  });

  it('FAIL names the deciding value', () => {
    const recs = clusters({ 'us-orders': true, 'eu-analytics': false });
    const c = evaluate([encrypted], bundle([ACC], REGIONS, complete('rds.db-clusters', [ACC], REGIONS), recs), opts).controls[0]!;
    expect(c.status).toBe('FAIL');
    const f = c.findings.find((x) => x.status === 'FAIL')!;
    expect(f).toMatchObject({ resource: arn('eu-central-1', 'eu-analytics'), account: ACC, region: 'eu-central-1', reason: 'StorageEncrypted is false, expected true', values: { StorageEncrypted: false } });
    expect(c.reason).toContain('StorageEncrypted is false, expected true');
  });

  it('ERROR, never PASS, when a region errored; the finding names the collector and the error', () => {
    const cols = [collection('rds.db-clusters', ACC, 'us-east-1'), collection('rds.db-clusters', ACC, 'eu-central-1', { code: 'AccessDenied', message: 'not authorized to rds:DescribeDBClusters' })];
    const c = evaluate([encrypted], bundle([ACC], REGIONS, cols, clusters({ 'us-orders': true })), opts).controls[0]!;
    expect(c.status).toBe('ERROR');
    const e = c.findings.find((f) => f.status === 'ERROR')!;
    expect(e.resource).toBe(`arn:aws:rds:eu-central-1:${ACC}:*`);
    expect(e.reason).toBe(`collector rds.db-clusters failed: AccessDenied: not authorized to rds:DescribeDBClusters (account ${ACC}, eu-central-1)`);
  });

  it('ERROR when a collection is missing, even if records for that region exist', () => {
    const recs = clusters({ 'us-orders': true, 'eu-customers': true });
    const c = evaluate([encrypted], bundle([ACC], REGIONS, [collection('rds.db-clusters', ACC, 'us-east-1')], recs), opts).controls[0]!;
    expect(c.status).toBe('ERROR');
    expect(c.findings.map((f) => [f.region, f.status])).toEqual([['us-east-1', 'PASS'], ['eu-central-1', 'ERROR']]);
    expect(c.findings[1]!.reason).toContain('collector rds.db-clusters did not run');
  });

  it('FAIL outranks ERROR', () => {
    const cols = [collection('rds.db-clusters', ACC, 'us-east-1'), collection('rds.db-clusters', ACC, 'eu-central-1', { code: 'Throttling', message: 'Rate exceeded' })];
    expect(evaluate([encrypted], bundle([ACC], REGIONS, cols, clusters({ 'us-orders': false })), opts).controls[0]!.status).toBe('FAIL');
  });

  it('NOT_APPLICABLE when everything was collected and nothing is in scope', () => {
    const topo = [record('rds.cluster-topology', ACC, 'us-east-1', arn('us-east-1', 'x'), { Engine: 'postgres', MemberAvailabilityZones: ['a'] })];
    const r = evaluate([multiAz], bundle([ACC], REGIONS, complete('rds.cluster-topology', [ACC], REGIONS), topo), opts);
    expect(r.controls[0]!.status).toBe('NOT_APPLICABLE');
    expect(r.controls[0]!.findings).toEqual([]);
    expect(r.summary.NOT_APPLICABLE).toBe(1);
  });

  it('when_none_in_scope: fail gives a FAIL for the scope without the resource', () => {
    const ev = (region: string, rule: string, compliance: string) =>
      record('config.rule-evaluations', ACC, region, `arn:aws:cloudtrail:${region}:${ACC}:trail/t`, { SourceIdentifier: rule, SourceOwner: 'AWS', ComplianceType: compliance, RecorderRecording: true });
    const recs = [ev('us-east-1', 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED', 'COMPLIANT'), ev('eu-central-1', 'RDS_STORAGE_ENCRYPTED', 'COMPLIANT')];
    const c = evaluate([trail], bundle([ACC], REGIONS, complete('config.rule-evaluations', [ACC], REGIONS), recs), opts).controls[0]!;
    expect(c.status).toBe('FAIL');
    expect(c.findings.map((f) => [f.resource, f.status, f.reason])).toEqual([
      [`arn:aws:cloudtrail:us-east-1:${ACC}:trail/t`, 'PASS', `holds: ComplianceType equals "COMPLIANT" and the region's AWS Config recorder is recording`],
      [`arn:aws:config:eu-central-1:${ACC}:*`, 'FAIL', `no AWS-owned AWS Config rule with identifier CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED found in eu-central-1 (account ${ACC})`],
    ]);
  });

  it('global collectors are complete with one collection per account under region global', () => {
    const who: Control = { ...encrypted, id: 'caller', collector: 'sts.caller-identity', assert: { path: 'Account', op: 'equals', value: ACC } };
    const rec = record('sts.caller-identity', ACC, 'global', `arn:aws:sts::${ACC}:assumed-role/a/b`, { Account: ACC });
    expect(evaluate([who], bundle([ACC], REGIONS, [collection('sts.caller-identity', ACC, 'global')], [rec]), opts).controls[0]!.status).toBe('PASS');
    const missing = evaluate([who], bundle([ACC], REGIONS, [], [rec]), { ...opts, globalCollectors: ['sts.caller-identity'] }).controls[0]!;
    expect(missing.status).toBe('ERROR');
    expect(missing.findings.map((f) => [f.resource, f.region])).toEqual([[`arn:aws:sts::${ACC}:*`, 'global']]);
  });

  it('an empty manifest is an ERROR, not a pass or not-applicable', () => {
    expect(evaluate([encrypted], bundle([], [], [], []), opts).controls[0]!.status).toBe('ERROR');
  });
});

describe('waivers', () => {
  const recs = clusters({ 'us-legacy-reporting': false, 'us-orders': true });
  const b = bundle([ACC], REGIONS, complete('rds.db-clusters', [ACC], REGIONS), recs);
  const waiver = (expires: string, resource = 'arn:aws:rds:*:111122223333:cluster:us-legacy-*'): Waiver =>
    ({ control: encrypted.id, resource, reason: 'rebuildable', approver: 'cto@example.com', expires });

  it('a current waiver turns the failing finding WAIVED and attaches itself', () => {
    const r = evaluate([encrypted], b, { ...opts, waivers: [waiver('2027-01-27')] });
    const c = r.controls[0]!;
    expect(c.status).toBe('WAIVED');
    const f = c.findings.find((x) => x.status === 'WAIVED')!;
    expect(f.waiver).toEqual({ id: expect.stringMatching(/^W-[0-9a-f]{10}$/), reason: 'rebuildable', approver: 'cto@example.com', approvedOn: null, expires: '2027-01-27' });
    expect(f.reason).toContain('StorageEncrypted is false, expected true');
    expect(r.expiredWaivers).toBeUndefined();
    expect(r.summary.WAIVED).toBe(1);
  });

  it('* matches across : and /', () => {
    expect(evaluate([encrypted], b, { ...opts, waivers: [waiver('2027-01-27', 'arn:*legacy*')] }).controls[0]!.status).toBe('WAIVED');
    expect(evaluate([encrypted], b, { ...opts, waivers: [waiver('2027-01-27', 'arn:aws:rds:us-east-1:1111:*')] }).controls[0]!.status).toBe('FAIL');
  });

  it('an expired waiver covers nothing and is listed', () => {
    const r = evaluate([encrypted], b, { ...opts, waivers: [waiver('2026-11-01')] });
    expect(r.controls[0]!.status).toBe('FAIL');
    expect(r.expiredWaivers).toEqual([{ control: encrypted.id, resource: 'arn:aws:rds:*:111122223333:cluster:us-legacy-*', expires: '2026-11-01', approver: 'cto@example.com' }]);
  });

  it('a waiver for another control covers nothing', () => {
    expect(evaluate([encrypted], b, { ...opts, waivers: [{ ...waiver('2027-01-27'), control: 'other' }] }).controls[0]!.status).toBe('FAIL');
  });

  // a backfilled day is judged by the waivers in force at its asOf, never today's
  const rebuilt = (asOf: string) => ({ ...b, manifest: { ...b.manifest, asOf, source: 'config-history' as const } });
  const approved = (on: string): Waiver => ({ ...waiver('2027-01-27'), approved_on: on });

  it('a waiver approved mid-period covers the runs from its approval on, not the days before', () => {
    const before = evaluate([encrypted], rebuilt('2026-11-09T23:59:59Z'), { ...opts, now: new Date('2026-11-09T23:59:59Z'), waivers: [approved('2026-11-10')] });
    expect(before.controls[0]!.status).toBe('FAIL');
    expect(before.expiredWaivers).toBeUndefined(); // not expired: not yet approved
    const sameDay = evaluate([encrypted], rebuilt('2026-11-10T23:59:59Z'), { ...opts, now: new Date('2026-11-10T23:59:59Z'), waivers: [approved('2026-11-10')] });
    expect(sameDay.controls[0]!.status).toBe('WAIVED');
    const f = sameDay.controls[0]!.findings.find((x) => x.status === 'WAIVED')!;
    expect(f.waiver).toMatchObject({ approver: 'cto@example.com', approvedOn: '2026-11-10', expires: '2027-01-27' });
  });

  it('a waiver without approved_on covers live runs only, never a run rebuilt from history', () => {
    expect(evaluate([encrypted], b, { ...opts, waivers: [waiver('2027-01-27')] }).controls[0]!.status).toBe('WAIVED');
    expect(evaluate([encrypted], rebuilt('2026-11-27T23:59:59Z'), { ...opts, waivers: [waiver('2027-01-27')] }).controls[0]!.status).toBe('FAIL');
  });

  it('the waiver id is stable and changes with the approval', () => {
    const id = (w: Waiver) => evaluate([encrypted], b, { ...opts, waivers: [w] }).controls[0]!.findings.find((x) => x.waiver)!.waiver!.id;
    expect(id(approved('2026-11-10'))).toBe(id(approved('2026-11-10')));
    expect(id(approved('2026-11-10'))).not.toBe(id(approved('2026-11-11')));
  });
});

describe('manual controls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trustpack-att-'));
  writeFileSync(join(dir, 'restore.pdf'), 'restore test report v1');
  const sha = createHash('sha256').update('restore test report v1').digest('hex');
  const att = (over: Partial<Attestation> = {}): Attestation => ({
    control: manual.id, attested_by: 'ops@example.com', attested_at: '2026-06-01', document: 'restore.pdf', sha256: sha, expires: '2027-06-01', ...over,
  });
  const b = bundle([ACC], REGIONS, [], []);
  const run = (attestations: Attestation[]) => evaluate([manual], b, { ...opts, attestations, attestationBaseDir: dir }).controls[0]!;

  it('MANUAL with a current attestation whose document hash matches', () => {
    const c = run([att()]);
    expect(c.status).toBe('MANUAL');
    expect(c.reason).toContain('document hash verified');
    expect(c.attestation).toEqual({ attested_by: 'ops@example.com', attested_at: '2026-06-01', document: 'restore.pdf', sha256: sha, expires: '2027-06-01', current: true });
  });
  it('FAIL without an attestation', () => {
    const c = run([]);
    expect(c.status).toBe('FAIL');
    expect(c.reason).toBe('no attestation for manual-backup-restore-test; it needs: restore test report');
  });
  it('FAIL with an expired attestation', () => {
    const c = run([att({ attested_at: '2025-11-01', expires: '2026-11-18' })]);
    expect(c.status).toBe('FAIL');
    expect(c.reason).toBe('attestation expired on 2026-11-18 (attested by ops@example.com on 2025-11-01)');
    expect(c.attestation?.current).toBe(false);
  });
  it('FAIL when the document changed after it was attested', () => {
    const c = run([att({ sha256: 'a'.repeat(64) })]);
    expect(c.status).toBe('FAIL');
    expect(c.reason).toContain(`has sha256 ${sha}, but the attestation records ${'a'.repeat(64)}`);
  });
  it('FAIL when older than max_age_days or dated in the future', () => {
    expect(run([att({ attested_at: '2025-10-01', expires: '2027-10-01' })]).reason).toContain('more than max_age_days = 365 days');
    expect(run([att({ attested_at: '2026-12-01' })]).reason).toBe('attestation is dated in the future (2026-12-01)');
  });
  it('prefers a current attestation over a newer expired one', () => {
    expect(run([att({ attested_at: '2026-11-01', expires: '2026-11-02' }), att()]).status).toBe('MANUAL');
  });
  it('does not fail a document it cannot find; says the hash was not checked', () => {
    const c = run([att({ document: 'elsewhere.pdf' })]);
    expect(c.status).toBe('MANUAL');
    expect(c.reason).toContain('not found locally');
  });
});

describe('parameters', () => {
  it('control default <- project.parameters <- control_parameters', () => {
    expect(resolveParameters(multiAz)).toEqual({ min_member_zones: 2 });
    expect(resolveParameters(multiAz, { parameters: { min_member_zones: 3, other: 1 } })).toEqual({ min_member_zones: 3 });
    expect(resolveParameters(multiAz, { parameters: { min_member_zones: 3 }, control_parameters: { [multiAz.id]: { min_member_zones: 1, nope: 2 } } })).toEqual({ min_member_zones: 1 });
    expect(resolveParameters(multiAz, { control_parameters: { 'other-control': { min_member_zones: 9 } } })).toEqual({ min_member_zones: 2 });
  });

  it('the resolved value decides the result and is reported with it', () => {
    const topo = [record('rds.cluster-topology', ACC, 'us-east-1', arn('us-east-1', 'x'), { Engine: 'aurora-mysql', MemberAvailabilityZones: ['us-east-1a'] })];
    const b = bundle([ACC], REGIONS, complete('rds.cluster-topology', [ACC], REGIONS), topo);
    const strict = evaluate([multiAz], b, opts).controls[0]!;
    expect(strict.status).toBe('FAIL');
    expect(strict.findings[0]!.reason).toBe('length of MemberAvailabilityZones is 1, expected at least min_member_zones = 2 zones');
    expect(strict.asserts).toBe('length of MemberAvailabilityZones is at least min_member_zones (2 zones)');
    const relaxed = evaluate([multiAz], b, { ...opts, project: { control_parameters: { [multiAz.id]: { min_member_zones: 1 } } } }).controls[0]!;
    expect(relaxed.status).toBe('PASS');
    expect(relaxed.parameters).toEqual({ min_member_zones: 1 });
  });
});

describe('framework filter and summary', () => {
  it('keeps only controls mapped to the framework and counts every status', () => {
    const b = bundle([ACC], REGIONS, complete('rds.db-clusters', [ACC], REGIONS), clusters({ 'us-a': true }));
    const all = evaluate([encrypted, multiAz, manual], b, opts);
    expect(all.summary).toEqual({ PASS: 1, FAIL: 1, ERROR: 1, NOT_APPLICABLE: 0, MANUAL: 0, WAIVED: 0 });
    const pci = evaluate([encrypted, multiAz, manual], b, { ...opts, framework: 'pci-dss-4.0.1' });
    expect(pci.controls.map((c) => c.id)).toEqual([encrypted.id]);
    expect(pci.run.framework).toBe('pci-dss-4.0.1');
    expect(pci.summary).toEqual({ PASS: 1, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0, MANUAL: 0, WAIVED: 0 });
  });
});
