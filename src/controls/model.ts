// The control catalog as the rest of the program sees it, once loaded and validated.
// YAML field names are snake_case in files; these types mirror the files one to one.

export type FrameworkId = 'soc2' | 'pci-dss-4.0.1' | 'gdpr' | 'ccpa' | 'csa-ccm-4';
export const FRAMEWORK_IDS: readonly FrameworkId[] = ['soc2', 'pci-dss-4.0.1', 'gdpr', 'ccpa', 'csa-ccm-4'];

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** Comparison operators of the assertion language. */
export const OPERATORS = [
  'equals', 'not-equals',
  'greater-than', 'greater-or-equal', 'less-than', 'less-or-equal',
  'in', 'not-in', 'all-in', 'contains', 'not-contains', 'matches',
  'exists', 'absent',
  'length-equals', 'length-greater-or-equal', 'length-less-or-equal',
  'older-than-days', 'newer-than-days',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** A value in an assertion: a literal, or a reference to one of the control's parameters. */
export type Operand = { value: unknown } | { param: string };

/** One comparison: JMESPath `path` evaluated on the resource, compared by `op`. */
export interface Comparison {
  path: string;
  op: Operator;
  /** literal right-hand side (absent for exists/absent) */
  value?: unknown;
  /** name of a parameter whose value is the right-hand side */
  param?: string;
  /** optional plain-English wording that replaces the generated sentence */
  says?: string;
}

export type Assertion =
  | Comparison
  | { all: Assertion[] }
  | { any: Assertion[] }
  | { not: Assertion };

export interface ParameterDef {
  default: number | string | boolean | string[];
  description: string;
  /** printed next to the value, e.g. "days" */
  unit?: string;
}

export type ConfigRuleParameter =
  | { at_least: number } | { at_most: number } | { equals: string | number | boolean }
  | { at_least_param: string } | { at_most_param: string } | { equals_param: string };

export interface Reference {
  title: string;
  url?: string;
  /** e.g. the AWS Config managed rule identifier that checks the same thing */
  config_rule?: string;
}

export interface ControlExample {
  name: string;
  /** a resource as the collector would record it (the record's `data`) */
  resource: unknown;
  expect: 'pass' | 'fail' | 'not-applicable';
  /** parameter overrides for this example only */
  parameters?: Record<string, unknown>;
  /** evaluation time for age operators, ISO 8601; default: now */
  now?: string;
}

export interface Control {
  id: string;
  title: string;
  description: string;
  /** the public claim this control backs, in the words of the security page */
  claim?: string;
  severity: Severity;
  kind: 'automated' | 'manual';
  /** automated only: the collector whose records this control reads */
  collector?: string;
  /** automated only: which records are in scope; absent means every record of the collector */
  scope?: Assertion;
  /** automated only: what every in-scope resource must satisfy */
  assert?: Assertion;
  /**
   * automated only: what it means when a completely collected account and region has no
   * in-scope resource. `not-applicable` (default) for "every X must be Y"; `fail` for
   * "there must be an X" (a Config recorder, a deployed Config rule).
   */
  when_none_in_scope?: 'not-applicable' | 'fail';
  /**
   * automated only, shorthand: the AWS Config managed rule identifier (e.g.
   * CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED) whose per-resource compliance this control
   * reports. The loader expands it to collector `config.rule-evaluations`, scope
   * `SourceIdentifier == <rule>`, assert `ComplianceType == 'COMPLIANT'`, and
   * when_none_in_scope `fail` (a rule that is not deployed proves nothing).
   */
  config_rule?: string;
  /**
   * with config_rule: the rule's input parameters a deployed rule must have, at least this strict,
   * for its verdict to count (a rule deployed with a laxer threshold proves less than the control
   * claims). One comparison per parameter: {at_least: 7}, {at_most: 35}, {equals: "true"}, or
   * the same naming one of the control's parameters: {at_least_param: retention_days}.
   */
  config_rule_parameters?: Record<string, ConfigRuleParameter>;
  /** manual only: what an attestation must show */
  attestation?: { evidence: string; max_age_days?: number };
  parameters?: Record<string, ParameterDef>;
  frameworks: Partial<Record<FrameworkId, string[]>>;
  remediation: string;
  references?: Reference[];
  /** why the framework mapping is ours (where no published mapping exists) */
  rationale?: string;
  examples?: ControlExample[];
  tags?: string[];
  /** where the control was loaded from, for error messages and reports */
  source?: { file: string; line: number };
}

export interface Requirement {
  id: string;
  title: string;
}

export interface Framework {
  id: FrameworkId;
  title: string;
  version: string;
  url?: string;
  requirements: Requirement[];
}

/** A problem found while loading files; every loader reports all of them, never throws them. */
export interface LoadProblem {
  file: string;
  line: number;
  col: number;
  /** short rule name, e.g. "unknown-key", "yaml-syntax", "duplicate-id" */
  rule: string;
  message: string;
}

export function formatProblem(p: LoadProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message} [${p.rule}]`;
}

/** Project settings from trustpack.yaml. */
export interface ProjectConfig {
  organisation?: string;
  /** folder of controls, relative to the project file */
  controls?: string;
  regions?: string[];
  /** parameter name -> value, applied to every control that declares the parameter */
  parameters?: Record<string, unknown>;
  /** per-control parameter overrides: control id -> parameter name -> value */
  control_parameters?: Record<string, Record<string, unknown>>;
  waivers?: string;
  attestations?: string;
}

export interface Waiver {
  control: string;
  /** glob on the resource ARN; `*` matches any run of characters */
  resource: string;
  reason: string;
  approver: string;
  expires: string;
}

export interface Attestation {
  control: string;
  attested_by: string;
  attested_at: string;
  document: string;
  sha256: string;
  expires: string;
  notes?: string;
}
