// `archive verify`: the chain checked by position (never by time), every object an entry
// references streamed, decompressed under the cap and hashed against its name (bundle files or
// recipes and the record data they name, stored results), and the head against --expect-head.
// `--since SHA256:N` starts from a pinned head: the chain from N, and every object the entries
// after N reference, wherever it was first stored. Days without a run are gaps and objects no
// entry names are orphans (a crashed append): both reported, neither a failure.
import pLimit from 'p-limit';
import type { Manifest } from '../evidence/model.js';
import { gunzipCapped, hashStream, MAX_DATA_BYTES, ObjectUnreadable } from './compress.js';
import { missingDays, utcDay } from './days.js';
import {
  entryNumber, gzObjectKey, LAYOUT, layoutOf, objectKey, OBJECTS, parseEntry, sha256Of, TEMP, type ArchiveEntry, type Head,
} from './entry.js';
import { parseRecipeHeader, recipeLineData, type RecipeHeader } from './recipe.js';
import type { ArchiveStore } from './store.js';

/** What verification reads of an Archive (index.ts), named here so the two modules import one way. */
interface ArchiveView {
  readonly store: ArchiveStore;
  readonly location: string;
  entryKeys(): Promise<string[]>;
}

type ProblemKind = 'removed' | 'reordered' | 'altered' | 'missing-object' | 'truncated' | 'foreign' | 'malformed' | 'newer-layout';

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
  /** the chain and every object checked match (false also when an entry is in a layout this version cannot read) */
  intact: boolean;
  entries: number;
  head: Head | null;
  expectedHead?: Head;
  /** --since: the pinned head verification started from; entries before it were not read */
  since?: Head;
  /** Object Lock: objects cannot be changed or deleted for their retention */
  immutable: boolean;
  problems: VerifyProblem[];
  /** not failures: entries written by an older trustpack after newer ones (upgrade every writer at once) */
  notices: string[];
  /** objects no entry names, and temporary files: left by a crashed append (not listed with --since) */
  orphans: string[];
  /** UTC days between the first and the last run without a run */
  gaps: string[];
  firstAsOf?: string;
  lastAsOf?: string;
  /** objects hashed and their uncompressed bytes (the bench reports the rate) */
  hashed: { objects: number; bytes: number };
}

/** a run of missing positions at least this long is reported as one problem, not one per position */
const MISSING_ONE_BY_ONE = 16;

/** reads in flight at once: S3 answers each in tens of milliseconds, a folder at once */
const READS_IN_FLIGHT = 16;
/** entries whose objects are checked at once: memory holds their data references, not the archive's */
const ENTRIES_IN_FLIGHT = 2;
/** problems listed per entry for its record data; the rest are counted in one line */
const DATA_PROBLEMS_LISTED = 20;

export interface VerifyOptions {
  expectHead?: Head;
  /** verify from this pinned, earlier verified head: the chain from it and the objects of the entries after it */
  since?: Head;
}

type Verdict = 'ok' | 'missing' | 'altered' | { unreadable: string; bomb: boolean };

const verdictWords = (v: Verdict): string => (typeof v === 'string' ? v : v.unreadable);
const problemKind = (v: Verdict): ProblemKind => (v === 'missing' ? 'missing-object' : typeof v === 'object' && v.bomb ? 'malformed' : 'altered');

/** Splits streamed text into lines for `onLine`, holding only the unfinished one. */
function lineReader(onLine: (line: string) => void): { chunk: (b: Buffer) => void; end: () => void } {
  let carry = '';
  const decoder = new TextDecoder();
  return {
    chunk(b) {
      const text = carry + decoder.decode(b, { stream: true });
      const lines = text.split('\n');
      carry = lines.pop()!;
      for (const l of lines) onLine(l);
    },
    end() {
      const rest = carry + decoder.decode();
      if (rest !== '') onLine(rest);
    },
  };
}

