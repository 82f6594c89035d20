// `archive add|list|verify` and `collect --archive`: a run's bundle and its results, evaluated
// now with the project's catalog, appended to the evidence archive.
import { canonicalJson, sha256Hex } from '../evidence/canonical.js';
import type { EvidenceBundle } from '../evidence/model.js';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { cannotWrite, sweepStaleTemps, tempSibling } from '../util/atomic.js';
import { checkOutputTarget } from './output-target.js';
import { BundleError, bundleFiles, MANIFEST_FILE, readBundle } from '../evidence/bundle.js';
import { formatHead, openArchive, parseHead, type Archive, type ArchiveEntry, type AppendOutcome, type VerifyReport } from '../archive/index.js';
import { loadProjectContext, type ProjectContext, type ProjectOptions } from './project.js';
import { evaluateBundle } from './evaluate.js';
import { runIndexBytes } from '../history/run-index.js';
import { textTable } from '../output/text-table.js';
import { UsageError } from './errors.js';

export interface ArchiveFlags {
  archive: string;
  retainUntil?: string;
  retainMode?: string;
  profile?: string;
}

/** The catalog a run was evaluated with: every control and the project's parameters. */
export function catalogDigest(ctx: ProjectContext): string {
  return sha256Hex(canonicalJson({
    controls: ctx.controls,
    parameters: ctx.project.parameters ?? {},
    control_parameters: ctx.project.control_parameters ?? {},
  }));
}

function retentionOptions(f: ArchiveFlags): { retainUntil?: Date; retainMode?: 'COMPLIANCE' | 'GOVERNANCE' } {
  const out: { retainUntil?: Date; retainMode?: 'COMPLIANCE' | 'GOVERNANCE' } = {};
  if (f.retainUntil !== undefined) {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(f.retainUntil) ? `${f.retainUntil}T00:00:00Z` : f.retainUntil);
    if (Number.isNaN(d.getTime())) throw new UsageError(`--retain-until: "${f.retainUntil}" is not a date (YYYY-MM-DD or an ISO 8601 time)`);
    if (d.getTime() <= Date.now()) throw new UsageError(`--retain-until: ${f.retainUntil} is in the past`);
    out.retainUntil = d;
  }
  if (f.retainMode !== undefined) {
    if (f.retainMode !== 'COMPLIANCE' && f.retainMode !== 'GOVERNANCE') throw new UsageError(`--retain-mode: COMPLIANCE or GOVERNANCE, got "${f.retainMode}"`);
    out.retainMode = f.retainMode;
  }
  return out;
}

export async function openForWriting(f: ArchiveFlags): Promise<Archive> {
  return openArchive(f.archive, { forWriting: true, ...retentionOptions(f), ...(f.profile ? { profile: f.profile } : {}) });
}

/**
 * A bundle's files exactly as they are in its folder, each checked against the manifest. A
 * bundle `collect --out` streamed to disk keeps its records in the order they were collected,
 * so serialising the records again (bundleFiles, id order) would give other bytes, other
 * hashes, and an archived manifest that is not the bundle's.
 */
export async function bundleFilesIn(dir: string, bundle: EvidenceBundle): Promise<{ path: string; bytes: Buffer }[]> {
  const files: { path: string; bytes: Buffer }[] = [];
  for (const f of bundle.manifest.files) {
    const bytes = await readFile(join(dir, f.path));
    if (bytes.length !== f.bytes || sha256Hex(bytes) !== f.sha256) {
      throw new BundleError(`${join(dir, f.path)}: sha256 does not match the manifest (the file changed while it was being archived)`);
    }
    files.push({ path: f.path, bytes });
  }
  files.push({ path: MANIFEST_FILE, bytes: await readFile(join(dir, MANIFEST_FILE)) });
  return files;
}

/**
 * Appends one bundle with its results evaluated now with the project's catalog (all
 * frameworks), so history later reads what was decided that day. Backfill calls this too.
 * With `dir` (a bundle on disk) the files are stored byte for byte as written there.
 */
export async function appendBundle(ctx: ProjectContext, bundle: EvidenceBundle, archive: Archive, now?: Date, dir?: string): Promise<AppendOutcome> {
  const results = Buffer.from(JSON.stringify(evaluateBundle(ctx, bundle, undefined, now)) + '\n', 'utf8');
  return archive.append({
    files: dir ? await bundleFilesIn(dir, bundle) : bundleFiles(bundle),
    results,
    catalog: catalogDigest(ctx),
    index: (previous) => runIndexBytes(results, previous),
  });
}

export function describeAppend(location: string, o: AppendOutcome): string {
  const e = o.stored.entry;
  if (o.alreadyArchived) return `run ${e.runId} is already archived as entry ${e.n} of ${location} (bundle sha256 ${e.bundle}); nothing appended`;
  return `archived run ${e.runId} as entry ${e.n} of ${location}\nhead ${formatHead({ sha256: o.stored.sha256, n: e.n })}`;
}

export async function runArchiveAdd(args: ProjectOptions & ArchiveFlags & { bundle: string }): Promise<{ text: string; exitCode: number }> {
  const ctx = loadProjectContext(args);
  const bundle = await readBundle(args.bundle);
  const archive = await openForWriting(args);
  try {
    return { text: describeAppend(args.archive, await appendBundle(ctx, bundle, archive, undefined, args.bundle)), exitCode: 0 };
  } finally {
    archive.close();
  }
}

