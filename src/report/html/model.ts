// What the evidence browser embeds: a run's (or a period's) results, the framework catalog's
// requirements with the controls the results map to them, and the exact canonical bytes of every
// evidence record a finding cites. Plain data, deterministic: the same inputs give the same model
// (no generation time; the run's own times only).
import type { Control, Framework } from '../../controls/model.js';
import type { ControlResult, ControlStatus, Results } from '../../engine/results.js';
import type { EvidenceRecord, Manifest } from '../../evidence/model.js';
import { canonicalJsonOfData } from '../../evidence/canonical.js';
import type { History } from '../../history/model.js';
import type { PeriodException, PeriodSample } from '../period-types.js';

/**
 * One finding as an array, to keep 100,000 of them small, the repeated strings (account, region,
 * status, reason) and deciding values as indexes into shared tables:
 * [control index, resource, account, region, status, reason, evidence ids, values index | -1, waiver | 0, period facts | 0]
 */
type BrowserFinding = [number, string, number, number, number, number, string[], number, Record<string, unknown> | 0, Record<string, unknown> | 0];

/** The findings block: parsed by the page only when a view needs findings, not before it is interactive. */
export interface BrowserFindings {
  strings: string[];
  values: Record<string, unknown>[];
  rows: BrowserFinding[];
}

/** Interns the strings and values the findings repeat. */
class FindingTable {
  readonly out: BrowserFindings = { strings: [], values: [], rows: [] };
  private readonly strings = new Map<string, number>();
  private readonly values = new Map<string, number>();
  private str(s: string): number {
    let i = this.strings.get(s);
    if (i === undefined) this.strings.set(s, (i = this.out.strings.push(s) - 1));
    return i;
  }
  private val(v: Record<string, unknown> | undefined): number {
    if (!v) return -1;
    const key = JSON.stringify(v);
    let i = this.values.get(key);
    if (i === undefined) this.values.set(key, (i = this.out.values.push(v) - 1));
    return i;
  }
  add(control: number, resource: string, account: string, region: string, status: string, reason: string, evidence: string[], values: Record<string, unknown> | undefined, waiver: Record<string, unknown> | 0, extra: Record<string, unknown> | 0): void {
    this.out.rows.push([control, resource, this.str(account), this.str(region), this.str(status), this.str(reason), evidence, this.val(values), waiver, extra]);
  }
}

interface BrowserControl {
  id: string;
  title: string;
  status: ControlStatus | 'NOT_EVALUATED';
  severity: string;
  kind: string;
  claim?: string;
  description?: string;
  asserts?: string;
  parameters?: Record<string, unknown>;
  reason?: string;
  frameworks: Record<string, string[]>;
  attestation?: ControlResult['attestation'];
  /** how many findings it has, and how many of them did not pass */
  findings: number;
  notPassed: number;
  /** a period: runs per status, the status in each run (null: not evaluated then), the sample */
  runs?: Record<string, number>;
  timeline?: (ControlStatus | null)[];
  sample?: PeriodSample;
}

export interface BrowserModel {
  kind: 'run' | 'period';
  title: string;
  organisation?: string;
  toolVersion: string;
  framework: string;
  run?: { id: string; startedAt: string; asOf?: string; source?: string; accounts: string[]; regions: string[] };
  period?: { start: string; end: string; runs: { id: string; asOf: string; source: string }[]; days: History['days']; head?: { n: number; sha256: string } };
  frameworks: { id: string; title: string; requirements: { id: string; title: string; controls: number[] }[] }[];
  controls: BrowserControl[];
  /**
   * The bundle's files with their sha256 (the records the page embeds are lines of these) and how
   * many of each file's records this page embeds: a file whose every record is embedded is rebuilt
   * line by line in the page and hashed against the manifest.
   */
  files: { path: string; sha256: string; records?: number; embedded: number }[];
  /** cited: records findings (or a period's sampled items) cite; embedded: records in this file, cited or not */
  records: { cited: number; embedded: number; leftOut: { id: string; file: string | null; sha256: string | null }[]; cap: number };
  warnings: string[];
}

/** The page's embedded records: id -> the RFC 8785 canonical JSON of the record without its id. */
export type RecordTexts = Map<string, string>;

const DEFAULT_RECORD_CAP = 200_000;

function frameworkBlocks(frameworks: readonly Framework[], controls: readonly { frameworks: Record<string, string[] | undefined> }[], only: string): BrowserModel['frameworks'] {
  const out: BrowserModel['frameworks'] = [];
  for (const fw of frameworks) {
    if (only !== 'all' && fw.id !== only) continue;
    const byReq = new Map<string, number[]>();
    controls.forEach((c, i) => {
      for (const req of c.frameworks[fw.id] ?? []) {
        let l = byReq.get(req);
        if (!l) byReq.set(req, (l = []));
        l.push(i);
      }
    });
    out.push({
      id: fw.id,
      title: fw.version && !fw.title.includes(fw.version) ? `${fw.title} · version ${fw.version}` : fw.title,
      requirements: fw.requirements.map((r) => ({ id: r.id, title: r.title, controls: byReq.get(r.id) ?? [] })),
    });
  }
  return out;
}

