import { describe, expect, it } from 'vitest';
import { compileAssertion, describeAssertion } from '../src/engine/assertions.js';
import type { Assertion, ParameterDef } from '../src/controls/model.js';

const now = new Date('2026-11-28T12:00:00Z');
const daysAgo = (d: number): string => new Date(now.getTime() - d * 86_400_000).toISOString();

function run(a: Assertion, resource: unknown, params: Record<string, unknown> = {}, defs: Record<string, ParameterDef> = {}) {
  return compileAssertion(a, defs).evaluate(resource, { params, now });
}

interface Case { op: string; a: Assertion; pass: unknown; fail: unknown; reason: string }
const cases: Case[] = [
  { op: 'equals', a: { path: 'StorageEncrypted', op: 'equals', value: true }, pass: { StorageEncrypted: true }, fail: { StorageEncrypted: false }, reason: 'StorageEncrypted is false, expected true' },
  { op: 'equals (deep)', a: { path: 'Tags', op: 'equals', value: [{ Key: 'a', Value: 'b' }] }, pass: { Tags: [{ Value: 'b', Key: 'a' }] }, fail: { Tags: [{ Key: 'a', Value: 'c' }] }, reason: 'Tags is [{"Key":"a","Value":"c"}], expected [{"Key":"a","Value":"b"}]' },
  { op: 'not-equals', a: { path: 'Engine', op: 'not-equals', value: 'mysql' }, pass: { Engine: 'aurora-mysql' }, fail: { Engine: 'mysql' }, reason: 'Engine is "mysql", expected anything but "mysql"' },
  { op: 'greater-than', a: { path: 'N', op: 'greater-than', value: 5 }, pass: { N: 6 }, fail: { N: 5 }, reason: 'N is 5, expected more than 5' },
  { op: 'greater-or-equal', a: { path: 'N', op: 'greater-or-equal', value: 7 }, pass: { N: 7 }, fail: { N: 6 }, reason: 'N is 6, expected at least 7' },
  { op: 'less-than', a: { path: 'N', op: 'less-than', value: 7 }, pass: { N: 6 }, fail: { N: 7 }, reason: 'N is 7, expected less than 7' },
  { op: 'less-or-equal', a: { path: 'N', op: 'less-or-equal', value: 7 }, pass: { N: 7 }, fail: { N: 8 }, reason: 'N is 8, expected at most 7' },
  { op: 'greater-than (dates)', a: { path: 'T', op: 'greater-than', value: '2026-01-01' }, pass: { T: '2026-06-01T00:00:00Z' }, fail: { T: '2025-12-31T23:59:59Z' }, reason: 'T is "2025-12-31T23:59:59Z", expected more than "2026-01-01"' },
  { op: 'in', a: { path: 'S', op: 'in', value: ['a', 'b'] }, pass: { S: 'b' }, fail: { S: 'c' }, reason: 'S is "c", expected one of ["a","b"]' },
  { op: 'not-in', a: { path: 'S', op: 'not-in', value: ['a', 'b'] }, pass: { S: 'c' }, fail: { S: 'a' }, reason: 'S is "a", which is one of ["a","b"]' },
  { op: 'all-in', a: { path: 'V', op: 'all-in', value: ['1', '2'] }, pass: { V: ['2', '1'] }, fail: { V: ['1', '3'] }, reason: 'V contains "3", which is not in ["1","2"]' },
  { op: 'contains (array)', a: { path: 'L', op: 'contains', value: 'audit' }, pass: { L: ['error', 'audit'] }, fail: { L: ['error'] }, reason: 'L is ["error"], which does not contain "audit"' },
  { op: 'contains (text)', a: { path: 'S', op: 'contains', value: 'prod' }, pass: { S: 'orders-prod' }, fail: { S: 'orders-dev' }, reason: 'S is "orders-dev", which does not contain "prod"' },
  { op: 'not-contains', a: { path: 'L', op: 'not-contains', value: 'all' }, pass: { L: ['111'] }, fail: { L: ['all'] }, reason: 'L is ["all"], which contains "all"' },
  { op: 'matches', a: { path: 'K', op: 'matches', value: '^arn:aws:kms:' }, pass: { K: 'arn:aws:kms:us-east-1:1:key/x' }, fail: { K: 'alias/x' }, reason: 'K is "alias/x", which does not match "^arn:aws:kms:"' },
  { op: 'exists', a: { path: 'K', op: 'exists' }, pass: { K: 'x' }, fail: { K: null }, reason: 'K is missing' },
  { op: 'absent', a: { path: 'K', op: 'absent' }, pass: {}, fail: { K: 'x' }, reason: 'K is present ("x"), expected it absent' },
  { op: 'length-equals', a: { path: 'L', op: 'length-equals', value: 2 }, pass: { L: [1, 2] }, fail: { L: [1] }, reason: 'length of L is 1, expected exactly 2' },
  { op: 'length-greater-or-equal (text)', a: { path: 'S', op: 'length-greater-or-equal', value: 3 }, pass: { S: 'abc' }, fail: { S: 'ab' }, reason: 'length of S is 2, expected at least 3' },
  { op: 'length-less-or-equal (object)', a: { path: 'O', op: 'length-less-or-equal', value: 1 }, pass: { O: { a: 1 } }, fail: { O: { a: 1, b: 2 } }, reason: 'length of O is 2, expected at most 1' },
  { op: 'older-than-days', a: { path: 'T', op: 'older-than-days', value: 30 }, pass: { T: daysAgo(31) }, fail: { T: daysAgo(3) }, reason: `T ${daysAgo(3)} is 3 days old, expected more than 30 days` },
  { op: 'newer-than-days', a: { path: 'T', op: 'newer-than-days', value: 15 }, pass: { T: daysAgo(15) }, fail: { T: daysAgo(40) }, reason: `T ${daysAgo(40)} is 40 days old, more than 15 days` },
];

