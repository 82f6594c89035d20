// The conclusion sentence of a control and of a requirement over a period, by a stated rule.
// The tables below are printed in every period pack's appendix and in docs/ARCHITECTURE.md; the
// first rule whose condition holds decides. A requirement is never concluded "passed": at best
// "no exceptions noted in the tested aspects", with the aspects named.

/** What a control's conclusion reads: counted over the runs of the period. */
export interface ControlFacts {
  /** runs of the period that evaluated the control */
  evaluated: number;
  /** runs of the period in which the control's status was ERROR (evidence missing or unreadable) */
  errorRuns: number;
  /** runs of the period in which the control was NOT_APPLICABLE */
  notApplicableRuns: number;
  /** ids (E-n) of its exceptions on resources and attestations, and how many were waived in every run */
  exceptions: string[];
  waivedExceptions: number;
  /** ids of its missing-evidence exceptions (a collection or region not read) */
  missing: string[];
}

export interface Conclusion {
  rule: string;
  text: string;
}

export const CONTROL_RULES: readonly { rule: string; when: string; says: string }[] = [
  { rule: 'C1', when: 'no run of the period evaluated the control', says: 'Not tested: no run of the period evaluated this control.' },
  { rule: 'C2', when: 'at least one exception (FAIL or ERROR streak on a resource or an attestation, waived or not)', says: 'K exception(s) noted in N runs: see E-…; plus "No evidence in M of N runs." when M > 0' },
  { rule: 'C3', when: 'no such exception, and the control was in ERROR in M > 0 runs', says: 'Not tested in M of N runs: no evidence (see E-…). No exceptions noted in the other N-M runs.' },
  { rule: 'C4', when: 'no exception, and NOT_APPLICABLE in every run', says: 'Not applicable: no resource in scope in any of N runs.' },
  { rule: 'C5', when: 'otherwise', says: 'No exceptions noted in N runs.' },
];

export const REQUIREMENT_RULES: readonly { rule: string; when: string; says: string }[] = [
  { rule: 'R1', when: 'no control of the catalog maps to the requirement', says: 'Not covered: no control maps to this requirement.' },
  { rule: 'R2', when: 'controls map to it, but no run of the period evaluated any of them', says: 'Not evidenced: no run of the period evaluated its controls.' },
  { rule: 'R3', when: 'a mapped control concluded C2', says: 'Exceptions noted: <control> (E-…), …' },
  { rule: 'R4', when: 'a mapped control concluded C1 or C3', says: 'Not tested in full: <control> (not tested in M of N runs), …' },
  { rule: 'R5', when: 'every mapped control concluded C4', says: 'Not applicable: no resource in scope for its controls.' },
  { rule: 'R6', when: 'otherwise (every mapped control C4 or C5)', says: 'No exceptions noted in the tested aspects: <the controls\' titles>.' },
];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function concludeControl(f: ControlFacts): Conclusion {
  const n = f.evaluated;
  if (n === 0) return { rule: 'C1', text: 'Not tested: no run of the period evaluated this control.' };
  if (f.exceptions.length > 0) {
    const waived = f.waivedExceptions > 0 ? ` (${f.waivedExceptions} waived)` : '';
    const missing = f.errorRuns > 0 ? ` No evidence in ${f.errorRuns} of ${n} runs.` : '';
    return { rule: 'C2', text: `${plural(f.exceptions.length, 'exception')} noted${waived} in ${plural(n, 'run')}: see ${f.exceptions.join(', ')}.${missing}` };
  }
  if (f.errorRuns > 0) {
    const see = f.missing.length > 0 ? ` (see ${f.missing.join(', ')})` : '';
    return { rule: 'C3', text: `Not tested in ${f.errorRuns} of ${plural(n, 'run')}: no evidence${see}. No exceptions noted in the other ${n - f.errorRuns}.` };
  }
  if (f.notApplicableRuns === n) return { rule: 'C4', text: `Not applicable: no resource in scope in any of ${plural(n, 'run')}.` };
  return { rule: 'C5', text: `No exceptions noted in ${plural(n, 'run')}.` };
}

export interface MappedControl {
  id: string;
  title: string;
  conclusion: Conclusion;
  facts: ControlFacts;
}

export function concludeRequirement(controls: readonly MappedControl[]): Conclusion {
  if (controls.length === 0) return { rule: 'R1', text: 'Not covered: no control maps to this requirement.' };
  if (controls.every((c) => c.conclusion.rule === 'C1')) return { rule: 'R2', text: `Not evidenced: no run of the period evaluated its controls (${controls.map((c) => c.id).join(', ')}).` };
  const withExceptions = controls.filter((c) => c.conclusion.rule === 'C2');
  if (withExceptions.length > 0) return { rule: 'R3', text: `Exceptions noted: ${withExceptions.map((c) => `${c.id} (${c.facts.exceptions.join(', ')})`).join('; ')}.` };
  const untested = controls.filter((c) => c.conclusion.rule === 'C1' || c.conclusion.rule === 'C3');
  if (untested.length > 0) {
    return {
      rule: 'R4',
      text: `Not tested in full: ${untested.map((c) => `${c.id} (${c.conclusion.rule === 'C1' ? 'not evaluated in the period' : `not tested in ${c.facts.errorRuns} of ${c.facts.evaluated} runs`})`).join('; ')}.`,
    };
  }
  if (controls.every((c) => c.conclusion.rule === 'C4')) return { rule: 'R5', text: 'Not applicable: no resource in scope for its controls.' };
  return { rule: 'R6', text: `No exceptions noted in the tested aspects: ${controls.filter((c) => c.conclusion.rule === 'C5').map((c) => c.title).join('; ')}.` };
}
