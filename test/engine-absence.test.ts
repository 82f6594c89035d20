// Absence is declared, never guessed: for every automated control of the catalog, each example
// resource is judged by the real engine with each field its scope, assertion or error_when reads
// removed. Where every comparison on that field declares `absent_means`, the verdict must be the
// one for the declared value; where one does not, the verdict must be ERROR, unless the field
// could not have changed it (the same verdict for every value the catalog uses for it).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/controls/load.js';
import { walkComparisons } from '../src/controls/assertion-walk.js';
import type { Comparison, Control } from '../src/controls/model.js';
import { evaluate } from '../src/engine/evaluate.js';
import { COLLECTORS } from '../collectors/registry.js';
import { bundle, collection, record } from './engine-helpers.js';

const ROOT = join(import.meta.dirname, '..');
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
const automated = catalog.controls.filter((c) => c.kind === 'automated' && c.collector && c.assert);

/** The top-level field a comparison's path starts with, or undefined for expressions. */
function fieldOf(path: string): string | undefined {
  return /^"?([A-Za-z_][A-Za-z0-9_]*)"?(?=$|[.[])/.exec(path)?.[1];
}

function comparisons(c: Control): Comparison[] {
  const out: Comparison[] = [];
  for (const a of [c.scope, c.assert, c.error_when]) if (a) walkComparisons(a, [], (x) => out.push(x));
  return out;
}

/** The status the engine gives one resource of this control (NOT_APPLICABLE when out of scope). */
function verdict(c: Control, resource: unknown, ex: NonNullable<Control['examples']>[number]): string {
  const now = ex.now !== undefined ? new Date(ex.now) : new Date('2026-12-01T00:00:00Z');
  const control: Control = { ...c, when_none_in_scope: 'not-applicable' };
  const b = bundle([ACCOUNT], [REGION], [collection(c.collector!, ACCOUNT, REGION)],
    [record(c.collector!, ACCOUNT, REGION, `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:x`, resource)]);
  const project = ex.parameters ? { control_parameters: { [c.id]: ex.parameters } } : undefined;
  const r = evaluate([control], b, { toolVersion: 't', now, ...(project ? { project } : {}) }).controls[0]!;
  return r.status;
}

const withField = (resource: unknown, field: string, value: unknown): unknown => ({ ...(resource as object), [field]: value });
function without(resource: unknown, field: string): unknown {
  const copy = { ...(resource as Record<string, unknown>) };
  delete copy[field];
  return copy;
}

describe('absent fields are declared values or unknown, never a silent FAIL', () => {
  it('the catalog has automated controls with examples to test', () => {
    expect(automated.filter((c) => c.examples?.some((e) => e.expect === 'pass' || e.expect === 'fail')).length).toBeGreaterThan(20);
  });

  for (const c of automated) {
    it(c.id, () => {
      const comps = comparisons(c);
      const fields = [...new Set(comps.map((x) => fieldOf(x.path)).filter((f): f is string => f !== undefined))];
      let checked = 0;
      for (const ex of c.examples ?? []) {
        if (ex.resource === null || typeof ex.resource !== 'object') continue;
        for (const field of fields) {
          if (!(field in (ex.resource))) continue;
          const on = comps.filter((x) => fieldOf(x.path) === field);
          const got = verdict(c, without(ex.resource, field), ex);
          checked++;
          const where = `${c.id} / ${ex.name} / without ${field}: ${got}`;
          // a scope that requires the field (`exists`) declares an absent one out of scope
          const scoped: Comparison[] = [];
          if (c.scope) walkComparisons(c.scope, [], (x) => { if (x.path === field && x.op === 'exists') scoped.push(x); });
          if (scoped.length > 0 && !('any' in c.scope! || 'not' in c.scope!)) {
            expect(got, where).toBe('NOT_APPLICABLE');
            continue;
          }
          const plain = on.every((x) => x.path === field);
          const declared = on.filter((x) => x.absent_means !== undefined || x.op === 'exists' || x.op === 'absent');
          // deeper paths: when every comparison on the field declares its absence (absent_means, or an
          // exists/absent test, which is itself a statement of what absence means), the catalog has
          // said it; the plain case below also checks the verdict against the declared value
          // (a removed field and a null one are the same absence: the verdicts must agree)
          if (!plain && declared.length === on.length) {
            expect(got, where).toBe(verdict(c, withField(ex.resource, field, null), ex));
            continue;
          }

          if (declared.length === on.length && plain) {
            // every comparison on it says what absence is: the verdict for that value (null for exists/absent)
            const values = new Set(on.map((x) => JSON.stringify(x.absent_means ?? null)));
            if (values.size === 1) {
              const v = JSON.parse([...values][0]!) as unknown;
              expect(got, where).toBe(verdict(c, v === null ? without(ex.resource, field) : withField(ex.resource, field, v), ex));
            }
            continue;
          }
          if (got === 'ERROR') continue;
          // an explicit exists/absent test on the field says what its absence means
          if (on.some((x) => x.op === 'exists' || x.op === 'absent')) {
            expect(got, where).toBe(verdict(c, withField(ex.resource, field, null), ex));
            continue;
          }
          // some alternatives declare a value and others do not: the verdict is that of a declared value
          const declaredValues = on.filter((x) => x.absent_means !== undefined).map((x) => x.absent_means);
          if (plain && declaredValues.some((v) => verdict(c, withField(ex.resource, field, v), ex) === got)) continue;
          // not ERROR: then no value the catalog uses for this field could have changed the verdict
          const candidates = new Map<string, unknown>();
          for (const other of c.examples ?? []) {
            const o = other.resource as Record<string, unknown> | null;
            if (o && typeof o === 'object' && field in o) candidates.set(JSON.stringify(o[field]), o[field]);
          }
          for (const x of on) {
            if (x.path !== field || x.value === undefined) continue;
            for (const v of [x.value, [x.value], ...(Array.isArray(x.value) ? x.value : [])]) candidates.set(JSON.stringify(v), v);
          }
          for (const v of candidates.values()) {
            expect(verdict(c, withField(ex.resource, field, v), ex), `${where}, but ${JSON.stringify(v)} gives`).toBe(got);
          }
        }
      }
      if ((c.examples ?? []).some((e) => e.resource && typeof e.resource === 'object')) expect(checked, c.id).toBeGreaterThan(0);
    });
  }
});
