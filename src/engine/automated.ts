// One automated control's evaluation, fed scope by scope and record by record. The engine
// drives all controls of a collector through each record in turn (resource-major), so a
// record is read from memory once for all its controls rather than once per control.
import type { Assertion, Control, ProjectConfig } from '../controls/model.js';
import { walkComparisons } from '../controls/assertion-walk.js';
import type { EvidenceRecord } from '../evidence/model.js';
import type { ControlResult, ControlStatus, Finding } from './results.js';
import { compileAssertion, describeAssertion, type CompiledAssertion, type EvalContext } from './assertions.js';
import { scopeArn, type ScopeState } from './completeness.js';
import { ValuesInterner } from './intern.js';
import { resolveParameters } from './parameters.js';
import { findWaiver, waiverId, type ActiveWaiver } from './waivers.js';
import type { AttestationVerdict } from './attestation.js';
import type { FindingSink } from './sink.js';

/** What a backfilled config_rule finding says: Config's history has no rule parameters. */
const RULE_PARAMETERS_AS_OF_TODAY = 'rule parameters as of today: AWS Config keeps no history of rule parameters';

export type ResultBase = Omit<ControlResult, 'status' | 'reason'>;

export function resultBase(c: Control, params: Record<string, unknown>): ResultBase {
  return {
    id: c.id, title: c.title, severity: c.severity, kind: c.kind,
    ...(c.claim !== undefined ? { claim: c.claim } : {}),
    ...(c.assert ? { asserts: describeAssertion(c.assert, params, c.parameters) } : {}),
    ...(Object.keys(params).length > 0 ? { parameters: params } : {}),
    frameworks: c.frameworks,
    findings: [],
  };
}

/** The first field of each path an assertion reads: `KeyMetadata.KeyState` -> KeyMetadata. */
/**
 * The fields a JMESPath function expression reads at the record's root, e.g. `LifecycleConfiguration`
 * in `min(not_null(LifecycleConfiguration.Rules, `[]`)[?Status=='Enabled'].Expiration.Days)`: every
 * identifier that starts a chain (after the start, `(`, `,` or a space) and is not a function name,
 * literals removed first. A superset (a filter's own fields count too) is safe: reading more only
 * makes more findings ERROR. Undefined when the path has no such shape.
 */