export async function runArchiveList(args: { archive: string; format: string; profile?: string }): Promise<{ text: string; exitCode: number }> {
  const archive = await openArchive(args.archive, args.profile ? { profile: args.profile } : {});
  try {
    const rows: { n: number; sha256: string; runId: string; asOf: string; source: string; accounts: string[]; regions: string[]; bundle: string; results: string }[] = [];
    for await (const s of archive.entries()) {
      const e = s.entry;
      rows.push({ n: e.n, sha256: s.sha256, runId: e.runId, asOf: e.asOf, source: e.source, accounts: e.accounts, regions: e.regions, bundle: e.bundle, results: e.results });
    }
    const last = rows.at(-1);
    const head = last ? { n: last.n, sha256: last.sha256 } : null;
    if (args.format === 'json') return { text: JSON.stringify({ location: args.archive, head, entries: rows }, null, 2), exitCode: 0 };
    const table = textTable(['N', 'AS OF', 'SOURCE', 'RUN', 'ACCOUNTS', 'BUNDLE'], rows.map((r) => [
      String(r.n), r.asOf, r.source, r.runId, r.accounts.join(','), r.bundle.slice(0, 16),
    ]));
    return { text: `${table}\n${rows.length} entries; head ${head ? formatHead(head) : '(empty archive)'}`, exitCode: 0 };
  } finally {
    archive.close();
  }
}

function headFlag(flag: string, text: string | undefined): { sha256: string; n: number } | undefined {
  if (text === undefined) return undefined;
  const head = parseHead(text);
  if (!head) throw new UsageError(`${flag}: "${text}" is not SHA256:N (the head \`archive list\` prints)`);
  return head;
}

export async function runArchiveVerify(args: { archive: string; format: string; expectHead?: string; since?: string; profile?: string }): Promise<{ text: string; exitCode: number }> {
  const expectHead = headFlag('--expect-head', args.expectHead);
  const since = headFlag('--since', args.since);
  const archive = await openArchive(args.archive, args.profile ? { profile: args.profile } : {});
  try {
    const report = await archive.verify({ ...(expectHead ? { expectHead } : {}), ...(since ? { since } : {}) });
    const text = args.format === 'json' ? JSON.stringify(report, null, 2) : verifyText(report);
    // an entry this version cannot read is not a verdict on the archive: unreadable here (2)
    const newer = report.problems.length > 0 && report.problems.every((p) => p.kind === 'newer-layout');
    return { text, exitCode: report.intact ? 0 : newer ? 2 : 1 };
  } finally {
    archive.close();
  }
}

function verifyText(r: VerifyReport): string {
  const lines = [`archive ${r.location}: ${r.entries} entries; head ${r.head ? formatHead(r.head) : '(empty)'}`];
  if (r.firstAsOf) lines.push(`runs from ${r.firstAsOf} to ${r.lastAsOf}`);
  if (r.since) lines.push(`from the pinned head ${formatHead(r.since)}: the chain from entry ${r.since.n} and every object the entries after it reference`);
  const newer = r.problems.length > 0 && r.problems.every((p) => p.kind === 'newer-layout');
  lines.push(r.intact
    ? 'INTACT: the chain, every bundle file and every stored result match their sha256'
    : newer ? 'NOT VERIFIED: entries written by a newer trustpack; upgrade trustpack to verify them' : `BROKEN: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`);
  for (const p of r.problems) lines.push(`  position ${p.position}: ${p.kind}: ${p.message}`);
  for (const n of r.notices) lines.push(`note: ${n}`);
  if (!r.immutable) lines.push('note: this archive has no Object Lock; only --expect-head with a head recorded elsewhere catches removed newest entries');
  if (r.gaps.length > 0) lines.push(`gaps (days without a run, not failures): ${r.gaps.join(', ')}`);
  if (r.orphans.length > 0) lines.push(`orphans (objects of a crashed append, not failures): ${r.orphans.join(', ')}`);
  return lines.join('\n');
}

/** The entry of RUN: a run id, or an entry number. */
async function entryOf(archive: Archive, run: string): Promise<ArchiveEntry> {
  let byNumber: ArchiveEntry | undefined;
  for await (const s of archive.entries()) {
    if (s.entry.runId === run) return s.entry;
    if (/^\d+$/.test(run) && s.entry.n === Number(run)) byNumber = s.entry;
  }
  if (byNumber) return byNumber;
  throw new UsageError(`${archive.location}: no run ${run} in the archive (\`trustpack archive list\` shows the runs and entry numbers)`);
}

/**
 * `archive get RUN --out DIR`: the run's bundle rebuilt byte for byte (every file checked against
 * the manifest's sha256), written to a temporary sibling and renamed into place.
 */
export async function runArchiveGet(args: { archive: string; run: string; out: string; force?: boolean; profile?: string }): Promise<{ text: string; exitCode: number }> {
  const target = resolve(args.out);
  checkOutputTarget({ path: args.out, kind: 'folder', option: '--out' }, args.force);
  const archive = await openArchive(args.archive, args.profile ? { profile: args.profile } : {});
  try {
    const entry = await entryOf(archive, args.run);
    const files = await archive.bundleFiles(entry);
    await mkdir(dirname(target), { recursive: true });
    await sweepStaleTemps(target);
    const tmp = tempSibling(target);
    try {
      for (const f of files) {
        await mkdir(dirname(join(tmp, f.path)), { recursive: true });
        await writeFile(join(tmp, f.path), f.bytes);
      }
      const old = tempSibling(target);
      // a folder already there (empty, or replaced with --force) is moved aside, never mixed into
      const replaced = await rename(target, old).then(() => true, (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return false;
        throw e;
      });
      await rename(tmp, target);
      if (replaced) await rm(old, { recursive: true, force: true });
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw cannotWrite(args.out, err);
    }
    const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
    return { text: `wrote run ${entry.runId} (entry ${entry.n}, bundle sha256 ${entry.bundle}) to ${args.out}: ${files.length} files, ${bytes} bytes, each matching its sha256 in the manifest`, exitCode: 0 };
  } finally {
    archive.close();
  }
}
