// What the run pack says per control (what it tests, the population of this run, its findings
// per status, its exceptions, the waivers applied and a conclusion) and per requirement of a
// framework, computed from one run's results and the catalog. The rules mirror the period
// pack's (src/history/conclusion.ts) with the words of a single run; the tables below are printed
// in the run pack's appendix and in docs/ARCHITECTURE.md, and the first rule that holds decides.
import type { Control, Framework } from '../controls/model.js';
import type { ControlResult, ControlStatus, Finding, FindingWaiver, Results } from '../engine/results.js';
import type { Conclusion } from '../history/conclusion.js';
import { isRealResource } from '../history/streaks.js';

type RuleRow = { rule: string; when: string; says: string };

export const RUN_CONTROL_RULES: readonly RuleRow[] = [
  { rule: 'C1', when: 'the run did not evaluate the control (mapped in the catalog, absent from the results)', says: 'Not tested: this run did not evaluate this control.' },
  { rule: 'C2', when: 'at least one exception: a FAIL, ERROR or WAIVED finding on a resource, or a failing attestation (manual or inherited)', says: 'K exception(s) noted (W waived): see E-…; plus "No evidence for M scope(s) (see E-…)." when M > 0' },
  { rule: 'C3', when: 'no such exception, and evidence is missing for M > 0 account/region scopes (or the control is in ERROR)', says: 'Not tested in full: no evidence for M scope(s) (see E-…). No exceptions noted on the N resources tested.' },
  { rule: 'C4', when: 'no exception, and the control is NOT_APPLICABLE', says: 'Not applicable: no resource in scope in this run.' },
  { rule: 'C5', when: 'otherwise', says: 'No exceptions noted: N resources tested (or: a current attestation).' },
];

export const RUN_REQUIREMENT_RULES: readonly RuleRow[] = [
  { rule: 'R1', when: 'no control of the catalog maps to the requirement', says: 'Not covered: no control maps to this requirement.' },
  { rule: 'R2', when: 'controls map to it, but the run evaluated none of them', says: 'Not evidenced: this run evaluated none of its controls.' },
  { rule: 'R3', when: 'a mapped control concluded C2', says: 'Exceptions noted: <control> (E-…), …' },
  { rule: 'R4', when: 'a mapped control concluded C1 or C3', says: 'Not tested in full: <control> (why), …' },
  { rule: 'R5', when: 'every mapped control concluded C4', says: 'Not applicable: no resource in scope for its controls.' },
  { rule: 'R6', when: 'otherwise (every mapped control C4 or C5)', says: 'No exceptions noted in the tested aspects: <the controls\' titles>.' },
];

/** One exception of the run, numbered E-n in the order the Exceptions page lists them. */
interface RunException {
  id: string;
  control: ControlResult;
  finding?: Finding;
  status: ControlStatus;
  /** a failing attestation, a finding on a resource, or a scope whose evidence is missing */
  cause: 'attestation' | 'resource' | 'missing-evidence';
}

export interface RunControlDetail {
  id: string;
  title: string;
  kind: string;
  /** absent when the run did not evaluate the control */
  status?: ControlStatus;
  description?: string;
  asserts?: string;
  parameters?: Record<string, unknown>;
  /** the evidence source in words (API calls, Config rule, attestation, inherited document) */
  source: string;
  /** findings on real resources (placeholders for missing evidence excluded) and their resources */
  population: { findings: number; resources: number };
  /** findings per status, missing-evidence placeholders counted apart */
  findings: Partial<Record<Finding['status'], number>>;
  missingScopes: number;
  exceptions: string[];
  missing: string[];
  waived: number;
  waivers: (FindingWaiver & { resources: string[] })[];
  conclusion: Conclusion;
}

interface RunRequirement {
  id: string;
  title: string;
  controls: string[];
  conclusion: Conclusion;
}

export interface RunCriterionPart {
  framework: { id: string; title: string; version: string };
  requirements: RunRequirement[];
}

export interface RunCriteria {
  exceptions: RunException[];
  controls: Map<string, RunControlDetail>;
  parts: RunCriterionPart[];
}

const EXCEPTION_RANK: Record<string, number> = { FAIL: 0, ERROR: 1, WAIVED: 2 };

/**
 * Exception ids as ranges ("E-3–E-7, E-12"): one control's ids are mostly consecutive, and a
 * control failing on 25,000 resources must not print 25,000 ids in one table cell. Past 12 runs of
 * ids the rest is counted ("… and 40 more").
 */
