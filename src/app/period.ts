// `report --archive LOCATION --period START..END`: the period pack; and `verify FILE --archive
// LOCATION`: a period pack's runs checked against the archive they came from.
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { daysOpen, daysBetween } from '../archive/days.js';
import { openArchive, type Archive, type ArchiveEntry, type StoredEntry } from '../archive/index.js';
import type { ControlResult, ControlStatus, FindingWaiver, Results } from '../engine/results.js';
import { globPattern } from '../util/pattern.js';
import { buildHistory, type RunRef } from '../history/build.js';
import { frequencyOf, occurrenceId, SampleDraw, SAMPLE_METHOD } from '../history/sample.js';
import { isRealResource } from '../history/streaks.js';
import { exceptionCounts } from '../history/counts.js';
import { PopulationLines } from '../history/population.js';
import { FRAMEWORK_IDS } from '../controls/registry/frameworks.js';
import { PACKAGE_ROOT } from '../version.js';
import { controlDetails, criterionParts, type ControlGathered } from './period-criteria.js';
import type { HistoryRun } from '../history/model.js';
import type { PeriodException, PeriodJudged, PeriodPackInput, PeriodSample, PeriodWaiverUse } from '../report/period-types.js';
import {
  bundleAttachmentName, CRITERIA_ATTACHMENT, HISTORY_ATTACHMENT, PERIOD_ATTACHMENT, POPULATION_ATTACHMENT, REDRAW_ATTACHMENT,
  type PeriodRunRef,
} from '../pack/contract.js';
import { writeFileAtomic } from '../util/atomic.js';
import { VERSION } from '../version.js';
import { loadProjectContext, type ProjectContext, type ProjectOptions } from './project.js';
import { parsePeriod } from './history.js';
import { checkFramework } from './list.js';
import { parseSigningTime, readSigner, type Signer } from './report.js';
import { UsageError } from './errors.js';
import { checkOutputTarget } from './output-target.js';
import type { ManagementResponse } from '../controls/model.js';
import type { EvidenceRecord } from '../evidence/model.js';
import { parseRecordCap } from './html.js';

export interface PeriodReportArgs extends ProjectOptions {
  archive: string;
  period?: string;
  framework: string;
  out?: string;
  signP12?: string;
  signPassphraseEnv?: string;
  signingTime?: string;
  unsigned?: boolean;
  /** replace an existing --out */
  force?: boolean;
  sampleSeed?: string;
  sampleSize?: string;
  profile?: string;
  /** `--html FILE`: the period's evidence browser; without --out it is the only file written */
  html?: string;
  /** `--html-max-records N`: at most this many sampled items' evidence records embedded in the HTML */
  htmlMaxRecords?: string;
  /** a key given directly (`demo --period` signs with its throwaway certificate) */
  signer?: Signer;
  /** judge the archived evidence again with today's catalog instead of the stored results */
  reevaluate?: boolean;
}

function sampleSizeOverride(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UsageError(`--sample-size must be a whole number from 1 to 10000, got '${v}'`);
  return n;
}

