// What the period pack says per control (what it tests, over which population, with which
// exceptions and conclusion) and per requirement of a framework, computed from the history and
// the catalog. The report only draws these; the rules are src/history/conclusion.ts.
import type { Control, Framework, FrameworkId } from '../controls/model.js';
import type { ControlResult } from '../engine/results.js';
import type { History } from '../history/model.js';
import { concludeControl, concludeRequirement, type ControlFacts } from '../history/conclusion.js';
import { collectorInfo, withDependencies } from '../../collectors/registry.js';
import { FRAMEWORK_IDS } from '../controls/registry/frameworks.js';
import type { PeriodControlDetail, PeriodCriterionPart, PeriodException } from '../report/period-types.js';

/** The evidence source in words: the API calls a collector makes, a Config rule, or a document (run and period packs). */
export function evidenceSource(c: Control | undefined, latest: ControlResult | undefined): string {
  if (!c) return 'not in today\'s catalog (the stored results name it)';
  if (c.kind === 'manual') {
    const a = latest?.attestation;
    return `attestation: ${c.attestation?.evidence ?? 'a signed-off document'}${a ? ` (last seen: ${a.document}, sha256 ${a.sha256.slice(0, 16)}…, attested by ${a.attested_by})` : ''}`;
  }
  if (c.kind === 'inherited') {
    const p = c.provider;
    return `inherited: ${p ? `${p.name}${p.report ? `, ${p.report}` : ''} (${p.documentation})` : 'the provider\'s own report'}, held as an attestation`;
  }
  if (c.config_rule) return `AWS Config rule ${c.config_rule} (config:GetComplianceDetailsByConfigRule)`;
  if (!c.collector) return 'none declared';
  const calls = withDependencies([c.collector]).flatMap((id) => {
    const info = collectorInfo(id);
    return info ? info.operations.map((op) => `${info.service}:${op}`) : [];
  });
  return `${c.collector}: ${[...new Set(calls)].join(', ') || 'a join of other collectors\' records'}`;
}

export interface ControlGathered {
  latest?: ControlResult;
  occurrences: number;
  resources: Set<string>;
  populationSha256: string;
}

export function controlDetails(history: History, catalog: readonly Control[], gathered: ReadonlyMap<string, ControlGathered>, exceptions: readonly PeriodException[]): PeriodControlDetail[] {
  const byId = new Map(catalog.map((c) => [c.id, c]));
  return history.controls.map((hc) => {
    const c = byId.get(hc.id);
    const g = gathered.get(hc.id);
    const mine = exceptions.filter((e) => e.controlId === hc.id);
    const evaluated = Object.values(hc.runs).reduce((a, b) => a + b, 0);
    const facts: ControlFacts = {
      evaluated,
      errorRuns: hc.runs.ERROR,
      notApplicableRuns: hc.runs.NOT_APPLICABLE,
      exceptions: mine.filter((e) => e.cause !== 'missing-evidence').map((e) => e.id),
      waivedExceptions: mine.filter((e) => e.cause !== 'missing-evidence' && e.waivedRuns === e.runs).length,
      missing: mine.filter((e) => e.cause === 'missing-evidence').map((e) => e.id),
    };
    const latest = g?.latest;
    return {
      id: hc.id, title: hc.title, kind: latest?.kind ?? c?.kind ?? 'automated',
      ...(c?.description ? { description: c.description.trim() } : {}),
      ...(latest?.claim ?? c?.claim ? { claim: (latest?.claim ?? c?.claim)! } : {}),
      ...(latest?.asserts ? { asserts: latest.asserts } : {}),
      ...(latest?.parameters && Object.keys(latest.parameters).length > 0 ? { parameters: latest.parameters } : {}),
      source: evidenceSource(c, latest),
      ...(c?.config_rule ? { configRule: c.config_rule } : {}),
      frameworks: hc.frameworks,
      runs: hc.runs,
      evaluated,
      population: { occurrences: g?.occurrences ?? 0, resources: g?.resources.size ?? 0, sha256: g?.populationSha256 ?? '' },
      facts,
      conclusion: concludeControl(facts),
    };
  });
}

/** One part per framework (registry order): every requirement, its mapped controls, a conclusion. */
export function criterionParts(frameworks: readonly Framework[], wanted: readonly FrameworkId[], catalog: readonly Control[], details: readonly PeriodControlDetail[]): PeriodCriterionPart[] {
  const detailById = new Map(details.map((d) => [d.id, d]));
  const notEvaluated = (c: Control): PeriodControlDetail => {
    const facts: ControlFacts = { evaluated: 0, errorRuns: 0, notApplicableRuns: 0, exceptions: [], waivedExceptions: 0, missing: [] };
    return {
      id: c.id, title: c.title, kind: c.kind, source: evidenceSource(c, undefined), frameworks: c.frameworks,
      runs: { PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0, MANUAL: 0, WAIVED: 0 }, evaluated: 0,
      population: { occurrences: 0, resources: 0, sha256: '' }, facts, conclusion: concludeControl(facts),
    };
  };
  return FRAMEWORK_IDS.filter((id) => wanted.includes(id)).flatMap((id) => {
    const fw = frameworks.find((f) => f.id === id);
    if (!fw) return [];
    const requirements = fw.requirements.map((r) => {
      // mapped in today's catalog, or by the stored results of a run of the period
      const ids = new Set<string>();
      for (const c of catalog) if (c.frameworks[id]?.includes(r.id)) ids.add(c.id);
      for (const d of details) if (d.frameworks[id]?.includes(r.id)) ids.add(d.id);
      const controls = [...ids].sort().map((cid) => detailById.get(cid) ?? notEvaluated(catalog.find((c) => c.id === cid)!));
      return {
        id: r.id, title: r.title, controls: controls.map((c) => c.id),
        conclusion: concludeRequirement(controls.map((c) => ({ id: c.id, title: c.title, conclusion: c.conclusion, facts: c.facts }))),
        unevaluated: controls.filter((c) => c.evaluated === 0),
      };
    });
    return [{ framework: { id: fw.id, title: fw.title, version: fw.version }, requirements }];
  });
}
