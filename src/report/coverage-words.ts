// What a requirement's row says: which controls evidence it and their statuses, never a verdict
// on the requirement itself ("2 controls: 1 PASS, 1 FAIL"). A requirement whose mapped controls
// all passed is "no exceptions noted in the tested aspects", and the aspects are named.
import type { ControlStatus } from '../engine/results.js';

const ORDER: ControlStatus[] = ['PASS', 'FAIL', 'ERROR', 'WAIVED', 'MANUAL', 'NOT_APPLICABLE'];

/** "2 controls: 1 PASS, 1 FAIL"; "1 control: not evaluated" */
export function controlCountLine(statuses: readonly (ControlStatus | undefined)[]): string {
  const n = statuses.length;
  if (n === 0) return 'no control maps to it';
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s ?? 'not evaluated', (counts.get(s ?? 'not evaluated') ?? 0) + 1);
  const parts = [...ORDER, 'not evaluated' as const].filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s.replace('_', ' ')}`);
  return `${n} control${n === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** The run pack's reading of one requirement: which words, and which colour family. */
export function requirementReading(statuses: readonly (ControlStatus | undefined)[], aspects: readonly string[]): { text: string; tone: 'none' | 'ok' | 'exception' | 'untested' } {
  if (statuses.length === 0) return { text: 'Not covered: no control maps to this requirement', tone: 'untested' };
  if (statuses.some((s) => s === 'FAIL' || s === 'WAIVED')) return { text: 'Exceptions noted (see the controls)', tone: 'exception' };
  if (statuses.some((s) => s === undefined || s === 'ERROR')) return { text: 'Not tested in full: a mapped control has no evidence in this run', tone: 'untested' };
  if (statuses.every((s) => s === 'NOT_APPLICABLE')) return { text: 'Not applicable: no resource in scope', tone: 'none' };
  return { text: `No exceptions noted in the tested aspects: ${aspects.join('; ')}`, tone: 'ok' };
}