function controlFacts(c: ControlResult, def: Control | undefined): BrowserControl {
  return {
    findings: c.findings.length,
    notPassed: c.findings.filter((f) => f.status !== 'PASS').length,
    id: c.id, title: c.title, status: c.status, severity: c.severity, kind: c.kind,
    ...(c.claim ? { claim: c.claim } : {}),
    ...(def?.description ? { description: def.description } : {}),
    ...(c.asserts ? { asserts: c.asserts } : {}),
    ...(c.parameters && Object.keys(c.parameters).length ? { parameters: c.parameters } : {}),
    reason: c.reason,
    frameworks: c.frameworks,
    ...(c.attestation ? { attestation: c.attestation } : {}),
  };
}

/**
 * The records a page embeds, within the cap: every cited record first (the ones findings point at),
 * then, for a run, the rest of the bundle's records, so that files whose every line is embedded can
 * be rebuilt and hashed against the manifest in the page. Cited records left out by the cap are
 * named with the bundle file that holds them.
 */
function embedRecords(cited: readonly string[], all: readonly EvidenceRecord[], manifest: Manifest | undefined, recordCap: number | undefined): {
  records: RecordTexts; leftOut: BrowserModel['records']['leftOut']; cap: number; embeddedPerFile: Map<string, number>;
} {
  const cap = recordCap ?? DEFAULT_RECORD_CAP;
  const byId = new Map(all.map((r) => [r.id, r]));
  const fileOf = new Map((manifest?.files ?? []).map((f) => [f.path, f.sha256]));
  const chosen = new Set<string>();
  const leftOut: BrowserModel['records']['leftOut'] = [];
  for (const id of cited) {
    const r = byId.get(id);
    const file = r ? `records/${r.collector}.jsonl` : null;
    if (!r || chosen.size >= cap) {
      leftOut.push({ id, file: file && fileOf.has(file) ? file : null, sha256: file ? fileOf.get(file) ?? null : null });
      continue;
    }
    chosen.add(id);
  }
  // uncited records are embedded only for a run (its manifest lists the files to rebuild)
  if (manifest) {
    for (const r of all) {
      if (chosen.size >= cap) break;
      chosen.add(r.id);
    }
  }
  // in the bundle's order (files, then records by id), whatever order they were chosen in
  const records: RecordTexts = new Map();
  const embeddedPerFile = new Map<string, number>();
  for (const r of all) {
    if (!chosen.has(r.id) || records.has(r.id)) continue;
    const { id: _id, ...draft } = r;
    records.set(r.id, canonicalJsonOfData(draft));
    const file = `records/${r.collector}.jsonl`;
    embeddedPerFile.set(file, (embeddedPerFile.get(file) ?? 0) + 1);
  }
  return { records, leftOut, cap, embeddedPerFile };
}

/** A run: results + the bundle's records -> the model and the records it embeds. */
export function runModel(input: {
  results: Results; controls: readonly Control[]; frameworks: readonly Framework[]; framework: string;
  manifest: Manifest; records: readonly EvidenceRecord[]; organisation?: string; recordCap?: number;
}): { model: BrowserModel; findings: BrowserFindings; records: RecordTexts } {
  const { results } = input;
  const defs = new Map(input.controls.map((c) => [c.id, c]));
  const controls = results.controls.map((c) => controlFacts(c, defs.get(c.id)));
  const table = new FindingTable();
  const direct: string[] = [];
  results.controls.forEach((c, ci) => {
    for (const f of c.findings) {
      direct.push(...f.evidence);
      table.add(ci, f.resource, f.account, f.region, f.status, f.reason, f.evidence, f.values, f.waiver ? { ...f.waiver } : 0, f.owner ? { owner: f.owner } : 0);
    }
  });
  const cited = withSources(direct, input.records);
  const { records, leftOut, cap, embeddedPerFile } = embedRecords(cited, input.records, input.manifest, input.recordCap);
  const m = results.run;
  const model: BrowserModel = {
    kind: 'run',
    title: `Evidence browser — run ${m.id}`,
    ...(input.organisation ? { organisation: input.organisation } : {}),
    toolVersion: results.tool.version,
    framework: input.framework,
    run: { id: m.id, startedAt: m.startedAt, ...(m.asOf ? { asOf: m.asOf } : {}), ...(m.source ? { source: m.source } : {}), accounts: m.accounts, regions: m.regions },
    frameworks: frameworkBlocks(input.frameworks, controls, input.framework),
    controls,
    files: input.manifest.files.map((f) => ({ path: f.path, sha256: f.sha256, ...(f.records !== undefined ? { records: f.records } : {}), embedded: embeddedPerFile.get(f.path) ?? 0 })),
    records: { cited: cited.length, embedded: records.size, leftOut, cap },
    warnings: (results.warnings ?? []).map((w) => w.message),
  };
  return { model, findings: table.out, records };
}

