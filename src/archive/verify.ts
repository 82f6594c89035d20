// `archive verify`: the chain checked by position (never by time), every bundle file and stored
// results checked against its sha256, and the head against --expect-head. Days without a run
// are gaps and objects no entry names are orphans (a crashed append): both reported, neither a
// failure.
import type { Manifest } from '../evidence/model.js';
import { missingDays, utcDay } from './days.js';
import { entryNumber, objectKey, OBJECTS, parseEntry, sha256Of, TEMP, type ArchiveEntry } from './entry.js';
import type { Archive, Head } from './index.js';

export type ProblemKind = 'removed' | 'reordered' | 'altered' | 'missing-object' | 'truncated' | 'foreign';

export interface VerifyProblem {
  /** the entry position the problem is at (0: the archive as a whole) */
  position: number;
  kind: ProblemKind;
  message: string;
}

export interface VerifyReport {
  location: string;
  intact: boolean;
  entries: number;
  head: Head | null;
  expectedHead?: Head;
  /** Object Lock: objects cannot be changed or deleted for their retention */
  immutable: boolean;
  problems: VerifyProblem[];
  /** objects no entry names, and temporary files: left by a crashed append */
  orphans: string[];
  /** UTC days between the first and the last run without a run */
  gaps: string[];
  firstAsOf?: string;
  lastAsOf?: string;
}

export interface VerifyOptions {
  expectHead?: Head;
}

export async function verifyArchive(archive: Archive, opts: VerifyOptions): Promise<VerifyReport> {
  const store = archive.store;
  const problems: VerifyProblem[] = [];
  const keys = await archive.entryKeys();
  const foreign = (await store.list('entries/')).filter((k) => entryNumber(k) === undefined);
  for (const k of foreign) problems.push({ position: 0, kind: 'foreign', message: `${k} is not an entry trustpack writes` });

  const byNumber = new Map<number, string>();
  for (const k of keys) byNumber.set(entryNumber(k)!, k);
  const last = keys.length > 0 ? entryNumber(keys.at(-1)!)! : 0;

  // First pass: read every entry (small), so a swap can be told from a removal.
  const read = new Map<number, { sha256: string; entry: ArchiveEntry | string }>();
  for (const [n, key] of byNumber) {
    const bytes = await store.get(key);
    if (!bytes) {
      read.set(n, { sha256: '', entry: 'listed but cannot be read' });
      continue;
    }
    read.set(n, { sha256: sha256Of(bytes), entry: parseEntry(bytes) });
  }
  const numbersInside = new Set<number>();
  for (const r of read.values()) if (typeof r.entry !== 'string') numbersInside.add(r.entry.n);

  const referenced = new Set<string>();
  const checked = new Map<string, boolean>(); // object sha256 -> intact (shared across runs)
  const objectOk = async (sha: string): Promise<'ok' | 'missing' | 'altered'> => {
    const known = checked.get(sha);
    if (known !== undefined) return known ? 'ok' : 'altered';
    const bytes = await store.get(objectKey(sha));
    if (!bytes) return 'missing';
    const ok = sha256Of(bytes) === sha;
    checked.set(sha, ok);
    return ok ? 'ok' : 'altered';
  };
  const asOfs: string[] = [];

  for (let p = 1; p <= last; p++) {
    const r = read.get(p);
    if (!r) {
      problems.push({
        position: p, kind: numbersInside.has(p) ? 'reordered' : 'removed',
        message: numbersInside.has(p) ? `entry ${p} is stored under another position` : `entry ${p} is missing: removed from the chain`,
      });
      continue;
    }
    if (typeof r.entry === 'string') {
      problems.push({ position: p, kind: 'altered', message: `entry ${p}: ${r.entry}` });
      continue;
    }
    const e = r.entry;
    if (e.n !== p) {
      problems.push({
        position: p, kind: numbersInside.has(p) ? 'reordered' : 'removed',
        message: `position ${p} holds entry ${e.n}: ${numbersInside.has(p) ? 'the entries were reordered' : 'entries were removed and the rest renumbered'}`,
      });
    } else {
      const prev = read.get(p - 1);
      const expected = p === 1 ? null : prev && typeof prev.entry !== 'string' ? prev.sha256 : undefined;
      // undefined: the previous entry is missing or unreadable, already reported at p-1
      if (expected !== undefined && e.previous !== expected) {
        problems.push({
          position: p, kind: 'altered',
          message: p === 1
            ? 'entry 1 names a previous entry: entries before it were removed'
            : `entry ${p} does not follow entry ${p - 1} (its previous sha256 is ${e.previous ?? 'null'}, entry ${p - 1} hashes to ${expected}): entry ${p - 1} was altered or replaced`,
        });
      }
    }
    asOfs.push(e.asOf);

    referenced.add(e.bundle);
    referenced.add(e.results);
    const b = await objectOk(e.bundle);
    if (b !== 'ok') {
      problems.push({ position: p, kind: b === 'missing' ? 'missing-object' : 'altered', message: `entry ${p} (run ${e.runId}): its bundle manifest ${e.bundle} is ${b}` });
    } else {
      const manifest = JSON.parse((await store.get(objectKey(e.bundle)))!.toString('utf8')) as Manifest;
      for (const f of manifest.files ?? []) {
        referenced.add(f.sha256);
        const s = await objectOk(f.sha256);
        if (s !== 'ok') problems.push({ position: p, kind: s === 'missing' ? 'missing-object' : 'altered', message: `entry ${p} (run ${e.runId}): bundle file ${f.path} (${f.sha256}) is ${s}` });
      }
    }
    const res = await objectOk(e.results);
    if (res !== 'ok') problems.push({ position: p, kind: res === 'missing' ? 'missing-object' : 'altered', message: `entry ${p} (run ${e.runId}): its stored results ${e.results} are ${res}` });
  }

  const lastRead = read.get(last);
  const head: Head | null = last > 0 && lastRead ? { n: last, sha256: lastRead.sha256 } : null;
  if (opts.expectHead) {
    const want = opts.expectHead;
    const at = read.get(want.n);
    if (last < want.n) {
      problems.push({ position: last + 1, kind: 'truncated', message: `the archive ends at entry ${last}, but its head was ${want.n}: entries ${last + 1}..${want.n} were removed` });
    } else if (!at || at.sha256 !== want.sha256) {
      problems.push({ position: want.n, kind: 'altered', message: `entry ${want.n} hashes to ${at?.sha256 || '(missing)'}, not the expected head ${want.sha256}` });
    }
  }

  const orphans: string[] = [];
  for (const k of await store.list(OBJECTS)) if (!referenced.has(k.slice(OBJECTS.length))) orphans.push(k);
  orphans.push(...(await store.list(TEMP)));

  const sorted = [...asOfs].sort();
  const gaps = sorted.length > 0 ? missingDays(utcDay(sorted[0]!), utcDay(sorted.at(-1)!), sorted) : [];
  return {
    location: archive.location,
    intact: problems.length === 0,
    entries: keys.length,
    head,
    ...(opts.expectHead ? { expectedHead: opts.expectHead } : {}),
    immutable: store.immutable,
    problems,
    orphans,
    gaps,
    ...(sorted.length > 0 ? { firstAsOf: sorted[0]!, lastAsOf: sorted.at(-1)! } : {}),
  };
}
