// Never a false pass: whatever evidence is missing or errored, a control reading that
// collector is never PASS; and complete, all-satisfying evidence is always PASS.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/engine/evaluate.js';
import type { Control } from '../src/controls/model.js';
import type { Collection } from '../src/evidence/model.js';
import { bundle, collection, record } from './engine-helpers.js';

const COLLECTOR = 'rds.db-clusters';
const control: Control = {
  id: 'enc', title: 't', description: 'd', severity: 'high', kind: 'automated', collector: COLLECTOR,
  assert: { path: 'StorageEncrypted', op: 'equals', value: true }, frameworks: { soc2: ['CC6.1'] }, remediation: 'r',
};
// a second control on the same collector: the engine feeds both from one pass over the records
const sibling: Control = { ...control, id: 'enc-scoped', scope: { path: 'StorageEncrypted', op: 'exists' }, assert: { path: 'StorageEncrypted', op: 'not-equals', value: false } };
const ACCOUNTS = ['111122223333', '444455556666', '777788889999'];
const REGIONS = ['us-east-1', 'eu-central-1', 'ap-southeast-2', 'us-west-2'];

type ScopeFate = 'ok' | 'error' | 'missing';
const world = fc.record({
  accounts: fc.subarray(ACCOUNTS, { minLength: 1 }),
  regions: fc.subarray(REGIONS, { minLength: 1 }),
  fates: fc.array(fc.constantFrom<ScopeFate>('ok', 'error', 'missing'), { minLength: 12, maxLength: 12 }),
  resourcesPerScope: fc.array(fc.nat(3), { minLength: 12, maxLength: 12 }),
  otherCollectorOk: fc.boolean(),
});

interface World { accounts: string[]; regions: string[]; fates: ScopeFate[]; resourcesPerScope: number[]; otherCollectorOk: boolean }

function build(w: World, forceComplete: boolean) {
  const cols: Collection[] = [];
  const recs = [];
  let i = 0;
  for (const a of w.accounts) {
    for (const r of w.regions) {
      const fate = forceComplete ? 'ok' : w.fates[i % 12]!;
      const n = w.resourcesPerScope[i % 12]!;
      i++;
      if (fate === 'ok') cols.push(collection(COLLECTOR, a, r));
      if (fate === 'error') cols.push(collection(COLLECTOR, a, r, { code: 'Throttling', message: 'Rate exceeded' }));
      // an errored or missing scope may still carry (partial) records; they must not make a PASS
      for (let k = 0; k < n; k++) recs.push(record(COLLECTOR, a, r, `arn:aws:rds:${r}:${a}:cluster:c${k}`, { StorageEncrypted: true }));
      // evidence from another collector proves nothing for this one
      if (w.otherCollectorOk) cols.push(collection('rds.db-instances', a, r));
    }
  }
  return bundle(w.accounts, w.regions, cols, recs);
}

describe('never a false pass', () => {
  it('a bundle with any missing or errored scope never yields PASS', () => {
    fc.assert(
      fc.property(world, (w) => {
        const b = build(w, false);
        const incomplete = w.accounts.length * w.regions.length > b.manifest.collections.filter((c) => c.collector === COLLECTOR && c.status === 'ok').length;
        fc.pre(incomplete);
        for (const c of evaluate([control, sibling], b, { toolVersion: 't' }).controls) {
          expect(c.status).not.toBe('PASS');
          expect(c.status).toBe('ERROR');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a complete bundle where every resource satisfies the assertion yields PASS (or NOT_APPLICABLE when empty)', () => {
    fc.assert(
      fc.property(world, (w) => {
        const b = build(w, true);
        for (const c of evaluate([control, sibling], b, { toolVersion: 't' }).controls) {
          expect(c.status).toBe(b.records.length > 0 ? 'PASS' : 'NOT_APPLICABLE');
          expect(c.findings.every((f) => f.status === 'PASS')).toBe(true);
          expect(c.findings).toHaveLength(b.records.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
