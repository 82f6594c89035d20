// The one list of assertion operators. From it come the control schema's `op` enum and its
// "takes no value" rule (scripts/gen-validators.mjs) and the operator list in messages.
// Adding an operator is one entry here; the compiler then points at the two switches that
// must handle it (src/engine/assertions.ts: how it decides and how it reads in English).
// Plain data, no imports: the generator reads it.

export const OPERATORS = [
  { op: 'equals', operand: 'value' },
  { op: 'not-equals', operand: 'value' },
  { op: 'greater-than', operand: 'value' },
  { op: 'greater-or-equal', operand: 'value' },
  { op: 'less-than', operand: 'value' },
  { op: 'less-or-equal', operand: 'value' },
  { op: 'in', operand: 'value' },
  { op: 'not-in', operand: 'value' },
  { op: 'all-in', operand: 'value' },
  { op: 'any-in', operand: 'value' },
  { op: 'contains-all', operand: 'value' },
  { op: 'contains', operand: 'value' },
  { op: 'not-contains', operand: 'value' },
  { op: 'matches', operand: 'value' },
  { op: 'exists', operand: 'none' },
  { op: 'absent', operand: 'none' },
  { op: 'length-equals', operand: 'value' },
  { op: 'length-greater-or-equal', operand: 'value' },
  { op: 'length-less-or-equal', operand: 'value' },
  { op: 'older-than-days', operand: 'value' },
  { op: 'newer-than-days', operand: 'value' },
] as const satisfies readonly { op: string; operand: 'value' | 'none' }[];

export type Operator = (typeof OPERATORS)[number]['op'];
/** @public the names alone: scripts/gen-validators.mjs sets the control schema's `op` enum from them (through a data: import knip cannot follow) */
export const OPERATOR_NAMES: readonly Operator[] = OPERATORS.map((o) => o.op);
/** operators that compare with nothing (`exists`, `absent`): no `value`, no `param` */
export const OPERATORS_WITHOUT_OPERAND: readonly Operator[] = OPERATORS.filter((o) => o.operand === 'none').map((o) => o.op);
