// `trustpack controls test`: runs each control's examples through the same scope and
// assertion code the engine uses on real evidence.
import type { Control, ProjectConfig } from '../controls/model.js';
import { compileAssertion } from './assertions.js';
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
    for (const ex of c.examples) {
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
      } else if (scope && !scope.test(ex.resource, { params, now })) {
        actual = 'not-applicable';
        reason = 'the resource is out of the control\'s scope';
      } else {
        const o = assert.evaluate(ex.resource, { params, now });
        actual = o.ok ? 'pass' : 'fail';
        reason = o.reason;
      }
      out.push({ control: c.id, example: ex.name, expected: ex.expect, actual, ok: actual === ex.expect, reason });
    }
  }
  return out;
}
