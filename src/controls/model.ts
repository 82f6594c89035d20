// The control catalog as the rest of the program sees it, once loaded and validated.
// YAML field names are snake_case in files; these types mirror the files one to one.
import type { ParameterType } from './parameter-types.js';

// framework ids and operators are kept in one registry each (src/controls/registry/)
export { FRAMEWORK_IDS, type FrameworkId } from './registry/frameworks.js';
export type { Operator } from './registry/operators.js';
import type { FrameworkId } from './registry/frameworks.js';
import type { Operator } from './registry/operators.js';

export type ControlKind = 'automated' | 'manual' | 'inherited';

/** One input parameter a deployed AWS Config rule must have, at least as strict as this. */
type ConfigRuleParameter =
  | { at_least: number } | { at_most: number } | { equals: string | number | boolean }
  | { at_least_param: string } | { at_most_param: string } | { equals_param: string };

type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';


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
  /**
   * what an absent (missing or null) value at `path` means, compared in its place (`false`,
   * `[]`, `aurora`); without it an absent value is unknown and the finding ERROR, never FAIL
   */
  absent_means?: unknown;
}

export type Assertion =
  | Comparison
  | { all: Assertion[] }
  | { any: Assertion[] }
  | { not: Assertion };

export interface ParameterDef {
  /** what kind of value it takes (src/controls/parameter-types.ts); every value is checked against it */
  type: ParameterType;
  default: number | string | boolean | string[];
  description: string;
  /** printed next to the value, e.g. "days" */
  unit?: string;
}

interface Reference {
  title: string;
  url?: string;
  /** e.g. the AWS Config managed rule identifier that checks the same thing */
  config_rule?: string;
}

interface ControlExample {
  name: string;
  /** automated controls: a resource as the collector would record it (the record's `data`) */
  resource?: unknown;
  /** manual and inherited controls: an attestation as attestations.yaml holds it (without `control`) */
  attestation?: Omit<Attestation, 'control'>;
  /** manual and inherited controls: the attested document's text, to check its sha256 against */
  document_text?: string;
  /** automated: pass, fail, not-applicable or error (error_when holds); manual and inherited: manual (attested) or fail */
  expect: 'pass' | 'fail' | 'not-applicable' | 'error' | 'manual';
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
  /** the ids of the promises (controls/claims.yaml) this control backs */
  claims?: string[];
  severity: Severity;
  /**
   * automated: proven by collected evidence; manual: proven by an attestation; inherited: what
   * the cloud provider operates, proven by the provider's own documents held as an attestation
   */
  kind: ControlKind;
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
   * automated only: in-scope resources that cannot be judged (an engine version whose default no
   * table knows): their finding is ERROR with this sentence, never PASS or FAIL
   */
  error_when?: Assertion;
  /**
   * automated only: an in-scope resource that fails the assertion but satisfies this is proven
   * by the control's attestation instead (its finding MANUAL when one is current, else FAIL):
   * what the API cannot see, such as the tables pgAudit's object auditing covers
   */
  manual_when?: Assertion;
  /**
   * automated only: the claim is about every region (residency), so each enabled region the run
   * did not collect adds an ERROR finding naming it
   */
  needs_every_region?: boolean;
  /**
   * automated only, shorthand: the AWS Config managed rule identifier (e.g.
   * CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED) whose per-resource compliance this control
   * reports. The loader expands it to collector `config.rule-evaluations`, scope
   * `SourceIdentifier == <rule>`, assert `ComplianceType == 'COMPLIANT'`, and
   * when_none_in_scope `fail` (a rule that is not deployed proves nothing).
   */
  config_rule?: string;
  /**
   * with config_rule: the id of the control that proves the same claim from a read API. The rule
   * is then corroboration, not proof: evaluated only when the project sets
   * corroborate_with_config_rules, its verdict shown beside that control's, a disagreement warned
   */
  corroborates?: string;
  /**
   * with config_rule: the least strict input parameters a deployed rule may have and still prove
   * the claim (a rule deployed with weaker parameters proves nothing)
   */
  config_rule_parameters?: Record<string, ConfigRuleParameter>;
  /** manual and inherited (and automated with manual_when): what an attestation must show */
  attestation?: {
    evidence: string;
    max_age_days?: number;
    /** the words of the promise or policy the age limit comes from */
    cadence?: string;
  };
  /** inherited only: who operates the control and where they document it */
  provider?: { name: string; documentation: string; report?: string };
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

/** One public promise (controls/claims.yaml) that controls back. */
export interface Claim {
  id: string;
  /** the promise in our words */
  promise: string;
  /** the numbers, levels or cadence it states */
  numbers?: string;
  /** the kinds of proof that fit it */
  proof: ('api' | 'config-rule' | 'attestation' | 'inherited')[];
}

interface Requirement {
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
  /** the system under audit, for the cover and the period pack */
  system?: { scope?: string; accounts?: string[]; services?: string[] };
  /** who prepared and who reviewed the pack (a name, and a role if wanted) */
  preparer?: string;
  reviewer?: string;
  /** a PNG or JPEG for the cover, relative to the project file */
  logo?: string;
  /** parameter name -> value, applied to every control that declares the parameter */
  parameters?: Record<string, unknown>;
  /** per-control parameter overrides: control id -> parameter name -> value */
  control_parameters?: Record<string, Record<string, unknown>>;
  /** also evaluate the config_rule controls that only corroborate a read-API control (default false) */
  corroborate_with_config_rules?: boolean;
  waivers?: string;
  attestations?: string;
  /** management responses to exceptions of an audit period (a YAML file) */
  responses?: string;
}

/** A management response to exceptions of a control on matching resources. */
export interface ManagementResponse {
  control: string;
  /** glob on the resource ARN; `*` matches any run of characters */
  resource: string;
  response: string;
  owner: string;
  date: string;
}

export interface Waiver {
  control: string;
  /** glob on the resource ARN; `*` matches any run of characters */
  resource: string;
  reason: string;
  approver: string;
  /** the day it was approved; it covers runs whose asOf lies from here to `expires` */
  approved_on?: string;
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
  /** for a document that is a URL: the local copy whose sha256 is checked (the URL's content may change) */
  copy?: string;
  /** embed the document in the pack (default false) */
  attach?: boolean;
}