export function idRanges(ids: readonly string[]): string {
  const nums = ids.map((id) => Number(id.slice(2))).sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < nums.length;) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    runs.push(j === i ? `E-${nums[i]}` : j === i + 1 ? `E-${nums[i]}, E-${nums[j]}` : `E-${nums[i]}–E-${nums[j]}`);
    i = j + 1;
  }
  return runs.length <= 12 ? runs.join(', ') : `${runs.slice(0, 12).join(', ')} … and ${runs.length - 12} more`;
}
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Every exception of the run, worst first (FAIL, ERROR, WAIVED), then by control and resource. */
function runExceptions(controls: readonly ControlResult[]): RunException[] {
  const out: Omit<RunException, 'id'>[] = [];
  for (const c of controls) {
    const bad = c.findings.filter((f) => f.status in EXCEPTION_RANK);
    for (const f of bad) out.push({ control: c, finding: f, status: f.status, cause: isRealResource(f.resource) ? 'resource' : 'missing-evidence' });
    // a control that failed without findings: a manual or inherited one's attestation, or an
    // automated "there must be one" with none; in ERROR without findings: nothing was read
    if (bad.length === 0 && (c.status === 'FAIL' || c.status === 'ERROR')) {
      out.push({ control: c, status: c.status, cause: c.status === 'ERROR' ? 'missing-evidence' : c.kind === 'automated' ? 'resource' : 'attestation' });
    }
  }
  out.sort((a, b) => (EXCEPTION_RANK[a.status]! - EXCEPTION_RANK[b.status]!)
    || a.control.id.localeCompare(b.control.id) || (a.finding?.resource ?? '').localeCompare(b.finding?.resource ?? ''));
  return out.map((e, i) => ({ id: `E-${i + 1}`, ...e }));
}

/** A control's conclusion for this run, by RUN_CONTROL_RULES. */
function concludeRunControl(d: Pick<RunControlDetail, 'status' | 'kind' | 'exceptions' | 'missing' | 'waived' | 'missingScopes' | 'population'>): Conclusion {
  if (d.status === undefined) return { rule: 'C1', text: 'Not tested: this run did not evaluate this control.' };
  const see = d.missing.length > 0 ? ` (see ${idRanges(d.missing)})` : '';
  const scopes = plural(Math.max(1, d.missingScopes), 'scope');
  if (d.exceptions.length > 0) {
    const waived = d.waived > 0 ? ` (${d.waived} waived)` : '';
    const missing = d.missing.length > 0 ? ` No evidence for ${scopes}${see}.` : '';
    return { rule: 'C2', text: `${plural(d.exceptions.length, 'exception')} noted${waived}: see ${idRanges(d.exceptions)}.${missing}` };
  }
  if (d.missing.length > 0 || d.status === 'ERROR') {
    return { rule: 'C3', text: `Not tested in full: no evidence for ${scopes}${see}. No exceptions noted on the ${plural(d.population.resources, 'resource')} tested.` };
  }
  if (d.status === 'NOT_APPLICABLE') return { rule: 'C4', text: 'Not applicable: no resource in scope in this run.' };
  if (d.kind !== 'automated') return { rule: 'C5', text: 'No exceptions noted: a current attestation.' };
  return { rule: 'C5', text: `No exceptions noted: ${plural(d.population.resources, 'resource')} tested.` };
}

/** A requirement's conclusion from its mapped controls' conclusions, by RUN_REQUIREMENT_RULES. */
function concludeRunRequirement(controls: readonly Pick<RunControlDetail, 'id' | 'title' | 'exceptions' | 'missing' | 'conclusion'>[]): Conclusion {
  if (controls.length === 0) return { rule: 'R1', text: 'Not covered: no control maps to this requirement.' };
  if (controls.every((c) => c.conclusion.rule === 'C1')) return { rule: 'R2', text: `Not evidenced: this run evaluated none of its controls (${controls.map((c) => c.id).join(', ')}).` };
  const withExceptions = controls.filter((c) => c.conclusion.rule === 'C2');
  if (withExceptions.length > 0) return { rule: 'R3', text: `Exceptions noted: ${withExceptions.map((c) => `${c.id} (${idRanges(c.exceptions)})`).join('; ')}.` };
  const untested = controls.filter((c) => c.conclusion.rule === 'C1' || c.conclusion.rule === 'C3');
  if (untested.length > 0) {
    return { rule: 'R4', text: `Not tested in full: ${untested.map((c) => `${c.id} (${c.conclusion.rule === 'C1' ? 'not evaluated in this run' : `no evidence, see ${c.missing.length ? idRanges(c.missing) : 'the control'}`})`).join('; ')}.` };
  }
  if (controls.every((c) => c.conclusion.rule === 'C4')) return { rule: 'R5', text: 'Not applicable: no resource in scope for its controls.' };
  return { rule: 'R6', text: `No exceptions noted in the tested aspects: ${controls.filter((c) => c.conclusion.rule === 'C5').map((c) => c.title).join('; ')}.` };
}