describe('operators', () => {
  for (const c of cases) {
    it(`${c.op} passes and fails with the deciding value`, () => {
      const ok = run(c.a, c.pass);
      expect(ok.ok).toBe(true);
      const bad = run(c.a, c.fail);
      expect(bad.ok).toBe(false);
      expect(bad.reason).toBe(c.reason);
    });
  }

  it('all-in passes on an empty list; an absent one is unknown unless declared', () => {
    const a: Assertion = { path: 'V', op: 'all-in', value: ['1'] };
    expect(run(a, { V: [] }).ok).toBe(true);
    expect(run(a, {})).toMatchObject({ ok: false, unknown: true });
    expect(run({ ...a, absent_means: [] }, {}).ok).toBe(true);
  });

  it('a missing path makes every comparison but exists and absent unknown, never false', () => {
    for (const op of ['equals', 'not-equals', 'greater-than', 'in', 'not-in', 'contains', 'not-contains', 'matches', 'length-equals', 'older-than-days', 'newer-than-days'] as const) {
      const r = run({ path: 'Nope.Deeper', op, value: op === 'in' || op === 'not-in' ? ['x'] : op === 'matches' || op === 'contains' || op === 'not-contains' || op === 'equals' || op === 'not-equals' ? 'x' : 1 }, { Other: 1 });
      expect(r.ok, op).toBe(false);
      expect(r.unknown, op).toBe(true);
      expect(r.reason, op).toMatch(/^Nope\.Deeper is absent, so this cannot be judged/);
    }
    expect(run({ path: 'Nope', op: 'exists' }, {})).toMatchObject({ ok: false, unknown: false });
  });

  it('absent_means is compared in place of a missing value, and the reason says so', () => {
    const a: Assertion = { path: 'StorageType', op: 'in', value: ['aurora', 'aurora-iopt1'], absent_means: 'aurora' };
    expect(run(a, {}).ok).toBe(true);
    expect(run({ ...a, absent_means: 'gp3' }, {})).toMatchObject({ ok: false, unknown: false, reason: 'StorageType is absent, which means "gp3": StorageType is "gp3", expected one of ["aurora","aurora-iopt1"]' });
  });

  it('three-valued all, any and not: a false part decides, an unknown one leaves it open', () => {
    const known = { path: 'A', op: 'equals', value: 1 } as const;
    const open = { path: 'B', op: 'equals', value: 1 } as const;
    expect(run({ all: [known, open] }, { A: 2 })).toMatchObject({ ok: false, unknown: false });
    expect(run({ all: [known, open] }, { A: 1 })).toMatchObject({ ok: false, unknown: true });
    expect(run({ any: [known, open] }, { A: 1 }).ok).toBe(true);
    expect(run({ any: [known, open] }, { A: 2 })).toMatchObject({ ok: false, unknown: true });
    expect(run({ not: open }, {})).toMatchObject({ ok: false, unknown: true });
    expect(run({ not: known }, { A: 2 }).ok).toBe(true);
  });

  it('prints an age near its limit with the precision it was compared with', () => {
    // 30 days and an hour: more than 30, which "30 days old" would hide
    const hourPast = new Date(now.getTime() - 30 * 86_400_000 - 3_600_000).toISOString();
    expect(run({ path: 'T', op: 'newer-than-days', value: 30 }, { T: hourPast }).reason).toBe(`T ${hourPast} is 30.04 days old, more than 30 days`);
    const minutePast = new Date(now.getTime() - 30 * 86_400_000 - 60_000).toISOString();
    expect(run({ path: 'T', op: 'newer-than-days', value: 30 }, { T: minutePast }).reason).toBe(`T ${minutePast} is 30.0006 days old, more than 30 days`);
    expect(run({ path: 'T', op: 'older-than-days', value: 30 }, { T: daysAgo(30) }).reason).toBe(`T ${daysAgo(30)} is 30 days old, expected more than 30 days`);
  });

  it('age operators fail on an unparsable timestamp', () => {
    const r = run({ path: 'T', op: 'newer-than-days', value: 15 }, { T: 'yesterday' });
    expect(r.ok).toBe(false);
    expect(r.reason).toBe('T "yesterday" is not a valid timestamp');
    expect(run({ path: 'T', op: 'older-than-days', value: 15 }, { T: 42 }).reason).toBe('T 42 is not a valid timestamp');
  });

  it('names the parameter and its unit in the reason', () => {
    const defs = { deletion_window_days: { type: 'days' as const, default: 15, description: 'd', unit: 'days' } };
    const r = run({ path: 'SnapshotCreateTime', op: 'newer-than-days', param: 'deletion_window_days' }, { SnapshotCreateTime: daysAgo(40) }, { deletion_window_days: 15 }, defs);
    expect(r.reason).toBe(`SnapshotCreateTime ${daysAgo(40)} is 40 days old, more than deletion_window_days = 15 days`);
    expect(r.values).toEqual({ SnapshotCreateTime: daysAgo(40) });
  });

  it('compares numeric text with numbers (AWS returns parameter values as text)', () => {
    expect(run({ path: 'V', op: 'greater-or-equal', value: 1 }, { V: '1' }).ok).toBe(true);
    expect(run({ path: 'V', op: 'greater-or-equal', value: 1 }, { V: 'ON' }).reason).toBe('V is "ON", which cannot be compared with 1');
  });

  it('evaluates full JMESPath expressions', () => {
    const a: Assertion = { path: "DBClusterSnapshotAttributes[?AttributeName=='restore'].AttributeValues[]", op: 'all-in', param: 'allowed' };
    const data = { DBClusterSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: ['444455556666', '999988887777'] }] };
    const r = run(a, data, { allowed: ['444455556666'] });
    expect(r.ok).toBe(false);
    expect(r.reason).toBe(`${a.path} contains "999988887777", which is not in allowed = ["444455556666"]`);
  });
});

