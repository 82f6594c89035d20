// Controls x evidence -> Results, with DESIGN.md's status semantics. Imports no AWS SDK.
import type { Attestation, Control, FrameworkId, ProjectConfig, Waiver } from '../controls/model.js';
import type { EvidenceBundle } from '../evidence/model.js';
import type { ControlResult, ControlStatus, Finding, Results } from './results.js';
import { CONTROL_STATUSES } from './results.js';
import { compileAssertion, describeAssertion, type EvalContext } from './assertions.js';
import { judgeAttestations } from './attestation.js';
import { EvidenceIndex, scopeArn } from './completeness.js';
import { resolveParameters } from './parameters.js';
import { ValuesInterner } from './intern.js';
import { findWaiver, splitWaivers, type ActiveWaiver } from './waivers.js';

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
}

export function evaluate(controls: Control[], bundle: EvidenceBundle, opts: EvaluateOptions): Results {
  const now = opts.now ?? new Date();
  const selected = opts.framework ? controls.filter((c) => (c.frameworks[opts.framework!] ?? []).length > 0) : controls;
  const index = new EvidenceIndex(bundle, opts.globalCollectors);
  const { active, expired } = splitWaivers(opts.waivers ?? [], now);
  const ids = new Set(selected.map((c) => c.id));

  const results = selected.map((c) =>
    c.kind === 'manual'
      ? evaluateManual(c, opts.attestations ?? [], now, opts.project, opts.attestationBaseDir)
      : evaluateAutomated(c, index, now, opts.project, active.get(c.id)),
  );

  const summary = Object.fromEntries(CONTROL_STATUSES.map((s) => [s, 0])) as Record<ControlStatus, number>;
  for (const r of results) summary[r.status]++;
  const m = bundle.manifest;
  const out: Results = {
    tool: { name: 'trustpack', version: opts.toolVersion },
    run: {
      id: m.runId, startedAt: m.startedAt, endedAt: m.endedAt, evaluatedAt: now.toISOString(),
      accounts: [...m.accounts], regions: [...m.regions],
      ...(opts.framework ? { framework: opts.framework } : {}),
    },
    summary,
    controls: results,
  };
  const expiredHere = expired.filter((w) => ids.has(w.control));
  if (expiredHere.length > 0) {
    out.expiredWaivers = expiredHere.map((w) => ({ control: w.control, resource: w.resource, expires: w.expires, approver: w.approver }));
  }
  return out;
}

function base(c: Control, params: Record<string, unknown>): Omit<ControlResult, 'status' | 'reason'> {
  return {
    id: c.id, title: c.title, severity: c.severity, kind: c.kind,
    ...(c.claim !== undefined ? { claim: c.claim } : {}),
    ...(c.assert ? { asserts: describeAssertion(c.assert, params, c.parameters) } : {}),
    ...(Object.keys(params).length > 0 ? { parameters: params } : {}),
    frameworks: c.frameworks,
    findings: [],
  };
}

function evaluateManual(c: Control, attestations: readonly Attestation[], now: Date, project?: ProjectConfig, baseDir?: string): ControlResult {
  const v = judgeAttestations(c, attestations, now, baseDir);
  const a = v.attestation;
  return {
    ...base(c, resolveParameters(c, project)),
    status: v.current ? 'MANUAL' : 'FAIL',
    reason: v.reason,
    ...(a ? { attestation: { attested_by: a.attested_by, attested_at: a.attested_at, document: a.document, sha256: a.sha256, expires: a.expires, current: v.current } } : {}),
  };
}