function expressionRoots(path: string): string[] | undefined {
  if (!/^[a-z_]+\(/.test(path)) return undefined;
  const bare = path.replace(/'[^']*'|`[^`]*`|"[^"]*"/g, ' ');
  const out: string[] = [];
  for (const m of bare.matchAll(/(?<=^|[(, !&|])([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_]*\()/g)) out.push(m[1]!);
  return out.length > 0 ? out : undefined;
}

function topLevelFields(assertions: readonly Assertion[]): Set<string> | 'all' {
  const out = new Set<string>();
  let all = false;
  for (const a of assertions) {
    walkComparisons(a, [], (c) => {
      const m = /^"?([A-Za-z_][A-Za-z0-9_]*)"?(?=$|[.[])/.exec(c.path);
      if (m?.[1]) out.add(m[1]);
      else {
        const roots = expressionRoots(c.path);
        if (roots) for (const r of roots) out.add(r);
        else all = true;
      }
    });
  }
  return all ? 'all' : out;
}

export class AutomatedRun {
  readonly collector: string;
  private readonly result: ResultBase;
  private readonly findings: Finding[];
  /** where findings go when they are not kept in `findings` (results streamed to disk) */
  private readonly sink: FindingSink | undefined;
  /** a backfilled config_rule control: every finding says its rule parameters are today's */
  private readonly asOfToday: boolean;
  // the verdict is counted as findings are emitted, so a sink can take them away
  private pass = 0;
  private fail = 0;
  private waived = 0;
  private manual = 0;
  private error = 0;
  private firstFail: Finding | undefined;
  private firstManual: Finding | undefined;
  /** this control's waivers whose pattern no finding's resource has matched yet */
  private readonly unmatched: Set<ActiveWaiver>;
  private readonly ctx: EvalContext;
  private readonly assert: CompiledAssertion;
  private readonly scope: CompiledAssertion | undefined;
  private readonly errorWhen: CompiledAssertion | undefined;
  private readonly manualWhen: CompiledAssertion | undefined;
  /** one shared sentence for every pass (the values show what was seen): 2.5M findings must stay cheap */
  private readonly passReason: string;
  private readonly interner = new ValuesInterner();
  private scopes = 0;
  private missingScopes = 0;
  private firstError: string | undefined;
  private inScope = 0;
  private resourceErrors = 0;
  /** the top-level fields of a record the scope and assertion read ('all' when a path is not a plain field chain) */
  private readonly reads: Set<string> | 'all';
  /** the parts of a top-level `all` assertion with the fields each reads (see failsWithout) */
  private readonly parts: { check: CompiledAssertion; reads: Set<string> | 'all' }[] | undefined;
  private readonly scopeReads: Set<string> | 'all' | undefined;
  private readonly errorWhenReads: Set<string> | 'all' | undefined;

  constructor(private readonly control: Control & { collector: string; assert: NonNullable<Control['assert']> }, now: Date,
    project: ProjectConfig | undefined, private readonly waivers: readonly ActiveWaiver[] | undefined,
    /** with manual_when: the control's attestation, judged once for the run */
    private readonly attested?: AttestationVerdict,
    opts: { sink?: FindingSink; ruleParametersAsOfToday?: boolean } = {}) {
    const params = resolveParameters(control, project);
    this.collector = control.collector;
    this.result = resultBase(control, params);
    this.findings = this.result.findings;
    this.sink = opts.sink;
    // AWS Config keeps no history of rule parameters (no AWS::Config::ConfigRule type): a past
    // day's config_rule verdict was read with the rule as deployed today, and must say so
    this.asOfToday = opts.ruleParametersAsOfToday === true && control.config_rule !== undefined;
    this.unmatched = new Set(waivers ?? []);
    this.ctx = { params, now };
    this.assert = compileAssertion(control.assert, control.parameters);
    this.scope = control.scope ? compileAssertion(control.scope, control.parameters) : undefined;
    this.errorWhen = control.error_when ? compileAssertion(control.error_when, control.parameters) : undefined;
    this.manualWhen = control.manual_when ? compileAssertion(control.manual_when, control.parameters) : undefined;
    this.passReason = `holds: ${this.result.asserts ?? ''}`;
    this.reads = topLevelFields([control.assert, ...(control.scope ? [control.scope] : []), ...(control.error_when ? [control.error_when] : []),
      ...(control.manual_when ? [control.manual_when] : [])]);
    this.scopeReads = control.scope ? topLevelFields([control.scope]) : undefined;
    this.errorWhenReads = control.error_when ? topLevelFields([control.error_when]) : undefined;
    this.parts = 'all' in control.assert
      ? control.assert.all.map((a) => ({ check: compileAssertion(a, control.parameters), reads: topLevelFields([a]) }))
      : undefined;
  }

  /** The bundle names no account or region at all: nothing can have been collected. */
  nothingCollected(): void {
    const reason = 'the evidence bundle lists no accounts or regions, so nothing was collected';
    this.firstError = reason;
    this.emit({ resource: scopeArn(this.collector, '*', '*'), account: '*', region: '*', status: 'ERROR', reason, evidence: [] });
  }

  incompleteScope(s: ScopeState): void {
    this.scopes++;
    this.missingScopes++;
    const reason = `${s.problem ?? 'no evidence'} (account ${s.account}, ${s.region})`;
    this.firstError ??= reason;
    this.emit({ resource: scopeArn(this.collector, s.account, s.region), account: s.account, region: s.region, status: 'ERROR', reason, evidence: [] });
  }

  beginScope(): void {
    this.scopes++;
    this.inScope = 0;
  }

  offer(rec: EvidenceRecord, evidence: string[], s: ScopeState): void {
    const err = rec.error;
    // A per-resource ERROR record: without data nothing about the resource is known, not even
    // whether it is in scope; with partial data only a control reading a missing field is hurt.
    if (err && (rec.data === null || rec.data === undefined)) return this.unreadable(rec, evidence, s, err);
    const missing = err ? this.readsAny(err.fields) : false;
    // the scope is still decided when it reads none of the missing fields: a bucket the project
    // does not name stays out of scope whatever else about it could not be read
    const scopeBlind = missing && (!err?.fields || this.scopeReads === 'all' || err.fields.some((f) => (this.scopeReads as Set<string> | undefined)?.has(f)));
    const inScope = this.scope && !scopeBlind ? this.scope.decide(rec.data, this.ctx) : true;
    if (inScope === false) return;
    if (missing && err) {
      // Config's history keeps a key's rotation on/off but not its period: a part of the assertion
      // that reads only the fields the record has may still decide FAIL (three-valued logic);
      // anything it cannot decide without the missing fields stays ERROR, never PASS.
      const partial = this.failsWithout(rec.data, err.fields);
      if (!partial) return this.unreadable(rec, evidence, s, err);
      this.inScope++;
      const f: Finding = { resource: rec.resource, account: s.account, region: s.region, status: 'FAIL', reason: partial.reason, evidence, values: this.interner.intern(partial.values) };
      if (rec.owner && rec.owner !== s.account) f.owner = rec.owner;
      this.waive(f, f.reason);
      this.emit(f);
      return;
    }
    this.inScope++;
    if (typeof inScope === 'string') return this.unjudged(rec, evidence, s, `cannot tell whether it is in scope: ${inScope}`);
    const cannot = this.errorWhen?.decide(rec.data, this.ctx) ?? false;
    if (cannot !== false) {
      // the values error_when read go with the finding: a record that says why it cannot be
      // judged (rds.cluster-tls-version's MinTlsUnknownReason) puts that reason in front of the reader
      const read: Record<string, unknown> = {};
      this.errorWhen!.check(rec.data, this.ctx, read);
      return this.unjudged(rec, evidence, s, cannot === true
        ? `cannot be judged: ${describeAssertion(this.control.error_when!, this.ctx.params, this.control.parameters)}`
        : `cannot tell whether it can be judged: ${cannot}`, this.interner.intern(read));
    }
    let values: Record<string, unknown>;
    let failed: string | undefined;
    let unknown: boolean;
    const single = this.assert.single;
    if (single) {
      // one comparison: judge the value, then share one values object per distinct value
      const v = single.read(rec.data);
      failed = single.judge(v, this.ctx);
      unknown = failed !== undefined && single.unknownWhenAbsent && (v === null || v === undefined);
      values = this.interner.internOne(single.path, v);
    } else {
      values = {};
      const f = this.assert.check(rec.data, this.ctx, values);
      failed = f?.reason;
      unknown = f?.unknown ?? false;
      values = this.interner.intern(values);
    }
    // a verdict that hangs on an absent, undeclared field is no verdict: ERROR, never FAIL
    if (unknown) return this.unjudged(rec, evidence, s, `cannot be judged: ${failed ?? ''}`, values);
    // one literal shape for every finding, owner added only when set: a spread here made every
    // one of the 2.5M findings of the benchmark go through the slow generic object-copy path.
    // Findings stay real objects built here: a compact columnar store materialised on first read
    // was measured (100k x 25) at 1.8 s to evaluate plus 1.6-1.8 s to materialise, against 2.0 s
    // for building them inline, and every output (JSON, table, pack, archive) reads them all.
    const f: Finding = {
      resource: rec.resource, account: s.account, region: s.region,
      status: failed === undefined ? 'PASS' : 'FAIL', reason: failed ?? this.passReason, evidence, values,
    };
    if (rec.owner && rec.owner !== s.account) f.owner = rec.owner;
    if (failed !== undefined && this.manualWhen && this.manualWhen.decide(rec.data, this.ctx) === true) {
      // the API shows a setup it cannot judge: the control's attestation decides
      const what = describeAssertion(this.control.manual_when!, this.ctx.params, this.control.parameters);
      const verdict = this.attested ?? { current: false, reason: `no attestation for ${this.control.id}` };
      f.status = verdict.current ? 'MANUAL' : 'FAIL';
      f.reason = `${what}, which the API cannot judge: ${verdict.current ? '' : 'needs '}${this.control.attestation?.evidence.trim() ?? 'an attestation'}; ${verdict.reason}`;
      if (f.status === 'FAIL') this.waive(f, f.reason);
    } else if (failed !== undefined) {
      // several deployed rules may judge one resource: say which one decided
      const rule = this.control.config_rule ? (rec.data as { ConfigRuleName?: unknown } | null)?.ConfigRuleName : undefined;
      if (typeof rule === 'string') f.reason = `${failed} (AWS Config rule ${rule})`;
      this.waive(f, f.reason);
    }
    this.emit(f);
  }

  /**
   * A record missing some top-level fields (an error record that names them): the failure of a
   * part of the top-level `all` that reads none of them, when the scope and error_when read none
   * of them either and decide it in scope. The missing fields are never given a value (not even a
   * declared absent_means): what reads them is not judged here, and stays ERROR.
   */
  private failsWithout(data: unknown, fields: readonly string[] | undefined): { reason: string; values: Record<string, unknown> } | undefined {
    if (!fields || !this.parts) return undefined;
    const reads = (r: Set<string> | 'all') => r === 'all' || fields.some((f) => r.has(f));
    if (this.scope && (reads(this.scopeReads!) || this.scope.decide(data, this.ctx) !== true)) return undefined;
    if (this.errorWhen && (reads(this.errorWhenReads!) || this.errorWhen.decide(data, this.ctx) !== false)) return undefined;
    for (const p of this.parts) {
      if (reads(p.reads)) continue;
      const values: Record<string, unknown> = {};
      const f = p.check.check(data, this.ctx, values);
      if (f && !f.unknown) return { reason: f.reason, values };
    }
    return undefined;
  }

  private unjudged(rec: EvidenceRecord, evidence: string[], s: ScopeState, reason: string, values?: Record<string, unknown>): void {
    this.firstError ??= `${rec.resource}: ${reason}`;
    const f: Finding = { resource: rec.resource, account: s.account, region: s.region, status: 'ERROR', reason, evidence };
    if (values !== undefined) f.values = values;
    if (rec.owner && rec.owner !== s.account) f.owner = rec.owner;
    this.emit(f);
  }

  /** Whether the control's scope or assertion reads one of these top-level fields (unknown paths: yes). */
  private readsAny(fields: readonly string[] | undefined): boolean {
    if (!fields) return true;
    return this.reads === 'all' || fields.some((f) => (this.reads as Set<string>).has(f));
  }

  private unreadable(rec: EvidenceRecord, evidence: string[], s: ScopeState, err: NonNullable<EvidenceRecord['error']>): void {
    this.inScope++;
    const reason = `evidence could not be read: ${err.operation} failed with ${err.code}: ${err.message}`;
    this.firstError ??= `${rec.resource}: ${reason}`;
    this.resourceErrors++;
    this.emit({
      resource: rec.resource, account: s.account, region: s.region, status: 'ERROR', reason, evidence,
      ...(rec.owner && rec.owner !== s.account ? { owner: rec.owner } : {}),
    });
  }

  endScope(s: ScopeState): void {
    if (this.inScope > 0 || this.control.when_none_in_scope !== 'fail') return;
    const c = this.control;
    const what = c.config_rule
      ? `AWS-owned AWS Config rule with identifier ${c.config_rule}${c.config_rule_parameters ? ' and input parameters at least as strict as the control\'s' : ''}`
      : `${this.collector} resource${c.scope ? ` where ${describeAssertion(c.scope, this.ctx.params, c.parameters)}` : ''}`;
    const f: Finding = {
      resource: scopeArn(this.collector, s.account, s.region), account: s.account, region: s.region, status: 'FAIL',
      reason: `no ${what} found in ${s.region} (account ${s.account})`, evidence: [],
    };
    this.waive(f, f.reason);
    this.emit(f);
  }

  /** An ERROR finding of the control's own (a region the run never saw), counted like any other. */
  addError(f: Omit<Finding, 'status'>): void {
    this.firstError ??= f.reason;
    this.emit({ ...f, status: 'ERROR' }, false);
  }

  /** Counts a finding in its final form and hands it on (kept in the result, or to the sink). */
  private emit(f: Finding, asOfToday = this.asOfToday): void {
    if (asOfToday) f.reason = `${f.reason} (${RULE_PARAMETERS_AS_OF_TODAY})`;
    const st = f.status;
    if (st === 'PASS') this.pass++;
    else if (st === 'FAIL') { this.fail++; this.firstFail ??= f; }
    else if (st === 'WAIVED') this.waived++;
    else if (st === 'MANUAL') { this.manual++; this.firstManual ??= f; }
    else this.error++;
    if (this.unmatched.size > 0) for (const a of this.unmatched) if (a.re.test(f.resource)) this.unmatched.delete(a);
    if (this.sink) this.sink.add(this.control.id, f);
    else this.findings.push(f);
  }

  /** This control's current waivers that matched none of its findings' resources. */
  unmatchedWaivers(): ReadonlySet<ActiveWaiver> {
    return this.unmatched;
  }

  private waive(f: Finding, why: string): void {
    const w = findWaiver(this.waivers, f.resource);
    if (!w) return;
    f.status = 'WAIVED';
    f.waiver = { id: waiverId(w), reason: w.reason, approver: w.approver, approvedOn: w.approved_on ?? null, expires: w.expires };
    f.reason = `${why} (waived until ${w.expires} by ${w.approver}: ${w.reason})`;
  }

  /** FAIL if any FAIL; else ERROR if any ERROR; else WAIVED; else MANUAL; else PASS; else NOT_APPLICABLE. */
  finish(): ControlResult {
    const { pass, fail, waived, error, manual, firstFail, firstManual } = this;
    const total = this.scopes;
    let status: ControlStatus;
    let reason: string;
    if (fail > 0) {
      status = 'FAIL';
      reason = `${fail} of ${pass + fail + waived + manual} finding(s) fail; first: ${firstFail!.resource}: ${firstFail!.reason}`;
      if (error > 0) reason += `; also no evidence for ${this.missingScopes} of ${total} account/region scope(s)`;
    } else if (error > 0) {
      status = 'ERROR';
      reason = this.missingScopes > 0
        ? `no complete evidence for ${this.missingScopes} of ${Math.max(total, 1)} account/region scope(s): ${this.firstError ?? 'unknown'}`
        : this.resourceErrors > 0
          ? `${this.resourceErrors} resource(s) could not be read${pass ? ` (${pass} pass)` : ''}; first: ${this.firstError ?? 'unknown'}`
          : `${error} finding(s) cannot be judged; first: ${this.firstError ?? 'unknown'}`;
    } else if (waived > 0) {
      status = 'WAIVED';
      reason = `${waived} failing finding(s) waived${pass ? `, ${pass} pass` : ''}`;
    } else if (manual > 0) {
      status = 'MANUAL';
      reason = `${manual} finding(s) rest on the control's attestation${pass ? `, ${pass} pass` : ''}; first: ${firstManual!.resource}: ${firstManual!.reason}`;
    } else if (pass > 0) {
      status = 'PASS';
      reason = `all ${pass} in-scope resource(s) satisfy the assertion across ${total} account/region scope(s)`;
    } else {
      status = 'NOT_APPLICABLE';
      reason = `evidence collected for all ${total} account/region scope(s); no resource is in scope`;
    }
    return { ...this.result, status, reason };
  }
}
