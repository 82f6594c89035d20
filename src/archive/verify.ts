// `archive verify`: the chain checked by position (never by time), every bundle file and stored
// results checked against its sha256, and the head against --expect-head. Days without a run
// are gaps and objects no entry names are orphans (a crashed append): both reported, neither a
// failure.
import pLimit from 'p-limit';
import type { Manifest } from '../evidence/model.js';
import { missingDays, utcDay } from './days.js';
import { entryNumber, objectKey, OBJECTS, parseEntry, sha256Of, TEMP, type ArchiveEntry, type Head } from './entry.js';
import type { ArchiveStore } from './store.js';

/** What verification reads of an Archive (index.ts), named here so the two modules import one way. */
interface ArchiveView {
  readonly store: ArchiveStore;
  readonly location: string;
  entryKeys(): Promise<string[]>;
}

type ProblemKind = 'removed' | 'reordered' | 'altered' | 'missing-object' | 'truncated' | 'foreign' | 'malformed';

/** The files a stored bundle manifest lists, or what is wrong with it (its hash may hold: whoever wrote it chose the bytes). */
function bundleFilesOf(bytes: Buffer): Manifest['files'] | string {
  let m: unknown;
  try {
    m = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'is not JSON';
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) return 'is not a JSON object';
  const files = (m as { files?: unknown }).files;
  if (!Array.isArray(files)) return 'has no list of files';
  for (const f of files as unknown[]) {
    if (!f || typeof f !== 'object') return 'lists a file that is not an object';
    const { path, sha256 } = f as { path?: unknown; sha256?: unknown };
    if (typeof path !== 'string' || typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return 'lists a file without a path and a sha256';
  }
  return files as Manifest['files'];
}

interface VerifyProblem {
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

/** a run of missing positions at least this long is reported as one problem, not one per position */
const MISSING_ONE_BY_ONE = 16;

/** reads in flight at once: S3 answers each in tens of milliseconds, a folder at once */
const READS_IN_FLIGHT = 16;

export interface VerifyOptions {
  expectHead?: Head;
}

export async function verifyArchive(archive: ArchiveView, opts: VerifyOptions): Promise<VerifyReport> {
  const store = archive.store;
  const problems: VerifyProblem[] = [];
  const keys = await archive.entryKeys();
  const foreign = (await store.list('entries/')).filter((k) => entryNumber(k) === undefined);
  for (const k of foreign) problems.push({ position: 0, kind: 'foreign', message: `${k} is not an entry trustpack writes` });

  const byNumber = new Map<number, string>();
  for (const k of keys) byNumber.set(entryNumber(k)!, k);
  const last = keys.length > 0 ? entryNumber(keys.at(-1)!)! : 0;

  // First pass: read every entry (small), so a swap can be told from a removal. Reads run a
  // few at a time: on S3 each is a round trip.
  const limit = pLimit(READS_IN_FLIGHT);
  const read = new Map<number, { sha256: string; entry: ArchiveEntry | string }>();
  await Promise.all([...byNumber].map(([n, key]) => limit(async () => {
    const bytes = await store.get(key);
    read.set(n, bytes ? { sha256: sha256Of(bytes), entry: parseEntry(bytes) } : { sha256: '', entry: 'listed but cannot be read' });
  })));
  const numbersInside = new Set<number>();
  for (const r of read.values()) if (typeof r.entry !== 'string') numbersInside.add(r.entry.n);

  const referenced = new Set<string>();
  // object sha256 -> its verdict, shared across runs (nights often store identical files once)
  const checked = new Map<string, Promise<'ok' | 'missing' | 'altered'>>();
  const objectOk = (sha: string): Promise<'ok' | 'missing' | 'altered'> => {
    let verdict = checked.get(sha);
    if (!verdict) {
      verdict = limit(async () => {
        const bytes = await store.get(objectKey(sha));
        if (!bytes) return 'missing' as const;
        return sha256Of(bytes) === sha ? 'ok' as const : 'altered' as const;
      });
      checked.set(sha, verdict);
    }
    return verdict;
  };
  // Every entry's objects are checked concurrently; the problems are then listed in order.
  const objectProblems = new Map<number, Promise<VerifyProblem[]>>();
  const checkObjects = async (p: number, e: ArchiveEntry): Promise<VerifyProblem[]> => {
    const out: VerifyProblem[] = [];
    const [b, res] = await Promise.all([objectOk(e.bundle), objectOk(e.results)]);
    if (b !== 'ok') {
      out.push({ position: p, kind: b === 'missing' ? 'missing-object' : 'altered', message: `entry ${p} (run ${e.runId}): its bundle manifest ${e.bundle} is ${b}` });
    } else {
      const files = bundleFilesOf((await limit(() => store.get(objectKey(e.bundle))))!);
      if (typeof files === 'string') {
        out.push({ position: p, kind: 'malformed', message: `entry ${p} (run ${e.runId}): its bundle manifest ${e.bundle} ${files}` });
        return out;
      }
      for (const f of files) referenced.add(f.sha256);
      const verdicts = await Promise.all(files.map((f) => objectOk(f.sha256)));
      files.forEach((f, i) => {
        const s = verdicts[i]!;
        if (s !== 'ok') out.push({ position: p, kind: s === 'missing' ? 'missing-object' : 'altered', message: `entry ${p} (run ${e.runId}): bundle file ${f.path} (${f.sha256}) is ${s}` });
      });
    }
    if (res !== 'ok') out.push({ position: p, kind: res === 'missing' ? 'missing-object' : 'altered', message: `entry ${p} (run ${e.runId}): its stored results ${e.results} are ${res}` });
    return out;
  };
  const asOfs: string[] = [];

  // Linear in the entries present: positions are visited in order, and a run of missing
  // positions is one problem however long (an absurd entry number is not a loop to it).
  const present = [...read.keys()].sort((a, b) => a - b);
  const missingRun = (from: number, to: number): void => {
    if (to - from < MISSING_ONE_BY_ONE) {
      for (let p = from; p <= to; p++) {
        problems.push({
          position: p, kind: numbersInside.has(p) ? 'reordered' : 'removed',
          message: numbersInside.has(p) ? `entry ${p} is stored under another position` : `entry ${p} is missing: removed from the chain`,
        });
      }
    } else {
      problems.push({ position: from, kind: 'removed', message: `entries ${from}..${to} are missing: removed from the chain, or entry ${to + 1} is numbered out of sequence` });
    }
  };
  let expectedNext = 1;
  for (const p of present) {
    if (p > expectedNext) missingRun(expectedNext, p - 1);
    expectedNext = p + 1;
    const r = read.get(p)!;
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
    const pending = checkObjects(p, e);
    pending.catch(() => undefined); // awaited below, in order; an early failure must not go unhandled meanwhile
    objectProblems.set(p, pending);
  }
  // chain problems of a position first, then its objects', positions in order
  const chainAt = new Map<number, VerifyProblem[]>();
  for (const x of problems.splice(0)) {
    const list = chainAt.get(x.position);
    if (list) list.push(x);
    else chainAt.set(x.position, [x]);
  }
  const positions = [...new Set([...chainAt.keys(), ...objectProblems.keys()])].sort((a, b) => a - b);
  for (const p of positions) {
    problems.push(...(chainAt.get(p) ?? []));
    const objects = objectProblems.get(p);
    if (objects) problems.push(...(await objects));
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
