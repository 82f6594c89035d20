// `trustpack controls test`: runs each control's examples through the same scope and
// assertion code the engine uses on real evidence.
import type { Control, ProjectConfig } from '../controls/model.js';
import { compileAssertion } from './assertions.js';
import { judgeAttestations } from './attestation.js';
import { resolveParameters } from './parameters.js';

export interface ExampleResult {
  control: string;
  example: string;
  expected: string;
  actual: string;
  ok: boolean;
  reason: string;
}

export function runExamples(controls: Control[], project?: ProjectConfig): ExampleResult[] {
  const out: ExampleResult[] = [];
  for (const c of controls) {
    if (!c.examples?.length) continue;
    const base = resolveParameters(c, project);
    const assert = c.assert ? compileAssertion(c.assert, c.parameters) : undefined;
    const scope = c.scope ? compileAssertion(c.scope, c.parameters) : undefined;
    const errorWhen = c.error_when ? compileAssertion(c.error_when, c.parameters) : undefined;
    const manualWhen = c.manual_when ? compileAssertion(c.manual_when, c.parameters) : undefined;
    for (const ex of c.examples) {
      if (c.kind !== 'automated') {
        out.push(attestationExample(c, ex));
        continue;
      }
      const params = { ...base, ...(ex.parameters ?? {}) };
      const now = ex.now !== undefined ? new Date(ex.now) : new Date();
      let actual: string;
      let reason: string;
      if (!assert) {
        actual = 'error';
        reason = `${c.id} has no assertion to run examples against`;
      } else if (Number.isNaN(now.getTime())) {
        actual = 'error';
        reason = `example "now" ${JSON.stringify(ex.now)} is not a date`;
      } else {
        const inScope = scope ? scope.decide(ex.resource, { params, now }) : true;
        const cannot = errorWhen ? errorWhen.decide(ex.resource, { params, now }) : false;
        if (inScope === false) {
          actual = 'not-applicable';
          reason = 'the resource is out of the control\'s scope';
        } else if (typeof inScope === 'string') {
          actual = 'error';
          reason = `cannot tell whether it is in scope: ${inScope}`;
        } else if (cannot !== false) {
          actual = 'error';
          reason = cannot === true ? 'the resource cannot be judged (error_when holds)' : `cannot tell whether it can be judged: ${cannot}`;
        } else {
          const o = assert.evaluate(ex.resource, { params, now });
          actual = o.ok ? 'pass' : o.unknown ? 'error' : 'fail';
          reason = o.reason;
          if (actual === 'fail' && manualWhen?.decide(ex.resource, { params, now }) === true) {
            // what the API cannot judge rests on the example's attestation, judged as a run judges it
            const v = judgeAttestations(c, ex.attestation ? [{ ...ex.attestation, control: c.id }] : [], now);
            actual = v.current ? 'manual' : 'fail';
            reason = v.reason;
          }
        }
      }
      out.push({ control: c.id, example: ex.name, expected: ex.expect, actual, ok: actual === ex.expect, reason });
    }
  }
  return out;
}

/**
 * A manual or inherited control's example: its attestation judged at the example's `now` by the
 * same code as a real run, the document's sha256 checked against `document_text` when given.
 */
function attestationExample(c: Control, ex: NonNullable<Control['examples']>[number]): ExampleResult {
  const now = ex.now !== undefined ? new Date(ex.now) : new Date();
  const base = { control: c.id, example: ex.name, expected: ex.expect };
  if (!ex.attestation) return { ...base, actual: 'error', ok: false, reason: `${c.kind} control examples give an attestation, not a resource` };
  if (Number.isNaN(now.getTime())) return { ...base, actual: 'error', ok: false, reason: `example "now" ${JSON.stringify(ex.now)} is not a date` };
  const v = judgeAttestations(c, [{ ...ex.attestation, control: c.id }], now,
    ex.document_text !== undefined ? { text: ex.document_text } : undefined);
  const actual = v.current ? 'manual' : 'fail';
  return { ...base, actual, ok: actual === ex.expect, reason: v.reason };
}