export async function runPeriodReport(args: PeriodReportArgs): Promise<{ text: string; exitCode: number }> {
  if (!args.period) throw new UsageError('report --archive needs --period START..END (UTC dates, both included)');
  const period = parsePeriod(args.period);
  const pdfWanted = !args.html || args.out !== undefined;
  const out = args.out ?? join('reports', `period-pack-${period.start}..${period.end}.pdf`);
  // before the archive is read: an existing pack is replaced only with --force
  if (pdfWanted) checkOutputTarget({ path: out, kind: 'file', option: '--out' }, args.force);
  if (args.html) checkOutputTarget({ path: args.html, kind: 'file', option: '--html' }, args.force);
  const framework = checkFramework(args.framework);
  const ctx = loadProjectContext(args);
  // the HTML alone needs no signing key: only the PDF is signed
  const signer = args.signer ?? (pdfWanted ? await readSigner(args) : undefined);
  const signingTime = parseSigningTime(args.signingTime);
  const override = sampleSizeOverride(args.sampleSize);
  const recordCap = parseRecordCap(args.htmlMaxRecords);

  const archive = await openArchive(args.archive, args.profile ? { profile: args.profile } : {});
  try {
    const stored: StoredEntry[] = [];
    for await (const s of archive.entries()) {
      const d = s.entry.asOf.slice(0, 10);
      if (d >= period.start && d <= period.end) stored.push(s);
    }
    const head = await archive.head();
    if (!head) throw new UsageError(`${args.archive}: the archive is empty`);
    if (stored.length === 0) throw new UsageError(`${args.archive}: no archived run in ${period.start}..${period.end}`);
    const seed = args.sampleSeed ?? head.sha256;
    if (!/^[\x21-\x7e]{1,200}$/.test(seed)) throw new UsageError('--sample-seed: printable characters without spaces, at most 200');
    const { frequency, n } = frequencyOf(stored.length, daysBetween(period.start, period.end).length);
    const sampleN = override ?? n;

    // gathered while history streams the runs: timelines, population and sample, waivers seen
    const timelines = new Map<string, (ControlStatus | undefined)[]>();
    const draws = new Map<string, SampleDraw<SampleRow>>();
    const gathered = new Map<string, ControlGathered>();
    const population = new PopulationLines();
    const waiverUses = new Map<string, PeriodWaiverUse>();
    // per (control, resource): the ids of the waivers applied, in the order first seen
    const waiversOf = new Map<string, string[]>();
    let index = -1;
    let current: HistoryRun | undefined;
    const judging = args.reevaluate ? await reevaluation(ctx, framework) : undefined;
    const refs: RunRef[] = stored.map((s) => ({
      runId: s.entry.runId, asOf: s.entry.asOf, source: s.entry.source, accounts: s.entry.accounts, regions: s.entry.regions,
      load: judging ? () => judging.load(archive, s.entry) : () => archive.results<Results>(s.entry),
    }));
    const built = await buildHistory(refs, {
      period,
      ...(framework ? { framework } : {}),
      onResult: (run, c) => {
        if (run !== current) {
          current = run;
          index++;
        }
        let line = timelines.get(c.id);
        if (!line) timelines.set(c.id, (line = []));
        line[index] = c.status;
        let draw = draws.get(c.id);
        if (!draw) draws.set(c.id, (draw = new SampleDraw<SampleRow>(seed, sampleN)));
        let g = gathered.get(c.id);
        if (!g) gathered.set(c.id, (g = { occurrences: 0, resources: new Set(), populationSha256: '' }));
        g.latest = { ...c, findings: [] }; // its words and parameters; findings are not kept
        for (const f of c.findings) {
          if (f.waiver) noteWaiver(waiverUses, waiversOf, c.id, f.resource, f.waiver, run.asOf);
          // the population: findings on real resources only (never a placeholder for missing evidence)
          if (!isRealResource(f.resource)) continue;
          const id = occurrenceId(run.id, f.resource);
          draw.offer(id, { runId: run.id, asOf: run.asOf, resource: f.resource, status: f.status, records: f.evidence });
          population.add(`${c.id}\t${id}\t${f.status}\t${f.evidence.join(',')}`);
          g.occurrences++;
          g.resources.add(f.resource);
        }
      },
    });
    for (const [id, g] of gathered) g.populationSha256 = draws.get(id)!.populationSha256();
    const judged = judgedOf(stored, judging);
    const warnings: string[] = [];
    const history = judging ? { ...built, reevaluated: { catalog: judging.catalog, note: REEVALUATED_NOTE } } : built;
    if (judging) warnings.push(`RE-EVALUATED: ${REEVALUATED_NOTE} (catalog sha256 ${judging.catalog}); ${judged.differences!.length} of ${stored.length} runs judged differently from their stored results`);

    const exceptions: PeriodException[] = [];
    // a management response that covers no exception of the period is a warning, never silent
    const responded = new Set<ManagementResponse>();
    for (const c of history.controls) {
      const responses = ctx.responses.filter((r) => r.control === c.id).map((r) => ({ r, re: globPattern(r.resource) }));
      for (const e of c.exceptions) {
        const matching = responses.filter((x) => x.re.test(e.resource));
        for (const x of matching) responded.add(x.r);
        // a response answers an exception still open on or after its date, never one that ended before
        const match = matching.filter((x) => respondsTo(x.r.date, e)).sort((a, b) => (a.r.date < b.r.date ? 1 : -1))[0];
        exceptions.push({
          id: `E-${exceptions.length + 1}`,
          controlId: c.id, resource: e.resource, account: e.account, region: e.region, cause: e.cause,
          status: e.status, firstSeen: e.firstSeen, lastSeen: e.lastSeen,
          resolvedAt: e.resolvedAt, gone: e.gone, daysOpen: daysOpen(e.firstSeen, e.resolvedAt ?? e.lastSeen),
          runs: e.runs, waivedRuns: e.waivedRuns, reason: withoutWaiverWords(e.reason, waiversOf.get(`${c.id}|${e.resource}`) ?? [], waiverUses), source: e.source,
          ...(e.endedBy ? { endedBy: e.endedBy } : {}),
          waivers: e.waivedRuns > 0 ? waiversOf.get(`${c.id}|${e.resource}`) ?? [] : [],
          ...(match ? { response: { response: match.r.response, owner: match.r.owner, date: match.r.date } } : {}),
        });
      }
    }
    warnings.push(...ctx.responses.filter((r) => !responded.has(r))
      .map((r) => `the management response to ${r.control} on ${r.resource} (${r.owner}, ${r.date}) matches no exception of this period`));
    for (const r of ctx.responses) {
      if (responded.has(r) && !exceptions.some((e) => e.response?.date === r.date && e.response.owner === r.owner && e.controlId === r.control)) {
        warnings.push(`the management response to ${r.control} on ${r.resource} (${r.owner}, ${r.date}) is dated after every matching exception of this period ended: it is attached to none`);
      }
    }
    const samples: PeriodSample[] = history.controls.map((c) => {
      const d = draws.get(c.id);
      return {
        controlId: c.id, frequency, population: d?.population ?? 0, n: Math.min(sampleN, d?.population ?? 0), seed, method: SAMPLE_METHOD,
        populationSha256: d?.populationSha256() ?? '',
        drawn: (d?.drawn() ?? []).map((x) => ({ id: x.id, key: x.key, ...x.item })),
      };
    });
    const details = controlDetails(history, ctx.controls, gathered, exceptions);
    const wanted = framework ? [framework] : args.framework === 'all' ? [...FRAMEWORK_IDS] : [];
    const parts = criterionParts(ctx.frameworks, wanted, framework ? ctx.controls.filter((c) => (c.frameworks[framework]?.length ?? 0) > 0) : ctx.controls, details);

    const runs: PeriodRunRef[] = [...stored]
      .sort((a, b) => (a.entry.asOf < b.entry.asOf ? -1 : a.entry.asOf > b.entry.asOf ? 1 : a.entry.n - b.entry.n))
      .map((s) => ({ n: s.entry.n, entry: s.sha256, runId: s.entry.runId, asOf: s.entry.asOf, source: s.entry.source, bundle: s.entry.bundle, results: s.entry.results }));
    const attachments: PeriodPackInput['attachments'] = [
      { name: HISTORY_ATTACHMENT, bytes: Buffer.from(JSON.stringify(history, null, 2) + '\n'), description: 'history of the period (trustpack history JSON)' },
      {
        name: PERIOD_ATTACHMENT,
        bytes: Buffer.from(JSON.stringify({ period, judged: { mode: judged.mode, ...(judged.catalog ? { catalog: judged.catalog } : {}), archivedCatalogs: judged.archivedCatalogs }, archive: { location: args.archive, head }, sample: { seed, method: SAMPLE_METHOD, n: sampleN, frequency }, runs }, null, 2) + '\n'),
        description: 'the archive entries this pack was made from, and the sample parameters',
      },
      { name: POPULATION_ATTACHMENT, bytes: population.take(), description: 'population: control <TAB> occurrence id (<run id>|<resource ARN>) <TAB> status in that run <TAB> evidence record ids' },
      { name: REDRAW_ATTACHMENT, bytes: await readFile(join(PACKAGE_ROOT, 'examples', 'redraw-sample.sh')), description: 'redraws the sample from population.tsv: sh redraw-sample.sh population.tsv CONTROL SEED N' },
      {
        name: CRITERIA_ATTACHMENT,
        bytes: Buffer.from(JSON.stringify({ controls: details, parts, exceptions: exceptions.map((e) => ({ id: e.id, control: e.controlId, resource: e.resource, cause: e.cause })) }, null, 2) + '\n'),
        description: 'per control and per requirement: the facts, the conclusion and the rule that gave it',
      },
    ];
    for (const r of runs) {
      attachments.push({ name: bundleAttachmentName(r.bundle), bytes: await archive.object(r.bundle), description: `manifest of run ${r.runId} (as of ${r.asOf}); its sha256 names the bundle` });
    }

    const p = ctx.project;
    const packInput = {
      history, judged, timelines, exceptions, samples, runs, controls: details, parts, waivers: [...waiverUses.values()],
      archive: { location: args.archive, head, immutable: archive.store.immutable },
      ...(p.organisation ? { organisation: p.organisation } : {}),
      ...(p.system ? { system: p.system } : {}),
      ...(p.preparer ? { preparer: p.preparer } : {}),
      ...(p.reviewer ? { reviewer: p.reviewer } : {}),
      ...(framework ? { framework } : args.framework === 'all' ? { framework: 'all' } : {}),
      toolVersion: VERSION,
      warnings,
      ...(signer ? { signer } : { unsigned: true }),
    };
    const written: string[] = [];
    if (args.html) {
      const { periodHtml, writeHtml } = await import('./html.js');
      const records = await sampledRecords(archive, stored, samples, recordCap);
      const bytes = await periodHtml(ctx, packInput, { records, ...(recordCap !== undefined ? { recordCap } : {}) });
      attachments.push(await writeHtml(args.html, bytes));
      written.push(`evidence browser: ${args.html} (${bytes.length} bytes)`);
    }
    if (pdfWanted) {
      const { buildPeriodPack } = await import('../report/period-pack.js');
      const pdf = await buildPeriodPack({ ...packInput, attachments, signingTime });
      await writeFileAtomic(out, pdf);
      written.unshift(`${signer ? 'signed' : 'UNSIGNED'} period pack: ${out}${args.html ? ' (the evidence browser embedded)' : ''}`);
    }
    const counts = exceptionCounts(exceptions);
    return {
      text: written.join('\n') + '\n' +
        `${history.runs.length} runs over ${history.days.total} days (${history.days.missing.length} without a run); ` +
        `${counts.sentence}\n` +
        `sample: seed ${seed}, n ${sampleN} (${frequency}), ${SAMPLE_METHOD}\n` +
        (judging ? `judged: RE-EVALUATED with today's catalog ${judging.catalog}, not the stored results\n` : 'judged: as stored (the results stored with each run when it was archived)\n') +
        `archive head ${head.sha256}:${head.n}` +
        warnings.map((w) => `\nWARNING ${w}`).join(''),
      exitCode: 0,
    };
  } finally {
    archive.close();
  }
}