describe('combinators', () => {
  const enc: Assertion = { path: 'StorageEncrypted', op: 'equals', value: true };
  const az: Assertion = { path: 'MemberAvailabilityZones', op: 'length-greater-or-equal', param: 'min_member_zones' };

  it('all fails naming every failing part and records all values', () => {
    const r = run({ all: [enc, az] }, { StorageEncrypted: false, MemberAvailabilityZones: ['a'] }, { min_member_zones: 2 });
    expect(r.ok).toBe(false);
    expect(r.reason).toBe('StorageEncrypted is false, expected true; length of MemberAvailabilityZones is 1, expected at least min_member_zones = 2');
    expect(r.values).toEqual({ StorageEncrypted: false, MemberAvailabilityZones: ['a'] });
  });

  it('all passes with a reason listing the values', () => {
    const r = run({ all: [enc, az] }, { StorageEncrypted: true, MemberAvailabilityZones: ['a', 'b'] }, { min_member_zones: 2 });
    expect(r.ok).toBe(true);
    expect(r.reason).toBe('StorageEncrypted is true, MemberAvailabilityZones is ["a","b"]');
  });

  it('any passes when one part holds, fails listing the alternatives', () => {
    const a: Assertion = { any: [enc, { path: 'KmsKeyId', op: 'exists' }] };
    expect(run(a, { StorageEncrypted: false, KmsKeyId: 'k' }).ok).toBe(true);
    expect(run(a, { StorageEncrypted: false }).reason).toBe('none of the alternatives holds: StorageEncrypted is false, expected true; or KmsKeyId is missing');
  });

  it('any of guarded alternatives reports the one whose guard held', () => {
    const a: Assertion = {
      any: [
        { all: [{ path: 'TlsParameterName', op: 'equals', value: 'require_secure_transport' }, { path: 'TlsParameterValue', op: 'in', value: ['ON', '1'] }] },
        { all: [{ path: 'TlsParameterName', op: 'equals', value: 'rds.force_ssl' }, { path: 'TlsParameterValue', op: 'equals', value: '1' }] },
      ],
    };
    const r = run(a, { TlsParameterName: 'require_secure_transport', TlsParameterValue: 'OFF' });
    expect(r.reason).toBe('TlsParameterValue is "OFF", expected one of ["ON","1"]');
    expect(r.values).toEqual({ TlsParameterName: 'require_secure_transport', TlsParameterValue: 'OFF' });
  });

  it('not inverts', () => {
    const a: Assertion = { not: { path: 'Engine', op: 'equals', value: 'mysql' } };
    expect(run(a, { Engine: 'postgres' }).ok).toBe(true);
    expect(run(a, { Engine: 'mysql' }).reason).toBe('expected not (Engine equals "mysql"), but it holds: Engine is "mysql"');
  });
});

