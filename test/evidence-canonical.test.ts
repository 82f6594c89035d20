import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, recordId, recordLine, sha256Hex, toJsonData, toRecord } from '../src/evidence/canonical.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';

const draft = (data: unknown): EvidenceRecordDraft => ({
  collector: 'rds.db-clusters',
  source: { service: 'rds', operation: 'DescribeDBClusters', parameters: {}, region: 'us-east-1', account: '111122223333', time: '2026-11-28T00:00:00.000Z' },
  resourceType: 'AWS::RDS::DBCluster',
  resource: 'arn:aws:rds:us-east-1:111122223333:cluster:a',
  data,
});

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and writes numbers the ECMAScript way', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], '\u20ac': 1, '\r': 2, '1': 3 })).toBe('{"\\r":2,"1":3,"a":[true,null,"x"],"b":1,"€":1}');
    expect(canonicalJson({ n: [1e21, 1.5e-7, -0, 100, 0.1 + 0.2] })).toBe('{"n":[1e+21,1.5e-7,0,100,0.30000000000000004]}');
    expect(canonicalJson('Zürich')).toBe('"Zürich"');
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson({ x: NaN })).toThrow(/JSON/);
    expect(() => canonicalJson({ x: Infinity })).toThrow(/JSON/);
  });
});

describe('toJsonData', () => {
  it('turns SDK output into plain JSON: dates as ISO strings, no $metadata, no undefined', () => {
    const sdk = {
      $metadata: { httpStatusCode: 200, requestId: 'abc', attempts: 1 },
      ClusterCreateTime: new Date('2024-01-02T03:04:05.678Z'),
      Nested: [{ When: new Date(0), Skip: undefined }],
      Gone: undefined,
    };
    expect(toJsonData(sdk)).toEqual({ ClusterCreateTime: '2024-01-02T03:04:05.678Z', Nested: [{ When: '1970-01-01T00:00:00.000Z' }] });
  });
});

describe('a key named __proto__', () => {
  // JSON.parse makes `__proto__` an own key (an AWS tag key, a parameter name can be anything);
  // a plain assignment would set the copy's prototype instead and drop the key from the evidence
  const parsed = () => JSON.parse('{"Tags":{"__proto__":{"polluted":true},"team":"db"}}') as unknown;

  it('is kept as data by toJsonData and the canonical JSON, never turned into a prototype', () => {
    const data = toJsonData(parsed()) as { Tags: Record<string, unknown> };
    expect(Object.keys(data.Tags).sort()).toEqual(['__proto__', 'team']);
    expect(Object.getPrototypeOf(data.Tags)).toBe(Object.prototype);
    expect((data.Tags as { polluted?: unknown }).polluted).toBeUndefined();
    expect(canonicalJson(parsed())).toBe('{"Tags":{"__proto__":{"polluted":true},"team":"db"}}');
  });

  it('gives a record the same id and line whether hashed when collected or read back from its line', () => {
    const record = toRecord(draft(parsed()));
    const line = recordLine(record);
    expect(line).toContain('"__proto__":{"polluted":true}');
    const reread = JSON.parse(line) as EvidenceRecordDraft & { id: string };
    expect(recordId(reread)).toBe(record.id);
    expect(record.id).not.toBe(toRecord(draft({ Tags: { team: 'db' } })).id);
  });
});

describe('record ids', () => {
  it('is the sha256 of the canonical JSON of the draft', () => {
    const d = draft({ StorageEncrypted: true });
    expect(recordId(d)).toBe(sha256Hex(canonicalJson(d)));
    expect(toRecord(d).id).toBe(recordId(d));
    expect(recordId(d)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores key order and normalises SDK values before hashing', () => {
    const a = toRecord(draft({ A: 1, B: new Date('2024-01-01T00:00:00Z'), $metadata: { requestId: 'x' } }));
    const b = toRecord(draft({ B: '2024-01-01T00:00:00.000Z', A: 1 }));
    expect(a.id).toBe(b.id);
    expect(a.data).toEqual({ A: 1, B: '2024-01-01T00:00:00.000Z' });
    // the record is JSON data: it survives a JSON round trip unchanged, id included
    expect(recordId(JSON.parse(JSON.stringify(a)))).toBe(a.id);
  });

  it('changes with any change of the data (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (x, y) => {
      const same = canonicalJson(x) === canonicalJson(y);
      expect(recordId(draft(x)) === recordId(draft(y))).toBe(same);
    }), { numRuns: 200 });
  });

  it('is stable under any permutation of keys (property)', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
      const reversed = Object.fromEntries(Object.entries(obj).reverse());
      expect(recordId(draft(reversed))).toBe(recordId(draft(obj)));
    }), { numRuns: 200 });
  });
});

describe('recordLine', () => {
  it('is the canonical JSON of the record, id included, whether cached by toRecord or not', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.string(), (data, name) => {
      const d = draft(data);
      d.resource = `arn:aws:rds:us-east-1:111122223333:cluster:${name}`;
      const r = toRecord(d);
      expect(recordLine(r)).toBe(canonicalJson(r));
      expect(recordLine(JSON.parse(JSON.stringify(r)))).toBe(canonicalJson(r));
      expect(r.id).toBe(recordId(d));
    }), { numRuns: 300 });
  });
});