/**
 * The evidence records the sample's items cite, read from the archived bundles of the runs they
 * were drawn from (one bundle at a time, keeping only the cited records and what they were derived
 * from), so the period's evidence browser opens a sampled item down to AWS's answer. Stops reading
 * bundles once the page's record cap is reached: the page names the rest.
 */
async function sampledRecords(archive: Archive, stored: readonly StoredEntry[], samples: readonly PeriodSample[], cap: number | undefined): Promise<EvidenceRecord[]> {
  const wanted = new Map<string, Set<string>>();
  for (const s of samples) {
    for (const d of s.drawn) {
      let ids = wanted.get(d.runId);
      if (!ids) wanted.set(d.runId, (ids = new Set()));
      for (const id of d.records) ids.add(id);
    }
  }
  const out: EvidenceRecord[] = [];
  for (const s of stored) {
    const ids = wanted.get(s.entry.runId);
    if (!ids || ids.size === 0) continue;
    if (cap !== undefined && out.length >= cap) break;
    const bundle = await archive.bundle(s.entry);
    const byId = new Map(bundle.records.map((r) => [r.id, r]));
    // a record taken once (the same state cited by several items) is not taken again
    const take = (id: string): void => {
      const r = byId.get(id);
      if (!r) return;
      byId.delete(id);
      out.push(r);
      for (const d of r.source.derivedFrom ?? []) take(d);
    };
    for (const id of ids) take(id);
  }
  return out;
}