describe('describeAssertion', () => {
  it('renders plain English with parameter values', () => {
    const a: Assertion = { all: [{ path: 'StorageEncrypted', op: 'equals', value: true }, { path: 'MemberAvailabilityZones', op: 'length-greater-or-equal', param: 'min_member_zones' }] };
    expect(describeAssertion(a, { min_member_zones: 2 })).toBe('StorageEncrypted equals true and length of MemberAvailabilityZones is at least min_member_zones (2)');
  });
  it('shows parameter values inside a says sentence', () => {
    const a: Assertion = { path: 'Z', op: 'length-greater-or-equal', param: 'min_member_zones', says: 'the instances run in at least min_member_zones Availability Zones' };
    expect(describeAssertion(a, { min_member_zones: 3 }, { min_member_zones: { type: 'count', default: 2, description: 'x' } }))
      .toBe('the instances run in at least min_member_zones (3) Availability Zones');
  });

  it('uses says, parenthesises nested groups and shows units', () => {
    const a: Assertion = {
      any: [
        { path: 'X', op: 'exists', says: 'the cluster has a key' },
        { all: [{ path: 'T', op: 'newer-than-days', param: 'w' }, { not: { path: 'S', op: 'in', value: ['a'] } }] },
      ],
    };
    expect(describeAssertion(a, { w: 15 }, { w: { type: 'days', default: 15, description: 'x', unit: 'days' } }))
      .toBe('the cluster has a key or (T is at most w (15 days) old and not (S is one of ["a"]))');
  });
});
