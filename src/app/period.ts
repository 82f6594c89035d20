// `report --archive LOCATION --period START..END`: the period pack; and `verify FILE --archive
// LOCATION`: a period pack's runs checked against the archive they came from.
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { daysOpen, daysBetween } from '../archive/days.js';
import { openArchive, type StoredEntry } from '../archive/index.js';
import type { ControlStatus, Results } from '../engine/results.js';
import { globToRegExp } from '../engine/waivers.js';
import { buildHistory, type RunRef } from '../history/build.js';
import { frequencyOf, occurrenceId, SampleDraw, SAMPLE_METHOD } from '../history/sample.js';
import type { HistoryRun } from '../history/model.js';
import {
  bundleAttachmentName, HISTORY_ATTACHMENT, PERIOD_ATTACHMENT, POPULATION_ATTACHMENT,
  type PeriodException, type PeriodPackInput, type PeriodRunRef, type PeriodSample,
} from '../report/period-types.js';
import { writeFileAtomic } from '../util/atomic.js';
import { VERSION } from '../version.js';
import { loadProjectContext, type ProjectOptions } from './project.js';
import { parsePeriod } from './history.js';
import { checkFramework } from './list.js';
import { parseSigningTime, readSigner, type Signer } from './report.js';
import { UsageError } from './errors.js';
import { checkOutputTarget } from './output-target.js';
import type { ManagementResponse } from '../controls/model.js';

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
  /** a key given directly (`demo --period` signs with its throwaway certificate) */
  signer?: Signer;
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
  const out = args.out ?? join('reports', `period-pack-${period.start}..${period.end}.pdf`);
  // before the archive is read: an existing pack is replaced only with --force
  checkOutputTarget({ path: out, kind: 'file', option: '--out' }, args.force);
  const framework = checkFramework(args.framework);
  const ctx = loadProjectContext(args);
  const signer = args.signer ?? await readSigner(args);
  const signingTime = parseSigningTime(args.signingTime);
  const override = sampleSizeOverride(args.sampleSize);

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
    const draws = new Map<string, SampleDraw>();
    const population: string[] = [];
    const waivers = new Map<string, { reason: string; approver: string; expires: string }>();
    const asOfByRun = new Map<string, string>();
    let index = -1;
    let current: HistoryRun | undefined;
    const refs: RunRef[] = stored.map((s) => ({
      runId: s.entry.runId, asOf: s.entry.asOf, source: s.entry.source, accounts: s.entry.accounts, regions: s.entry.regions,
      load: () => archive.results<Results>(s.entry),
    }));
    const history = await buildHistory(refs, {
      period,
      ...(framework ? { framework } : {}),
      onResult: (run, c) => {
        if (run !== current) {
          current = run;
          index++;
          asOfByRun.set(run.id, run.asOf);
        }
        let line = timelines.get(c.id);
        if (!line) timelines.set(c.id, (line = []));
        line[index] = c.status;
        let draw = draws.get(c.id);
        if (!draw) draws.set(c.id, (draw = new SampleDraw(seed, sampleN)));
        for (const f of c.findings) {
          const id = occurrenceId(run.id, f.resource);
          draw.offer(id);
          population.push(`${c.id}\t${id}`);
          if (f.waiver) waivers.set(`${c.id}|${f.resource}`, f.waiver);
        }
      },
    });

    const exceptions: PeriodException[] = [];
    // a management response that covers no exception of the period is a warning, never silent
    const responded = new Set<ManagementResponse>();
    for (const c of history.controls) {
      const responses = ctx.responses.filter((r) => r.control === c.id).map((r) => ({ r, re: globToRegExp(r.resource) }));
      for (const e of c.exceptions) {
        const matching = responses.filter((x) => x.re.test(e.resource));
        for (const x of matching) responded.add(x.r);
        const match = matching.sort((a, b) => (a.r.date < b.r.date ? 1 : -1))[0];
        const waiver = e.waivedRuns > 0 ? waivers.get(`${c.id}|${e.resource}`) : undefined;
        exceptions.push({
          controlId: c.id, resource: e.resource, status: e.status, firstSeen: e.firstSeen, lastSeen: e.lastSeen,
          resolvedAt: e.resolvedAt, gone: e.gone, daysOpen: daysOpen(e.firstSeen, e.resolvedAt ?? e.lastSeen),
          runs: e.runs, waivedRuns: e.waivedRuns, reason: e.reason, source: e.source,
          ...(waiver ? { waiver } : {}),
          ...(match ? { response: { response: match.r.response, owner: match.r.owner, date: match.r.date } } : {}),
        });
      }
    }
    const warnings = ctx.responses.filter((r) => !responded.has(r))
      .map((r) => `the management response to ${r.control} on ${r.resource} (${r.owner}, ${r.date}) matches no exception of this period`);
    const samples: PeriodSample[] = history.controls.map((c) => {
      const d = draws.get(c.id);
      return {
        controlId: c.id, frequency, population: d?.population ?? 0, n: Math.min(sampleN, d?.population ?? 0), seed, method: SAMPLE_METHOD,
        drawn: (d?.drawn() ?? []).map((x) => {
          const [runId, ...rest] = x.id.split('|');
          return { id: x.id, key: x.key, asOf: asOfByRun.get(runId!) ?? '', resource: rest.join('|') };
        }),
      };
    });

    const runs: PeriodRunRef[] = [...stored]
      .sort((a, b) => (a.entry.asOf < b.entry.asOf ? -1 : a.entry.asOf > b.entry.asOf ? 1 : a.entry.n - b.entry.n))
      .map((s) => ({ n: s.entry.n, entry: s.sha256, runId: s.entry.runId, asOf: s.entry.asOf, source: s.entry.source, bundle: s.entry.bundle, results: s.entry.results }));
    const attachments: PeriodPackInput['attachments'] = [
      { name: HISTORY_ATTACHMENT, bytes: Buffer.from(JSON.stringify(history, null, 2) + '\n'), description: 'history of the period (trustpack history JSON)' },
      {
        name: PERIOD_ATTACHMENT,
        bytes: Buffer.from(JSON.stringify({ period, archive: { location: args.archive, head }, sample: { seed, method: SAMPLE_METHOD, n: sampleN, frequency }, runs }, null, 2) + '\n'),
        description: 'the archive entries this pack was made from, and the sample parameters',
      },
      { name: POPULATION_ATTACHMENT, bytes: Buffer.from(population.map((l) => l + '\n').join('')), description: 'population: control <TAB> occurrence id (<run id>|<resource ARN>)' },
    ];
    for (const r of runs) {
      attachments.push({ name: bundleAttachmentName(r.bundle), bytes: await archive.object(r.bundle), description: `manifest of run ${r.runId} (as of ${r.asOf}); its sha256 names the bundle` });
    }

    const { buildPeriodPack } = await import('../report/period-pack.js');
    const p = ctx.project;
    const pdf = await buildPeriodPack({
      history, timelines, exceptions, samples, runs,
      archive: { location: args.archive, head, immutable: archive.store.immutable },
      ...(p.organisation ? { organisation: p.organisation } : {}),
      ...(p.system ? { system: p.system } : {}),
      ...(p.preparer ? { preparer: p.preparer } : {}),
      ...(p.reviewer ? { reviewer: p.reviewer } : {}),
      framework: framework ?? 'all',
      toolVersion: VERSION,
      attachments,
      warnings,
      signingTime,
      ...(signer ? { signer } : { unsigned: true }),
    });
    await writeFileAtomic(out, pdf);
    const open = exceptions.filter((e) => e.resolvedAt === null && !e.gone).length;
    return {
      text: `${signer ? 'signed' : 'UNSIGNED'} period pack: ${out}\n` +
        `${history.runs.length} runs over ${history.days.total} days (${history.days.missing.length} without a run); ` +
        `${exceptions.length} exceptions, ${open} open\n` +
        `sample: seed ${seed}, n ${sampleN} (${frequency}), ${SAMPLE_METHOD}\n` +
        `archive head ${head.sha256}:${head.n}` +
        warnings.map((w) => `\nWARNING ${w}`).join(''),
      exitCode: 0,
    };
  } finally {
    archive.close();
  }
}

/** verify FILE --archive LOCATION: every run the pack names is that entry of the archive. */
export async function verifyPackAgainstArchive(file: string, location: string): Promise<{ problems: string[]; checked: number }> {
  const { readEmbeddedFiles } = await import('../report/verify.js');
  const { checkPeriodAttachments, isPeriodPack } = await import('../report/period-verify.js');
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
    return { problems, checked: period.runs.length };
  } finally {
    archive.close();
  }
}