/** verify FILE --archive LOCATION: every run the pack names is that entry of the archive. */
export async function verifyPackAgainstArchive(file: string, location: string): Promise<{ problems: string[]; checked: number }> {
  const { readEmbeddedFiles } = await import('../verify/verify.js');
  const { checkPeriodAttachments, isPeriodPack } = await import('../verify/period-verify.js');
  let files: Map<string, Buffer>;
  try {
    files = await readEmbeddedFiles(await readFile(file));
  } catch (e) {
    throw new UsageError(`${file}: cannot read the embedded files (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isPeriodPack(files)) throw new UsageError(`${file}: not a period pack (no ${PERIOD_ATTACHMENT} attached); --archive checks period packs`);
  const { problems, period } = checkPeriodAttachments(files);
  if (!period) return { problems, checked: 0 };
  const archive = await openArchive(location);
  try {
    const byN = new Map<number, StoredEntry>();
    for await (const s of archive.entries()) byN.set(s.entry.n, s);
    const headEntry = byN.get(period.archive.head.n);
    if (!headEntry || headEntry.sha256 !== period.archive.head.sha256) {
      problems.push(`the archive's entry ${period.archive.head.n} is ${headEntry ? `${headEntry.sha256}` : 'missing'}, the pack was made at head ${period.archive.head.sha256}:${period.archive.head.n}`);
    }
    for (const r of period.runs) {
      const s = byN.get(r.n);
      if (!s) problems.push(`run ${r.runId}: archive entry ${r.n} is missing`);
      else if (s.sha256 !== r.entry || s.entry.bundle !== r.bundle) problems.push(`run ${r.runId}: archive entry ${r.n} differs from the one the pack was made from`);
      else {
        const inArchive = await archive.manifestBytes(s.entry).catch(() => undefined);
        const inPack = files.get(bundleAttachmentName(r.bundle));
        if (!inArchive) problems.push(`run ${r.runId}: the archive no longer holds bundle ${r.bundle} intact`);
        else if (!inPack || !inPack.equals(inArchive)) problems.push(`run ${r.runId}: the attached manifest differs from the archive's bundle ${r.bundle}`);
      }
    }
    // what the archive holds: every stored object of the entries up to the pack's head re-hashed,
    // by the same verification as `archive verify` (no second implementation)
    const report = await archive.verify({ expectHead: period.archive.head });
    for (const p of report.problems) {
      if (p.position <= period.archive.head.n) problems.push(`archive verify: position ${p.position}: ${p.message}`);
    }
    return { problems, checked: period.runs.length };
  } finally {
    archive.close();
  }
}

