// Controls x evidence -> Results, with docs/ARCHITECTURE.md's status semantics. Imports no AWS SDK.
import type { Attestation, Control, FrameworkId, ProjectConfig, Waiver } from '../controls/model.js';
import type { EvidenceBundle, EvidenceRecord, Manifest } from '../evidence/model.js';
import type { ControlResult, ControlStatus, Results } from './results.js';
import { CONTROL_STATUSES } from './results.js';
import { judgeAttestations } from './attestation.js';
import { AutomatedRun, resultBase } from './automated.js';
import { EvidenceIndex } from './completeness.js';
import { resolveParameters } from './parameters.js';
import { splitWaivers, unmatchedWaivers } from './waivers.js';
import { unseenRegionFindings } from './region-coverage.js';
import type { FindingSink } from './sink.js';

export interface EvaluateOptions {
  toolVersion: string;
  now?: Date;
  project?: ProjectConfig;
  waivers?: Waiver[];
  attestations?: Attestation[];
  framework?: FrameworkId;
  /** folder that attestation `document` paths are relative to; without it hashes are not checked */
  attestationBaseDir?: string;
  /** collector ids that run once per account (region `global`); also inferred from the manifest */
  globalCollectors?: Iterable<string>;
  /**
   * Findings go here as they are produced instead of into each result's `findings` (left empty);
   * everything else in the results (summary, statuses, reasons, warnings) is the same.
   */
  sink?: FindingSink;
}

export function evaluate(controls: Control[], bundle: EvidenceBundle, opts: EvaluateOptions): Results {
  const run = prepare(controls, bundle.manifest, opts);
  const index = new EvidenceIndex(bundle, opts.globalCollectors);
  for (const [collector, group] of run.byCollector) runCollector(collector, group, index);
  return conclude(run, bundle.manifest, opts);
}

/**
 * evaluate() over a bundle read one collector at a time (`check`, `evaluate` at estate size):
 * only one collector's records are in memory at once. Same results as evaluate() on the whole
 * bundle: records come per collector in the same (id) order.
 */
export async function evaluateByCollector(controls: Control[], manifest: Manifest, recordsOf: (collector: string) => Promise<EvidenceRecord[]>,
  opts: EvaluateOptions): Promise<Results> {
  const run = prepare(controls, manifest, opts);
  for (const [collector, group] of run.byCollector) {
    const index = new EvidenceIndex({ manifest, records: await recordsOf(collector) }, opts.globalCollectors);
    runCollector(collector, group, index);
  }
  return conclude(run, manifest, opts);
}

interface Prepared {
  now: Date;
  selected: Control[];
  runs: Map<Control, AutomatedRun>;
  byCollector: Map<string, AutomatedRun[]>;
  active: ReturnType<typeof splitWaivers>['active'];
  expired: ReturnType<typeof splitWaivers>['expired'];
}

function prepare(controls: Control[], manifest: Manifest, opts: EvaluateOptions): Prepared {
  const now = opts.now ?? new Date();
  // a Config rule that only corroborates a read-API control of this run is evaluated when the
  // project asks; alone (its examples, a run of that one control) it is judged as any control
  const corroborating = opts.project?.corroborate_with_config_rules === true;
  const given = new Set(controls.map((c) => c.id));
  const chosen = corroborating ? controls : controls.filter((c) => !c.corroborates || !given.has(c.corroborates));
  const selected = opts.framework ? chosen.filter((c) => (c.frameworks[opts.framework!] ?? []).length > 0) : chosen;
  const { active, expired } = splitWaivers(opts.waivers ?? [], now, manifest.source ?? 'live');
  const runs = new Map<Control, AutomatedRun>();
  for (const c of selected) {
    if (c.kind === 'automated' && c.collector && c.assert) {
      const attested = c.manual_when ? judgeAttestations(c, opts.attestations ?? [], now, opts.attestationBaseDir) : undefined;
      runs.set(c, new AutomatedRun({ ...c, collector: c.collector, assert: c.assert }, now, opts.project, active.get(c.id), attested, {
        ...(opts.sink ? { sink: opts.sink } : {}), ruleParametersAsOfToday: manifest.source === 'config-history',
      }));
    }
  }
  const byCollector = new Map<string, AutomatedRun[]>();
  for (const r of runs.values()) {
    const list = byCollector.get(r.collector);
    if (list) list.push(r);
    else byCollector.set(r.collector, [r]);
  }
  return { now, selected, runs, byCollector, active, expired };
}