function evaluateAutomated(c: Control, index: EvidenceIndex, now: Date, project: ProjectConfig | undefined, waivers: readonly ActiveWaiver[] | undefined): ControlResult {
  const params = resolveParameters(c, project);
  const result = base(c, params);
  if (!c.collector || !c.assert) {
    return { ...result, status: 'ERROR', reason: 'the control names no collector or assertion, so nothing can prove it' };
  }
  const collector = c.collector;
  const ctx: EvalContext = { params, now };
  const assert = compileAssertion(c.assert, c.parameters);
  const scope = c.scope ? compileAssertion(c.scope, c.parameters) : undefined;
  // one shared sentence for every pass (the values show what was seen): 2.5M findings must stay cheap
  const passReason = `holds: ${result.asserts ?? ''}`;
  const interner = new ValuesInterner();
  const findings: Finding[] = result.findings;
  const scopes = index.scopes(collector);
  let missingScopes = 0;
  let firstError: string | undefined;

  if (scopes.length === 0) {
    findings.push({
      resource: scopeArn(collector, '*', '*'), account: '*', region: '*', status: 'ERROR', evidence: [],
      reason: 'the evidence bundle lists no accounts or regions, so nothing was collected',
    });
    firstError = findings[0]!.reason;
  }

  for (const s of scopes) {
    if (s.problem !== undefined) {
      missingScopes++;
      const reason = `${s.problem} (account ${s.account}, ${s.region})`;
      firstError ??= reason;
      findings.push({ resource: scopeArn(collector, s.account, s.region), account: s.account, region: s.region, status: 'ERROR', reason, evidence: [] });
      continue;
    }
    let inScope = 0;
    for (const { record: rec, evidence } of index.recordsIn(collector, s.account, s.region)) {
      if (scope && !scope.test(rec.data, ctx)) continue;
      inScope++;
      const values: Record<string, unknown> = {};
      const failed = assert.check(rec.data, ctx, values);
      const f: Finding = {
        resource: rec.resource, account: s.account, region: s.region,
        status: failed === undefined ? 'PASS' : 'FAIL', reason: failed ?? passReason, evidence, values: interner.intern(values),
      };
      if (failed !== undefined && waivers) {
        const w = findWaiver(waivers, rec.resource);
        if (w) {
          f.status = 'WAIVED';
          f.waiver = { reason: w.reason, approver: w.approver, expires: w.expires };
          f.reason = `${failed} (waived until ${w.expires} by ${w.approver}: ${w.reason})`;
        }
      }
      findings.push(f);
    }
    if (inScope === 0) {
      if (c.when_none_in_scope === 'fail') {
        const arn = scopeArn(collector, s.account, s.region);
        const what = c.config_rule ? `AWS Config rule ${c.config_rule}` : `${collector} resource${c.scope ? ` where ${describeAssertion(c.scope, params, c.parameters)}` : ''}`;
        const reason = `no ${what} found in ${s.region} (account ${s.account})`;
        const f: Finding = { resource: arn, account: s.account, region: s.region, status: 'FAIL', reason, evidence: [] };
        const w = findWaiver(waivers, arn);
        if (w) {
          f.status = 'WAIVED';
          f.waiver = { reason: w.reason, approver: w.approver, expires: w.expires };
        }
        findings.push(f);
      }
    }
  }

  let pass = 0, fail = 0, waived = 0, error = 0;
  let firstFail: Finding | undefined;
  for (const f of findings) {
    if (f.status === 'PASS') pass++;
    else if (f.status === 'FAIL') { fail++; firstFail ??= f; }
    else if (f.status === 'WAIVED') waived++;
    else error++;
  }
  const total = scopes.length;
  let status: ControlStatus;
  let reason: string;
  if (fail > 0) {
    status = 'FAIL';
    reason = `${fail} of ${pass + fail + waived} finding(s) fail; first: ${firstFail!.resource}: ${firstFail!.reason}`;
    if (error > 0) reason += `; also no evidence for ${missingScopes} of ${total} account/region scope(s)`;
  } else if (error > 0) {
    status = 'ERROR';
    reason = `no complete evidence for ${Math.max(missingScopes, 1)} of ${Math.max(total, 1)} account/region scope(s): ${firstError ?? 'unknown'}`;
  } else if (waived > 0) {
    status = 'WAIVED';
    reason = `${waived} failing finding(s) waived${pass ? `, ${pass} pass` : ''}`;
  } else if (pass > 0) {
    status = 'PASS';
    reason = `all ${pass} in-scope resource(s) satisfy the assertion across ${total} account/region scope(s)`;
  } else {
    status = 'NOT_APPLICABLE';
    reason = `evidence collected for all ${total} account/region scope(s); no resource is in scope`;
  }
  return { ...result, status, reason };
}