interface SampleRow { runId: string; asOf: string; resource: string; status: string; records: string[] }

const REEVALUATED_NOTE = "the archived evidence evaluated with today's catalog, parameters and waivers, not the results stored when each run was archived";

interface Reevaluation {
  catalog: string;
  load(archive: Archive, entry: ArchiveEntry): Promise<Results>;
  differences: NonNullable<PeriodJudged['differences']>;
}

/**
 * --reevaluate: each run's archived bundle evaluated with today's catalog at the run's asOf (as
 * `history --reevaluate` does), and its stored results read too, so the pack lists every control
 * whose status the re-evaluation changed.
 */
async function reevaluation(ctx: ProjectContext, framework: string | undefined): Promise<Reevaluation> {
  const { evaluateBundle } = await import('./evaluate.js');
  const { catalogDigest } = await import('./archive.js');
  const differences: Reevaluation['differences'] = [];
  const inScope = (c: ControlResult) => !framework || ((c.frameworks as Record<string, string[] | undefined>)[framework]?.length ?? 0) > 0;
  return {
    catalog: catalogDigest(ctx),
    differences,
    async load(archive, entry) {
      const now = evaluateBundle(ctx, await archive.bundle(entry), undefined, new Date(entry.asOf));
      const was = await archive.results<Results>(entry);
      const before = new Map(was.controls.filter(inScope).map((c) => [c.id, c.status]));
      const after = new Map(now.controls.filter(inScope).map((c) => [c.id, c.status]));
      const controls = [...new Set([...before.keys(), ...after.keys()])].sort()
        .filter((id) => before.get(id) !== after.get(id))
        .map((id) => ({ id, stored: before.get(id) ?? null, now: after.get(id) ?? null }));
      if (controls.length > 0) differences.push({ runId: entry.runId, asOf: entry.asOf, controls });
      return now;
    },
  };
}