function conclude(p: Prepared, m: Manifest, opts: EvaluateOptions): Results {
  const { now, selected, runs, active, expired } = p;
  const ids = new Set(selected.map((c) => c.id));
  for (const [c, run] of runs) {
    if (c.needs_every_region) for (const f of unseenRegionFindings(m, c.collector!)) run.addError(f);
  }
  const results = selected.map((c): ControlResult => {
    if (c.kind === 'manual' || c.kind === 'inherited') return evaluateManual(c, opts.attestations ?? [], now, opts.project, opts.attestationBaseDir);
    const run = runs.get(c);
    if (run) return run.finish();
    return { ...resultBase(c, resolveParameters(c, opts.project)), status: 'ERROR', reason: 'the control names no collector or assertion, so nothing can prove it' };
  });

  const summary = Object.fromEntries(CONTROL_STATUSES.map((s) => [s, 0])) as Record<ControlStatus, number>;
  for (const r of results) summary[r.status]++;
  const out: Results = {
    tool: { name: 'trustpack', version: opts.toolVersion },
    run: {
      id: m.runId, startedAt: m.startedAt, endedAt: m.endedAt, evaluatedAt: now.toISOString(),
      accounts: [...m.accounts], regions: [...m.regions],
      ...(opts.framework ? { framework: opts.framework } : {}),
      asOf: m.asOf ?? m.startedAt, source: m.source ?? 'live',
      ...(m.organization && m.organization.skippedAccounts.length > 0 ? { skippedAccounts: m.organization.skippedAccounts.map((s) => ({ ...s })) } : {}),
    },
    summary,
    controls: results,
  };
  const byId = new Map(results.map((r) => [r.id, r]));
  const disagreements = corroborate(selected, byId);
  // a run counted which waivers its findings matched (the findings may be on disk by now); a
  // control evaluated without a run (manual, no collector) has no findings to match
  const runOf = new Map([...runs].map(([c, r]) => [c.id, r]));
  const unmatched = unmatchedWaivers(active, (id) => {
    if (!ids.has(id)) return undefined;
    const left = runOf.get(id)?.unmatchedWaivers();
    return (a) => left === undefined || left.has(a);
  });
  if (unmatched.length > 0 || disagreements.length > 0) {
    out.warnings = [...unmatched.map((w) => ({
      kind: 'unmatched-waiver' as const, control: w.control, resource: w.resource,
      message: `the waiver for ${w.control} on "${w.resource}" (approved by ${w.approver}, expires ${w.expires}) matches no resource of that control in this run; fix its resource pattern or remove it`,
    })), ...disagreements];
  }
  const expiredHere = expired.filter((w) => ids.has(w.control));
  if (expiredHere.length > 0) {
    out.expiredWaivers = expiredHere.map((w) => ({ control: w.control, resource: w.resource, expires: w.expires, approver: w.approver }));
  }
  return out;
}

/** Feeds every record of one collector, scope by scope, to all the controls reading it. */
function runCollector(collector: string, group: readonly AutomatedRun[], index: EvidenceIndex): void {
  const scopes = index.scopes(collector);
  if (scopes.length === 0) for (const r of group) r.nothingCollected();
  for (const s of scopes) {
    if (s.problem !== undefined) {
      for (const r of group) r.incompleteScope(s);
      continue;
    }
    for (const r of group) r.beginScope();
    for (const { record, evidence } of index.recordsIn(collector, s.account, s.region)) {
      for (const r of group) r.offer(record, evidence, s);
    }
    for (const r of group) r.endScope(s);
  }
}

function evaluateManual(c: Control, attestations: readonly Attestation[], now: Date, project?: ProjectConfig, baseDir?: string): ControlResult {
  const v = judgeAttestations(c, attestations, now, baseDir);
  const a = v.attestation;
  return {
    ...resultBase(c, resolveParameters(c, project)),
    status: v.current ? 'MANUAL' : 'FAIL',
    reason: v.reason,
    ...(a ? { attestation: { attested_by: a.attested_by, attested_at: a.attested_at, document: a.document, sha256: a.sha256, expires: a.expires, current: v.current, ...(a.notes ? { notes: a.notes } : {}), ...(a.copy !== undefined ? { copy: a.copy } : {}), ...(a.attach === true ? { attach: true as const } : {}) } } : {}),
  };
}

/** What a verdict says of the claim: it holds, it fails, or nothing is known (ERROR, MANUAL). */
function verdict(s: ControlStatus): 'holds' | 'fails' | undefined {
  if (s === 'PASS' || s === 'WAIVED') return 'holds';
  if (s === 'FAIL') return 'fails';
  return undefined;
}

/**
 * Each corroborating Config rule's verdict beside the read-API control it corroborates (which
 * keeps its own status: the rule is a second source, never the proof); a rule that holds where
 * the API fails, or fails where it holds, is a warning naming both.
 */
function corroborate(selected: readonly Control[], byId: ReadonlyMap<string, ControlResult>): NonNullable<Results['warnings']> {
  const out: NonNullable<Results['warnings']> = [];
  for (const c of selected) {
    if (!c.corroborates) continue;
    const rule = byId.get(c.id);
    const direct = byId.get(c.corroborates);
    if (!rule || !direct) continue;
    rule.corroborates = direct.id;
    const a = verdict(direct.status);
    const b = verdict(rule.status);
    const agrees = a === undefined || b === undefined ? null : a === b;
    (direct.corroboration ??= []).push({ control: rule.id, status: rule.status, agrees });
    if (agrees === false) {
      out.push({
        kind: 'corroboration-disagrees', control: direct.id, resource: rule.id,
        message: `${direct.id} is ${direct.status} from the API, but the Config rule control ${rule.id} that corroborates it is ${rule.status}: `
          + 'the API\'s verdict stands; look at what the rule evaluates (its scope, parameters or last evaluation) to see why they differ',
      });
    }
  }
  return out;
}