/**
 * A period: the history, timelines, exceptions and samples the period pack draws -> the model, and
 * the evidence records the sampled items cite (read by the app layer from the archived bundles of
 * the runs they were drawn from), so the auditor's sample can be opened down to AWS's answer.
 */
export function periodModel(input: {
  history: History; timelines: Map<string, (ControlStatus | undefined)[]>; exceptions: readonly PeriodException[];
  samples: readonly PeriodSample[]; controls: readonly Control[]; frameworks: readonly Framework[]; framework: string;
  organisation?: string; toolVersion: string; head?: { n: number; sha256: string }; warnings?: string[];
  records?: readonly EvidenceRecord[]; recordCap?: number;
}): { model: BrowserModel; findings: BrowserFindings; records: RecordTexts } {
  const h = input.history;
  const defs = new Map(input.controls.map((c) => [c.id, c]));
  const samples = new Map(input.samples.map((s) => [s.controlId, s]));
  const exceptionsOf = new Map<string, PeriodException[]>();
  for (const e of input.exceptions) {
    let l = exceptionsOf.get(e.controlId);
    if (!l) exceptionsOf.set(e.controlId, (l = []));
    l.push(e);
  }
  const controls: BrowserControl[] = [];
  const table = new FindingTable();
  h.controls.forEach((c, ci) => {
    const def = defs.get(c.id);
    const line = input.timelines.get(c.id) ?? [];
    const sample = samples.get(c.id);
    controls.push({
      findings: c.exceptions.length, notPassed: c.exceptions.length,
      id: c.id, title: c.title, status: periodStatus(c.runs), severity: def?.severity ?? '', kind: def?.kind ?? '',
      ...(def?.claim ? { claim: def.claim } : {}),
      ...(def?.description ? { description: def.description } : {}),
      frameworks: c.frameworks,
      runs: c.runs,
      timeline: h.runs.map((_r, i) => line[i] ?? null),
      ...(sample ? { sample } : {}),
    });
    // the app layer builds the exceptions list in the history's order, one per streak
    const covers = exceptionsOf.get(c.id) ?? [];
    c.exceptions.forEach((e, k) => {
      const p = covers[k];
      table.add(ci, e.resource, e.account ?? '', e.region ?? '', e.status, e.reason, [], undefined, p && p.waivers.length > 0 ? { waivers: p.waivers.join(', ') } : 0, {
        firstSeen: e.firstSeen, lastSeen: e.lastSeen, resolvedAt: e.resolvedAt, gone: e.gone, runs: e.runs, waivedRuns: e.waivedRuns,
        source: e.source, ...(p ? { daysOpen: p.daysOpen } : {}), ...(p?.response ? { response: p.response } : {}),
      });
    });
  });
  const cited = withSources(input.samples.flatMap((s) => s.drawn.flatMap((d) => d.records)), input.records ?? []);
  const { records, leftOut, cap } = embedRecords(cited, input.records ?? [], undefined, input.recordCap);
  const model: BrowserModel = {
    kind: 'period',
    title: `Evidence browser — period ${h.period.start} to ${h.period.end}`,
    ...(input.organisation ? { organisation: input.organisation } : {}),
    toolVersion: input.toolVersion,
    framework: input.framework,
    period: { start: h.period.start, end: h.period.end, runs: h.runs.map((r) => ({ id: r.id, asOf: r.asOf, source: r.source })), days: h.days, ...(input.head ? { head: input.head } : {}) },
    frameworks: frameworkBlocks(input.frameworks, controls, input.framework),
    controls,
    files: [],
    records: { cited: cited.length, embedded: records.size, leftOut, cap },
    warnings: input.warnings ?? [],
  };
  return { model, findings: table.out, records };
}

/**
 * Record ids in first-cited order, then the records those were derived from (a joined record cites
 * the records it read: embedding them too lets the page reach AWS's own answer), each once.
 */
function withSources(direct: Iterable<string>, records: readonly EvidenceRecord[]): string[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    out.push(id);
  };
  for (const id of direct) add(id);
  for (let i = 0; i < out.length; i++) for (const d of byId.get(out[i]!)?.source.derivedFrom ?? []) add(d);
  return out;
}

/** A control's word for a period: FAIL or ERROR when any run had it, else the best of the rest. */
function periodStatus(runs: Record<ControlStatus, number>): ControlStatus | 'NOT_EVALUATED' {
  for (const s of ['FAIL', 'ERROR', 'WAIVED', 'MANUAL', 'PASS', 'NOT_APPLICABLE'] as const) if ((runs[s] ?? 0) > 0) return s;
  return 'NOT_EVALUATED';
}