export async function verifyArchive(archive: ArchiveView, opts: VerifyOptions): Promise<VerifyReport> {
  const store = archive.store;
  const problems: VerifyProblem[] = [];
  const notices: string[] = [];
  const since = opts.since;
  const allKeys = await archive.entryKeys();
  const keys = since ? allKeys.filter((k) => entryNumber(k)! >= since.n) : allKeys;
  const foreign = (await store.list('entries/')).filter((k) => entryNumber(k) === undefined);
  for (const k of foreign) problems.push({ position: 0, kind: 'foreign', message: `${k} is not an entry trustpack writes` });

  const byNumber = new Map<number, string>();
  for (const k of keys) byNumber.set(entryNumber(k)!, k);
  const last = allKeys.length > 0 ? entryNumber(allKeys.at(-1)!)! : 0;

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
  const hashed = { objects: 0, bytes: 0 };
  // uncompressed size of each object hashed: a recipe's pointers into a pack must fall inside it
  const sizes = new Map<string, number>();
  // object sha256 -> its verdict, shared across runs: data stored once is hashed once, and its
  // verdict reaches every run that references it
  const checked = new Map<string, Promise<Verdict>>();
  const objectOk = (sha: string, onChunk?: (b: Buffer) => void): Promise<Verdict> => {
    let verdict = onChunk ? undefined : checked.get(sha);
    if (!verdict) {
      verdict = limit(async (): Promise<Verdict> => {
        let key = gzObjectKey(sha);
        let stream = await store.read(key);
        if (!stream) {
          key = objectKey(sha);
          stream = await store.read(key);
        }
        if (!stream) return 'missing';
        referenced.add(key);
        const r = await hashStream(stream, key.endsWith('.gz'), onChunk);
        if ('unreadable' in r) return r;
        hashed.objects++;
        hashed.bytes += r.bytes;
        sizes.set(sha, r.bytes);
        return r.sha256 === sha ? 'ok' : 'altered';
      });
      if (!onChunk) checked.set(sha, verdict);
    }
    return verdict;
  };
  /**
   * A record's data object: small (one resource's description), so read whole and decompressed
   * under the data cap, without a stream per object (an estate's night references ~10^5 of them).
   */
  const dataOk = (sha: string): Promise<Verdict> => {
    let verdict = checked.get(sha);
    if (!verdict) {
      verdict = limit(async (): Promise<Verdict> => {
        const key = gzObjectKey(sha);
        const stored = await store.get(key);
        if (!stored) return 'missing';
        referenced.add(key);
        let bytes: Buffer;
        try {
          bytes = gunzipCapped(stored, MAX_DATA_BYTES);
        } catch (e) {
          if (!(e instanceof ObjectUnreadable)) throw e;
          return { unreadable: e.message, bomb: /past/.test(e.message) };
        }
        hashed.objects++;
        hashed.bytes += bytes.length;
        return sha256Of(bytes) === sha ? 'ok' : 'altered';
      });
      checked.set(sha, verdict);
    }
    return verdict;
  };
  /** an object already checked, read whole (a manifest: small) */
  const readObject = async (sha: string): Promise<Buffer> => {
    const gz = await limit(() => store.get(gzObjectKey(sha)));
    return gz ? gunzipCapped(gz) : (await limit(() => store.get(objectKey(sha))))!;
  };

  /**
   * Layouts 2 and 3: each recipe hashed as it streams, its data references collected; then every
   * object holding data (layout 2: one per data text; layout 3: the packs, streamed) once.
   */
  const checkRecipes = async (p: number, e: ArchiveEntry, files: Manifest['files']): Promise<VerifyProblem[]> => {
    const out: VerifyProblem[] = [];
    const at = `entry ${p} (run ${e.runId})`;
    const recipes = e.recipes ?? {};
    const listed = new Set(files.map((f) => f.path));
    for (const path of Object.keys(recipes)) {
      if (!listed.has(path)) out.push({ position: p, kind: 'malformed', message: `${at}: a recipe for ${path}, which its manifest does not list` });
    }
    const data = new Map<string, string>(); // data sha256 -> the first file naming it
    const wholes = new Set<string>(); // records files stored whole and packs: large, streamed
    const packEnds = new Map<string, number>(); // pack sha256 -> the furthest byte a recipe line points to
    for (const f of files) {
      const recipe = recipes[f.path];
      if (!recipe) {
        out.push({ position: p, kind: 'malformed', message: `${at}: no recipe for ${f.path}` });
        continue;
      }
      let first = true;
      let header: RecipeHeader | undefined;
      let malformed: string | undefined;
      const lines = lineReader((line) => {
        if (malformed) return;
        if (first) {
          first = false;
          const h = parseRecipeHeader(line);
          if (typeof h === 'string') malformed = h;
          else if (h.path !== f.path || h.sha256 !== f.sha256) malformed = `describes ${h.path} (${h.sha256}), not the manifest's ${f.path} (${f.sha256})`;
          else if ((h.recipe === 2) !== (layoutOf(e) === 3)) malformed = `is recipe ${h.recipe}, not what layout ${layoutOf(e)} writes`;
          else {
            header = h;
            for (const x of h.whole ? [h.whole] : h.packs ?? []) {
              if (data.has(x)) continue;
              data.set(x, f.path);
              wholes.add(x);
            }
          }
          return;
        }
        if (line === '' || !header) return;
        const d = recipeLineData(line, header);
        if (!d) {
          malformed = `has a line that is not ${header.recipe === 2 ? '[prefix, sha256, suffix, offset] or [prefix, sha256, suffix, offset, pack, pack offset, length]' : '[prefix, sha256, suffix, offset]'}`;
          return;
        }
        if (d.at) {
          const end = d.at[1] + d.at[2];
          if (end > (packEnds.get(d.at[0]) ?? 0)) packEnds.set(d.at[0], end);
        } else if (d.sha !== '' && !data.has(d.sha)) {
          data.set(d.sha, f.path);
        }
      });
      const v = await objectOk(recipe, lines.chunk);
      lines.end();
      if (v !== 'ok') out.push({ position: p, kind: problemKind(v), message: `${at}: the recipe of ${f.path} (${recipe}) is ${verdictWords(v)}` });
      else if (malformed) out.push({ position: p, kind: 'malformed', message: `${at}: the recipe of ${f.path} (${recipe}) ${malformed}` });
    }
    const shas = [...data.keys()];
    const verdicts = await Promise.all(shas.map((sha) => (wholes.has(sha) ? objectOk(sha) : dataOk(sha))));
    let bad = 0;
    shas.forEach((sha, i) => {
      const v = verdicts[i]!;
      const end = packEnds.get(sha);
      if (v === 'ok' && end !== undefined && end > sizes.get(sha)!) {
        out.push({ position: p, kind: 'malformed', message: `${at}: the recipe of ${data.get(sha)} points past the end of pack ${sha} (byte ${end} of ${sizes.get(sha)})` });
      }
      if (v === 'ok') return;
      // a streamed object that is no file of the manifest is a pack
      const what = wholes.has(sha) && !files.some((f) => f.sha256 === sha) ? 'pack of record data' : 'record data';
      if (++bad <= DATA_PROBLEMS_LISTED) out.push({ position: p, kind: problemKind(v), message: `${at}: ${what} ${sha} of ${data.get(sha)} is ${verdictWords(v)}` });
    });
    if (bad > DATA_PROBLEMS_LISTED) out.push({ position: p, kind: 'altered', message: `${at}: ${bad - DATA_PROBLEMS_LISTED} more record data objects are missing or altered` });
    return out;
  };

  // Every entry's objects are checked a few entries at a time; the problems are then listed in order.
  const entryLimit = pLimit(ENTRIES_IN_FLIGHT);
  const objectProblems = new Map<number, Promise<VerifyProblem[]>>();
  const checkObjects = async (p: number, e: ArchiveEntry): Promise<VerifyProblem[]> => {
    const out: VerifyProblem[] = [];
    const at = `entry ${p} (run ${e.runId})`;
    const [b, res] = await Promise.all([objectOk(e.bundle), objectOk(e.results)]);
    if (b !== 'ok') {
      out.push({ position: p, kind: problemKind(b), message: `${at}: its bundle manifest ${e.bundle} is ${verdictWords(b)}` });
    } else {
      let files: Manifest['files'] | string;
      try {
        files = bundleFilesOf(await readObject(e.bundle));
      } catch (err) {
        if (!(err instanceof ObjectUnreadable)) throw err;
        files = err.message;
      }
      if (typeof files === 'string') {
        out.push({ position: p, kind: 'malformed', message: `${at}: its bundle manifest ${e.bundle} ${files}` });
      } else if (layoutOf(e) === 1) {
        const verdicts = await Promise.all(files.map((f) => objectOk(f.sha256)));
        files.forEach((f, i) => {
          const s = verdicts[i]!;
          if (s !== 'ok') out.push({ position: p, kind: problemKind(s), message: `${at}: bundle file ${f.path} (${f.sha256}) is ${verdictWords(s)}` });
        });
      } else {
        out.push(...(await checkRecipes(p, e, files)));
      }
    }
    if (res !== 'ok') out.push({ position: p, kind: problemKind(res), message: `${at}: its stored results ${e.results} are ${verdictWords(res)}` });
    if (e.index) {
      const ix = await objectOk(e.index);
      if (ix !== 'ok') out.push({ position: p, kind: problemKind(ix), message: `${at}: its streak index ${e.index} is ${verdictWords(ix)}` });
    }
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
  let expectedNext = since ? since.n : 1;
  let newestLayout = 0;
  for (const p of present) {
    if (p > expectedNext) missingRun(expectedNext, p - 1);
    expectedNext = p + 1;
    const r = read.get(p)!;
    if (since && p === since.n) {
      // the pinned head: verified before, so only its bytes are compared; its objects are not re-read
      if (r.sha256 !== since.sha256) problems.push({ position: p, kind: 'altered', message: `entry ${p} hashes to ${r.sha256 || '(unreadable)'}, not the pinned head ${since.sha256}` });
      if (typeof r.entry !== 'string') newestLayout = layoutOf(r.entry);
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
    const layout = layoutOf(e);
    if (layout > LAYOUT) {
      problems.push({ position: p, kind: 'newer-layout', message: `entry ${p} (run ${e.runId}) was written by a newer trustpack (layout ${layout}; this version reads layouts 1 to ${LAYOUT}): upgrade trustpack to verify it` });
      continue;
    }
    if (layout < newestLayout) notices.push(`entry ${p} (run ${e.runId}) was written by an older trustpack (layout ${layout} after layout ${newestLayout}): upgrade every writer of this archive at once`);
    newestLayout = Math.max(newestLayout, layout);

    referenced.add(objectKey(e.bundle));
    referenced.add(objectKey(e.results));
    const pending = entryLimit(() => checkObjects(p, e));
    pending.catch(() => undefined); // awaited below, in order; an early failure must not go unhandled meanwhile
    objectProblems.set(p, pending);
  }
  if (since && !read.has(since.n)) {
    problems.push({ position: since.n, kind: last < since.n ? 'truncated' : 'removed', message: `the pinned head, entry ${since.n}, is not in the archive (it ends at entry ${last})` });
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
    } else if (since && want.n < since.n) {
      problems.push({ position: want.n, kind: 'altered', message: `--expect-head ${want.n} is before --since ${since.n}: give the later head` });
    } else if (!at || at.sha256 !== want.sha256) {
      problems.push({ position: want.n, kind: 'altered', message: `entry ${want.n} hashes to ${at?.sha256 || '(missing)'}, not the expected head ${want.sha256}` });
    }
  }

  // orphans need every entry's references: a verify --since does not know the earlier ones
  const orphans: string[] = [];
  if (!since) {
    for (const k of await store.list(OBJECTS)) {
      if (!referenced.has(k) && !referenced.has(k.replace(/\.gz$/, ''))) orphans.push(k);
    }
    orphans.push(...(await store.list(TEMP)));
  }

  const sorted = [...asOfs].sort();
  const gaps = sorted.length > 0 ? missingDays(utcDay(sorted[0]!), utcDay(sorted.at(-1)!), sorted) : [];
  return {
    location: archive.location,
    intact: problems.length === 0,
    entries: allKeys.length,
    head,
    ...(opts.expectHead ? { expectedHead: opts.expectHead } : {}),
    ...(since ? { since } : {}),
    immutable: store.immutable,
    problems,
    notices,
    orphans,
    gaps,
    ...(sorted.length > 0 ? { firstAsOf: sorted[0]!, lastAsOf: sorted.at(-1)! } : {}),
    hashed,
  };
}
