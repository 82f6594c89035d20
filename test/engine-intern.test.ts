// The values interner shares one frozen values object between findings only when every output
// would print them identically; anything else keeps its own object.
import { describe, expect, it } from 'vitest';
import { ValuesInterner } from '../src/engine/intern.js';
import { renderJson } from '../src/output/json.js';

describe('ValuesInterner.internOne', () => {
  it('shares one frozen object per distinct primitive, whatever order the values come in', () => {
    const i = new ValuesInterner();
    const a = i.internOne('StorageEncrypted', true);
    const b = i.internOne('StorageEncrypted', false);
    expect(i.internOne('StorageEncrypted', true)).toBe(a);
    expect(i.internOne('StorageEncrypted', false)).toBe(b);
    expect(a).toEqual({ StorageEncrypted: true });
    expect(Object.isFrozen(a)).toBe(true);
    // 1 and "1" print differently: never one object
    expect(i.internOne('StorageEncrypted', 1)).not.toBe(i.internOne('StorageEncrypted', '1'));
    expect(i.internOne('StorageEncrypted', '1')).toEqual({ StorageEncrypted: '1' });
  });

  it('shares a list with the previous one only when it holds the same primitives in the same order', () => {
    const i = new ValuesInterner();
    const first = i.internOne('AvailabilityZones', ['us-east-1a', 'us-east-1b']);
    expect(i.internOne('AvailabilityZones', ['us-east-1a', 'us-east-1b'])).toBe(first);
    const swapped = i.internOne('AvailabilityZones', ['us-east-1b', 'us-east-1a']);
    expect(swapped).not.toBe(first);
    expect(swapped).toEqual({ AvailabilityZones: ['us-east-1b', 'us-east-1a'] });
    expect(i.internOne('AvailabilityZones', ['us-east-1b'])).toEqual({ AvailabilityZones: ['us-east-1b'] });
    // objects inside a list are never taken as equal, even when they look alike
    const o1 = i.internOne('TagList', [{ Key: 'env' }]);
    const o2 = i.internOne('TagList', [{ Key: 'prod' }]);
    expect(o2).toEqual({ TagList: [{ Key: 'prod' }] });
    expect(o2).not.toBe(o1);
  });

  it('keeps objects and Dates as they are, and stops sharing after 1024 distinct values', () => {
    const i = new ValuesInterner();
    const d = new Date('2026-01-01T00:00:00Z');
    expect(i.internOne('T', d)).toEqual({ T: d });
    expect(i.internOne('T', '2026-01-01T00:00:00.000Z')).toEqual({ T: '2026-01-01T00:00:00.000Z' });
    const j = new ValuesInterner();
    for (let n = 0; n < 1100; n++) expect(j.internOne('KmsKeyId', `key/${n}`)).toEqual({ KmsKeyId: `key/${n}` });
    // past the cap new values get their own (unfrozen) object; earlier ones are still shared
    expect(Object.isFrozen(j.internOne('KmsKeyId', 'key/2000'))).toBe(false);
  });

  it('a shared object prints the same JSON as a fresh one', () => {
    const i = new ValuesInterner();
    i.internOne('Zones', ['a', 'b']);
    const shared = i.internOne('Zones', ['a', 'b']);
    const results = (values: Record<string, unknown>) => renderJson({
      tool: { name: 'trustpack', version: 't' }, run: { id: 'r', startedAt: 's', evaluatedAt: 'e', accounts: [], regions: [] },
      summary: { PASS: 1, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0, MANUAL: 0, WAIVED: 0 },
      controls: [{ id: 'c', title: 't', status: 'PASS', severity: 'low', kind: 'automated', frameworks: {}, reason: 'r',
        findings: [{ resource: 'x', account: '1', region: 'r', status: 'PASS', reason: 'holds', evidence: [], values }] }],
    });
    expect(results(shared)).toBe(results({ Zones: ['a', 'b'] }));
  });
});
