// `history`: the runs of a period read from the archive, with per-control status counts and
// exceptions, from the results stored when each run was archived.
import { isDate } from '../archive/days.js';
import { openArchive, type Archive, type ArchiveEntry, type StoredEntry } from '../archive/index.js';
import type { Results } from '../engine/results.js';
import { buildHistory, type HistoryOptions, type RunRef } from '../history/build.js';
import { historyCsv, historyTable } from '../history/format.js';
import type { History } from '../history/model.js';
import { checkFramework } from './list.js';
import { UsageError } from './errors.js';
import type { ProjectOptions } from './project.js';
import { sha256Hex } from '../evidence/canonical.js';
import { resultsOfIndex, runIndexBytes } from '../history/run-index.js';

/** START..END, UTC dates, both included. */
export function parsePeriod(text: string): { start: string; end: string } {
  const m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(text.trim());
  if (!m || !isDate(m[1]!) || !isDate(m[2]!)) throw new UsageError(`--period: "${text}" is not START..END with UTC dates (e.g. 2026-01-01..2026-03-31)`);
  if (m[1]! > m[2]!) throw new UsageError(`--period: ${m[1]} is after ${m[2]}`);
  return { start: m[1]!, end: m[2]! };
}

/**
 * The archive's entries, each bundle once: an archive written before appends were deduplicated
 * may hold a retried job's bundle twice, and one run must never count twice.
 */
async function* onceEach(archive: Archive): AsyncGenerator<StoredEntry> {
  const seen = new Set<string>();
  for await (const s of archive.entries()) {
    if (seen.has(s.entry.bundle)) continue;
    seen.add(s.entry.bundle);
    yield s;
  }
}

/**
 * Every archived run as a reference read only when needed: from its streak index object when
 * the entry names one (what history needs, without evidence ids and values), else its results.
 */
async function runRefs(archive: Archive): Promise<RunRef[]> {
  const refs: RunRef[] = [];
  for await (const s of onceEach(archive)) {
    const e = s.entry;
    const index = e.index;
    refs.push({
      runId: e.runId, asOf: e.asOf, source: e.source, accounts: e.accounts, regions: e.regions,
      load: index ? async () => resultsOfIndex(await archive.object(index)) : () => archive.results<Results>(e),
    });
  }
  return refs;
}

/**
 * `history --rebuild-index`: every run's index object computed again from its stored results and
 * the chain before it. Each must be byte-identical to the one its entry names; a missing one is
 * written again (create-only), a different one is reported and history reads that run's results.
 */
export async function rebuildIndex(archive: Archive): Promise<{ checked: number; written: number; differing: string[] }> {
  let previous: string | null = null;
  const out = { checked: 0, written: 0, differing: [] as string[] };
  for await (const s of archive.entries()) {
    const e = s.entry;
    if (!e.index) {
      previous = null;
      continue;
    }
    const bytes = runIndexBytes(await archive.object(e.results), previous);
    const sha = sha256Hex(bytes);
    out.checked++;
    if (sha !== e.index) {
      out.differing.push(`entry ${e.n} (run ${e.runId}): the rebuilt index hashes to ${sha}, the entry names ${e.index}`);
    } else if (await archive.storeIndex(sha, bytes)) {
      out.written++;
    }
    previous = e.index;
  }
  return out;
}

export async function historyOf(archive: Archive, opts: HistoryOptions): Promise<History> {
  return buildHistory(await runRefs(archive), opts);
}

/**
 * --reevaluate: each archived bundle evaluated again with today's catalog (waiver expiry judged
 * at the run's asOf), instead of the results stored with the run; the history says so.
 */
async function reevaluatedRefs(archive: Archive, project: ProjectOptions): Promise<{ refs: RunRef[]; catalog: string }> {
  const { loadProjectContext } = await import('./project.js');
  const { evaluateBundle } = await import('./evaluate.js');
  const { catalogDigest } = await import('./archive.js');
  const ctx = loadProjectContext(project);
  const refs: RunRef[] = [];
  for await (const s of onceEach(archive)) {
    const e: ArchiveEntry = s.entry;
    refs.push({
      runId: e.runId, asOf: e.asOf, source: e.source, accounts: e.accounts, regions: e.regions,
      load: async () => evaluateBundle(ctx, await archive.bundle(e), undefined, new Date(e.asOf)),
    });
  }
  return { catalog: catalogDigest(ctx), refs };
}

export async function runHistory(args: ProjectOptions & { archive: string; period?: string; framework?: string; format: string; profile?: string; reevaluate?: boolean; rebuildIndex?: boolean }): Promise<{ text: string; exitCode: number; notes?: string[] }> {
  const period = args.period ? parsePeriod(args.period) : undefined;
  const framework = checkFramework(args.framework);
  const archive = await openArchive(args.archive, args.profile ? { profile: args.profile } : {});
  try {
    const opts = { ...(period ? { period } : {}), ...(framework ? { framework } : {}) };
    const notes: string[] = [];
    if (args.rebuildIndex) {
      const r = await rebuildIndex(archive);
      notes.push(`streak index rebuilt from the stored results: ${r.checked} runs, byte-identical ${r.checked - r.differing.length}, written again ${r.written}`);
      if (r.differing.length > 0) {
        notes.push(...r.differing);
        return { text: '', exitCode: 1, notes };
      }
    }
    let h: History;
    if (args.reevaluate) {
      const { refs, catalog } = await reevaluatedRefs(archive, args);
      h = { ...(await buildHistory(refs, opts)), reevaluated: { catalog, note: "the archived evidence evaluated with today's catalog and parameters, not the results stored when each run was archived" } };
    } else {
      h = await historyOf(archive, opts);
    }
    const text = args.format === 'json' ? JSON.stringify(h, null, 2) : args.format === 'csv' ? historyCsv(h) : historyTable(h);
    return { text, exitCode: 0, ...(notes.length > 0 ? { notes } : {}) };
  } finally {
    archive.close();
  }
}
