import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { toOscal, toToken } from '../src/output/oscal.js';
import { uuidV5 } from '../src/output/uuid.js';
import { render } from '../src/output/index.js';
import { bundle, hostile, results } from './output-fixture.js';

// NIST's schema, vendored with its source and sha256 (vendor/oscal/README.md): the repository
// reads nothing outside itself.
const schemaText = readFileSync(new URL('../vendor/oscal/oscal_assessment-results_schema-v1.0.4.json', import.meta.url), 'utf8');
const SCHEMA_SHA256 = 'ccbb55a80f8b5753e9f6dfbc317e7b35a2800f013ce17cb04ee69e6ad4cd6a9e';
const schema = JSON.parse(schemaText);
// ajv and ajv-formats are CommonJS; under NodeNext the default import is the exports object.
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule.default;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

function expectValid(doc: unknown): void {
  const ok = validate(doc);
  expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5), null, 1)).toEqual([]);
  expect(ok).toBe(true);
}

type Doc = { 'assessment-results': any };

describe('OSCAL assessment results', () => {
  it('validates against the vendored schema, unchanged from NIST v1.0.4 (sha256 as in vendor/oscal/README.md)', () => {
    expect(createHash('sha256').update(schemaText).digest('hex')).toBe(SCHEMA_SHA256);
    expect(readFileSync(new URL('../vendor/oscal/README.md', import.meta.url), 'utf8')).toContain(SCHEMA_SHA256);
    expect(schema.$id).toBe('http://csrc.nist.gov/ns/oscal/1.0.4/oscal-ar-schema.json');
  });

  it('validates against the official 1.0.4 schema, with and without the bundle', () => {
    expectValid(toOscal(results, bundle));
    expectValid(toOscal(results));
    expectValid(toOscal(results, bundle, { title: 'Acme SOC 2', controlsTitle: 'Acme controls' }));
  });

  it('the validator bites: a bad prop name, a missing uuid and a bad date are rejected', () => {
    const bad = (mutate: (ar: any) => void) => {
      const doc = JSON.parse(JSON.stringify(toOscal(results, bundle))) as Doc;
      mutate(doc['assessment-results']);
      return validate(doc);
    };
    expect(bad(() => {})).toBe(true);
    expect(bad((ar) => { ar.results[0].findings[0].props[0].name = 'has space'; })).toBe(false);
    expect(bad((ar) => { delete ar.uuid; })).toBe(false);
    expect(bad((ar) => { ar.metadata['last-modified'] = '2026-11-28'; })).toBe(false);
  });

  it('validates with no controls at all (include-all, no observations or findings)', () => {
    const empty = { ...results, controls: [], summary: { PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0, MANUAL: 0, WAIVED: 0 } };
    const doc = toOscal(empty) as Doc;
    expectValid(doc);
    expect(doc['assessment-results'].results[0]['reviewed-controls']['control-selections'][0]).toEqual({ 'include-all': {} });
  });

  it('validates with hostile strings and odd control ids', () => {
    expectValid(toOscal(hostile, bundle));
  });

  it('validates whatever strings the results carry (property)', () => {
    const str = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('', ' ', '\n', '9x', '-'));
    fc.assert(fc.property(str, str, str, str, str, str, (id, title, resource, reason, account, runId) => {
      const base = results.controls[0]!;
      const r = {
        ...results,
        run: { ...results.run, id: runId, accounts: [account], regions: [account] },
        controls: [
          { ...base, id, title, reason, claim: reason, asserts: title, frameworks: { soc2: [id] },
            findings: [{ ...base.findings[1]!, resource, reason, account, region: account,
              waiver: { reason, approver: title, expires: reason } }] },
          { ...results.controls[4]!, id: title, attestation: { ...results.controls[4]!.attestation!, attested_by: reason, document: resource, attested_at: reason, expires: title } },
        ],
      };
      const doc = toOscal(r, bundle);
      if (!validate(doc)) throw new Error(JSON.stringify(validate.errors?.slice(0, 3)));
    }), { numRuns: 200 });
  });

  it('is deterministic: two renders are equal', () => {
    expect(JSON.stringify(toOscal(results, bundle))).toBe(JSON.stringify(toOscal(results, bundle)));
    expect(render('oscal', results, { color: false, bundle })).toBe(render('oscal', results, { color: false, bundle }));
  });

  it('carries run times, statuses and evidence', () => {
    const ar = (toOscal(results, bundle) as Doc)['assessment-results'];
    expect(ar.metadata['oscal-version']).toBe('1.0.4');
    expect(ar.metadata['last-modified']).toBe(results.run.evaluatedAt);
    const result = ar.results[0];
    expect(result.start).toBe(results.run.startedAt);
    expect(result.end).toBe(results.run.endedAt);
    expect(result.findings).toHaveLength(results.controls.length);
    const states = Object.fromEntries(
      result.findings.map((f: any) => [f.props.find((p: any) => p.name === 'trustpack-status').value, f.target.status.state]),
    );
    expect(states).toMatchObject({ PASS: 'satisfied', FAIL: 'not-satisfied', ERROR: 'not-satisfied', WAIVED: 'not-satisfied' });
    const findingCount = results.controls.reduce((n, c) => n + c.findings.length, 0);
    expect(result.observations.filter((o: any) => o.methods[0] === 'TEST')).toHaveLength(findingCount);
    // each relevant-evidence points at a back-matter resource that names the record id
    const resources = new Map(ar['back-matter'].resources.map((r: any) => [r.uuid, r]));
    const refs = result.observations.flatMap((o: any) => o['relevant-evidence'] ?? []);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const target: any = resources.get(ref.href.slice(1));
      expect(target).toBeDefined();
      expect(target.props.find((p: any) => p.name === 'evidence-id').value).toBe(ref.props[0].value);
    }
    // collected comes from the evidence record's answer time when the bundle is given
    const withEvidence = result.observations.find((o: any) =>
      (o['relevant-evidence'] ?? []).some((e: any) => e.props[0].value === bundle.records[0]!.id));
    expect(withEvidence.collected).toBe(bundle.records[0]!.source.time);
    // automated observations name trustpack, a local tool component, as their origin
    const tool = result['local-definitions'].components[0];
    expect(tool).toMatchObject({ type: 'software', title: 'trustpack 0.1.0' });
    for (const o of result.observations.filter((x: any) => x.methods[0] === 'TEST')) {
      expect(o.origins[0].actors[0]).toEqual({ type: 'tool', 'actor-uuid': tool.uuid });
      expect(result['local-definitions']['inventory-items'].some((i: any) => i.uuid === o.subjects[0]['subject-uuid'])).toBe(true);
    }
    // every uuid in the document is distinct
    const uuids = JSON.stringify(ar).match(/"uuid":"[^"]+"/g) ?? [];
    expect(new Set(uuids).size).toBe(uuids.length);
  });

  it('makes RFC 4122 v5 uuids that do not collide on part boundaries', () => {
    const u = uuidV5('a', 'bc');
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(u).not.toBe(uuidV5('ab', 'c'));
    expect(u).toBe(uuidV5('a', 'bc'));
  });

  it('turns any control id into an OSCAL token', () => {
    expect(toToken('rds-encrypted')).toBe('rds-encrypted');
    expect(toToken('9 odd/id')).toBe('_9_odd_id');
    expect(toToken('')).toBe('_');
  });
});
