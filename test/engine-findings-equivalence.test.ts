// The engine's fast path (shared evidence arrays, interned values, one pass reason per control,
// resource-major feeding) must print exactly what the plain reading of the contract prints:
// for every in-scope record of every control, one finding built from compileAssertion().evaluate().
// The reference below is that plain reading, written out independently of src/engine/automated.ts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeBundle, makeControls } from '../bench/engine.js';
import type { Control, Waiver } from '../src/controls/model.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import { compileAssertion, describeAssertion } from '../src/engine/assertions.js';
import { evaluate } from '../src/engine/evaluate.js';
import { resolveParameters } from '../src/engine/parameters.js';
import type { Finding, Results } from '../src/engine/results.js';
import { renderJson } from '../src/output/json.js';

const now = new Date('2026-11-28T12:00:00Z');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** `*` in a waiver's resource matches any run of characters; everything else literal. */
function globMatches(glob: string, s: string): boolean {
  const parts = glob.split('*');
  if (parts.length === 1) return glob === s;
  if (!s.startsWith(parts[0]!) || !s.endsWith(parts[parts.length - 1]!)) return false;
  let at = parts[0]!.length;
  for (const p of parts.slice(1, -1)) {
    const i = s.indexOf(p, at);
    if (i < 0) return false;
    at = i + p.length;
  }
  return at <= s.length - parts[parts.length - 1]!.length;
}

/** The findings of one automated control, one per in-scope record, in manifest scope order then bundle order. */
function referenceFindings(c: Control, bundle: EvidenceBundle, waivers: readonly Waiver[]): Finding[] {
  const params = resolveParameters(c);
  const ctx = { params, now };
  const assert = compileAssertion(c.assert!, c.parameters);
  const scope = c.scope ? compileAssertion(c.scope, c.parameters) : undefined;
  const holds = `holds: ${describeAssertion(c.assert!, params, c.parameters)}`;
  const out: Finding[] = [];
  for (const account of bundle.manifest.accounts) {
    for (const region of bundle.manifest.regions) {
      for (const rec of bundle.records) {
        if (rec.source.account !== account || rec.source.region !== region) continue;
        if (rec.error && rec.data === null) {
          const e = rec.error;
          out.push({ resource: rec.resource, account, region, status: 'ERROR', reason: `evidence could not be read: ${e.operation} failed with ${e.code}: ${e.message}`, evidence: [rec.id] });
          continue;
        }
        if (scope && !scope.evaluate(rec.data, ctx).ok) continue;
        const o = assert.evaluate(rec.data, ctx);
        const f: Finding = { resource: rec.resource, account, region, status: o.ok ? 'PASS' : 'FAIL', reason: o.ok ? holds : o.reason, evidence: [rec.id], values: JSON.parse(JSON.stringify(o.values)) as Record<string, unknown> };
        if (rec.owner && rec.owner !== account) f.owner = rec.owner;
        const w = o.ok ? undefined : waivers.find((x) => x.control === c.id && globMatches(x.resource, rec.resource));
        if (w) {
          f.status = 'WAIVED';
          // the waiver's id: its own words, hashed (DESIGN: waiver {id, approver, approvedOn, expires})
          const id = `W-${createHash('sha256').update([w.control, w.resource, w.approver, w.approved_on ?? '', w.expires].join('\n'), 'utf8').digest('hex').slice(0, 10)}`;
          f.waiver = { id, reason: w.reason, approver: w.approver, approvedOn: w.approved_on ?? null, expires: w.expires };
          f.reason = `${o.reason} (waived until ${w.expires} by ${w.approver}: ${w.reason})`;
        }
        out.push(f);
      }
    }
  }
  return out;
}

function findingsOnly(r: Results): Results {
  // the control-level reason is the engine's summary sentence; compared separately below
  return { ...r, controls: r.controls.map((c) => ({ ...c, reason: '', status: 'PASS' })) };
}

describe('engine findings: fast path equals the plain reading, byte for byte', () => {
  it('a generated bundle (bench generator) with a waiver, a shared key owner and an unreadable resource', () => {
    const bundle = makeBundle(3000);
    // a key shared from another account, and a resource whose Describe call failed
    bundle.records[7] = { ...bundle.records[7]!, owner: '999988887777' };
    bundle.records[11] = { ...bundle.records[11]!, data: null, error: { operation: 'DescribeDBClusters', code: 'Throttling', message: 'slow down' } };
    const controls = makeControls();
    // bench-control-0 asserts StorageEncrypted: cluster-0, -97, -194... fail; waive the ones in us-east-1
    const waivers: Waiver[] = [{ control: 'bench-control-0', resource: 'arn:aws:rds:us-east-1:*', reason: 'migration', approver: 'ciso@example.com', expires: '2027-01-31' }];
    const results = evaluate(controls, bundle, { toolVersion: 'test', now, waivers });

    const reference: Results = {
      ...results,
      controls: results.controls.map((r, i) => ({ ...r, findings: referenceFindings(controls[i]!, bundle, waivers) })),
    };
    const got = renderJson(findingsOnly(results));
    const want = renderJson(findingsOnly(reference));
    // the reference really exercised every kind of finding
    const all = reference.controls.flatMap((c) => c.findings);
    for (const s of ['PASS', 'FAIL', 'WAIVED', 'ERROR'] as const) expect(all.some((f) => f.status === s)).toBe(true);
    expect(all.some((f) => f.owner === '999988887777')).toBe(true);
    expect(all.length).toBeGreaterThan(25 * 2900);
    if (got !== want) {
      // name the first control that differs before the hash comparison fails
      for (let i = 0; i < results.controls.length; i++) {
        expect(JSON.parse(renderJson({ ...findingsOnly(results), controls: [findingsOnly(results).controls[i]!] })))
          .toEqual(JSON.parse(renderJson({ ...findingsOnly(reference), controls: [findingsOnly(reference).controls[i]!] })));
      }
    }
    expect(sha256(got)).toBe(sha256(want));

    // control statuses follow the findings: FAIL if any FAIL, else ERROR if any ERROR, else WAIVED, else PASS
    for (const c of reference.controls) {
      const has = (s: string) => c.findings.some((f) => f.status === s);
      const want = has('FAIL') ? 'FAIL' : has('ERROR') ? 'ERROR' : has('WAIVED') ? 'WAIVED' : c.findings.length ? 'PASS' : 'NOT_APPLICABLE';
      expect(results.controls.find((r) => r.id === c.id)!.status).toBe(want);
    }
  });

  it('evaluating twice gives the same bytes (no state leaks between runs through shared objects)', () => {
    const bundle = makeBundle(500);
    const a = renderJson(evaluate(makeControls(), bundle, { toolVersion: 'test', now }));
    const b = renderJson(evaluate(makeControls(), bundle, { toolVersion: 'test', now }));
    expect(sha256(a)).toBe(sha256(b));
  });
});