/** The evidence source when the caller gave none: what the catalog entry itself says. */
function sourceFromCatalog(c: Control | undefined): string {
  if (!c) return 'not in the catalog loaded for this pack';
  if (c.kind === 'manual') return `attestation: ${c.attestation?.evidence ?? 'a signed-off document'}`;
  if (c.kind === 'inherited') return `inherited: ${c.provider ? c.provider.name : 'the provider\'s own report'}, held as an attestation`;
  if (c.config_rule) return `AWS Config rule ${c.config_rule}`;
  return c.collector ? `collector ${c.collector}` : 'none declared';
}

function detailOf(c: Control | undefined, r: ControlResult | undefined, exceptions: readonly RunException[], source: string | undefined): RunControlDetail {
  const id = r?.id ?? c!.id;
  const mine = exceptions.filter((e) => e.control.id === id);
  const real = (r?.findings ?? []).filter((f) => isRealResource(f.resource));
  const findings: RunControlDetail['findings'] = {};
  for (const f of real) findings[f.status] = (findings[f.status] ?? 0) + 1;
  const waivers = new Map<string, FindingWaiver & { resources: string[] }>();
  for (const f of r?.findings ?? []) {
    if (!f.waiver) continue;
    const key = f.waiver.id ?? `${f.waiver.approver}|${f.waiver.expires}|${f.waiver.reason}`;
    const w = waivers.get(key) ?? { ...f.waiver, resources: [] };
    w.resources.push(f.resource);
    waivers.set(key, w);
  }
  const missing = mine.filter((e) => e.cause === 'missing-evidence');
  const base = {
    id,
    title: r?.title ?? c!.title,
    kind: r?.kind ?? c!.kind,
    ...(r ? { status: r.status } : {}),
    ...(c?.description ? { description: c.description.replace(/\s+/g, ' ').trim() } : {}),
    ...(r?.asserts ? { asserts: r.asserts } : {}),
    ...(r?.parameters && Object.keys(r.parameters).length > 0 ? { parameters: r.parameters } : {}),
    source: source ?? sourceFromCatalog(c),
    population: { findings: real.length, resources: new Set(real.map((f) => f.resource)).size },
    findings,
    missingScopes: missing.filter((e) => e.finding).length,
    exceptions: mine.filter((e) => e.cause !== 'missing-evidence').map((e) => e.id),
    missing: missing.map((e) => e.id),
    waived: mine.filter((e) => e.status === 'WAIVED').length,
    waivers: [...waivers.values()],
  };
  return { ...base, conclusion: concludeRunControl(base) };
}

/**
 * The criterion organisation of a run pack: the exceptions numbered, per control its detail, and
 * one part per framework asked for (registry order, as given) with every requirement concluded.
 */
export function runCriteria(input: {
  results: Results;
  catalog: readonly Control[];
  frameworks: readonly Framework[];
  sources?: Readonly<Record<string, string>>;
}): RunCriteria {
  const exceptions = runExceptions(input.results.controls);
  const byId = new Map(input.catalog.map((c) => [c.id, c]));
  const controls = new Map<string, RunControlDetail>();
  for (const r of input.results.controls) controls.set(r.id, detailOf(byId.get(r.id), r, exceptions, input.sources?.[r.id]));
  const detail = (id: string): RunControlDetail => {
    let d = controls.get(id);
    if (!d) controls.set(id, (d = detailOf(byId.get(id), undefined, exceptions, input.sources?.[id])));
    return d;
  };
  const parts = input.frameworks.map((fw) => ({
    framework: { id: fw.id, title: fw.title, version: fw.version },
    requirements: fw.requirements.map((req) => {
      // mapped in the catalog, or by the results of this run
      const ids = new Set<string>();
      for (const c of input.catalog) if (c.frameworks[fw.id]?.includes(req.id)) ids.add(c.id);
      for (const r of input.results.controls) if (r.frameworks[fw.id]?.includes(req.id)) ids.add(r.id);
      const mapped = [...ids].sort().map(detail);
      return { id: req.id, title: req.title, controls: mapped.map((d) => d.id), conclusion: concludeRunRequirement(mapped) };
    }),
  }));
  return { exceptions, controls, parts };
}