/** What the pack says about how its runs were judged, with the catalogs the archive recorded. */
function judgedOf(stored: readonly StoredEntry[], judging: Reevaluation | undefined): PeriodJudged {
  const digests = new Map<string, number>();
  for (const s of stored) digests.set(s.entry.catalog, (digests.get(s.entry.catalog) ?? 0) + 1);
  const archivedCatalogs = [...digests].map(([digest, runs]) => ({ digest, runs }));
  if (!judging) return { mode: 'stored', archivedCatalogs };
  const differences = [...judging.differences].sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : a.runId.localeCompare(b.runId)));
  return { mode: 'reevaluated', catalog: judging.catalog, archivedCatalogs, differences };
}

/** A response dated D answers a streak still open on D or later (open now, or ended on or after D). */
function respondsTo(date: string, e: { resolvedAt: string | null; lastSeen: string; gone: boolean; endedBy?: string }): boolean {
  const d = date.slice(0, 10);
  const openNow = e.resolvedAt === null && !e.gone && e.endedBy === undefined;
  return openNow || (e.resolvedAt ?? e.lastSeen).slice(0, 10) >= d;
}

function noteWaiver(uses: Map<string, PeriodWaiverUse>, of: Map<string, string[]>, control: string, resource: string, w: FindingWaiver, asOf: string): void {
  // results stored before waivers had ids: the waiver's own words name it
  const id = w.id ?? `${control}|${w.approver}|${w.expires}`;
  let u = uses.get(id);
  if (!u) uses.set(id, (u = { ...w, id, approvedOn: w.approvedOn ?? null, control, resources: [], runs: 0, firstRun: asOf, lastRun: asOf }));
  if (!u.resources.includes(resource)) u.resources.push(resource);
  if (u.lastRun !== asOf || u.runs === 0) u.runs++;
  u.lastRun = asOf;
  const key = `${control}|${resource}`;
  const list = of.get(key) ?? [];
  if (!list.includes(id)) list.push(id);
  of.set(key, list);
}

/** A waived finding's reason ends with the waiver's words; the pack prints them once, under Waivers. */
function withoutWaiverWords(reason: string, ids: readonly string[], uses: ReadonlyMap<string, PeriodWaiverUse>): string {
  for (const id of ids) {
    const w = uses.get(id);
    const suffix = w ? ` (waived until ${w.expires} by ${w.approver}: ${w.reason})` : undefined;
    if (suffix && reason.endsWith(suffix)) return reason.slice(0, -suffix.length);
  }
  return reason;
}
