// An archive entry: the small JSON that chains one run to the one before it.
import { sha256Hex } from '../evidence/canonical.js';

/** The last entry of a chain: its number and sha256 (`archive verify --expect-head SHA256:N`). */
export interface Head {
  n: number;
  sha256: string;
}

/** The storage layout this version writes; it reads this one and layouts 1 and 2. */
export const LAYOUT = 3;

export interface ArchiveEntry {
  formatVersion: 1;
  /**
   * how the run's files are stored: absent (layout 1) every file whole, uncompressed, under
   * objects/<sha256>; 2: records files as recipes and shared data, every object gzip-compressed
   * under objects/<sha256>.gz (src/archive/recipe.ts); 3: as 2, but the record data a run stores
   * first goes into a few pack objects (src/archive/pack.ts), which recipes point into
   */
  layout?: number;
  /** layouts 2 and 3: per records file of the manifest, the sha256 of the recipe that rebuilds it */
  recipes?: Record<string, string>;
  /** the streak index after this run (src/history/run-index.ts); absent before layout 2 */
  index?: string;
  /** position in the chain, from 1 */
  n: number;
  runId: string;
  /** when the state was observed: a live run's start, a backfilled run's as-of time */
  asOf: string;
  source: 'live' | 'config-history';
  accounts: string[];
  regions: string[];
  /** present when the bundle is one shard of an estate */
  shard?: { k: number; n: number; accountsDigest?: string };
  /** sha256 of the bundle's manifest.json, which lists the sha256 of every other file */
  bundle: string;
  /** sha256 of the results evaluated when the run was archived */
  results: string;
  /** digest of the catalog (controls and parameters) those results were evaluated with */
  catalog: string;
  /** sha256 of entry n-1's bytes; null for the first entry */
  previous: string | null;
  appendedAt: string;
  tool: string;
}

/** An entry as read back, with where it was and the sha256 of its exact bytes. */
export interface StoredEntry {
  key: string;
  sha256: string;
  entry: ArchiveEntry;
}

export const ENTRIES = 'entries/';
export const OBJECTS = 'objects/';
export const TEMP = 'tmp/';

export const entryKey = (n: number) => `${ENTRIES}${String(n).padStart(8, '0')}.json`;
export const objectKey = (sha256: string) => `${OBJECTS}${sha256}`;
/** where layouts 2 and 3 store an object: gzip-compressed, still named by the uncompressed bytes' sha256 */
export const gzObjectKey = (sha256: string) => `${OBJECTS}${sha256}.gz`;
/** the layout an entry was written with (absent: 1) */
export const layoutOf = (e: ArchiveEntry): number => e.layout ?? 1;

/** The number in entries/<N>.json, or undefined for any other name. */
export function entryNumber(key: string): number | undefined {
  const m = /^entries\/(\d{8,})\.json$/.exec(key);
  // a number past 2^53 cannot be a position anyone appended to: a foreign name, not a loop bound
  return m && Number.isSafeInteger(Number(m[1])) ? Number(m[1]) : undefined;
}

export function entryBytes(entry: ArchiveEntry): Buffer {
  return Buffer.from(JSON.stringify(entry, null, 2) + '\n', 'utf8');
}

const SHA = /^[0-9a-f]{64}$/;

/** Parses an entry; a string names what is wrong with it. */
export function parseEntry(bytes: Buffer): ArchiveEntry | string {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'not valid JSON';
  }
  if (!v || typeof v !== 'object') return 'not an object';
  const e = v as Record<string, unknown>;
  if (e['formatVersion'] !== 1) return `formatVersion ${JSON.stringify(e['formatVersion'])} (this version reads 1)`;
  if (!Number.isInteger(e['n']) || (e['n'] as number) < 1) return 'n must be a whole number from 1';
  for (const k of ['runId', 'asOf', 'source', 'appendedAt', 'catalog']) if (typeof e[k] !== 'string') return `${k} must be a string`;
  // the times are read as dates (gaps, history): one that is not a time is this entry's fault
  for (const k of ['asOf', 'appendedAt']) if (Number.isNaN(Date.parse(e[k] as string))) return `${k} must be an ISO 8601 time, got ${JSON.stringify(e[k]).slice(0, 60)}`;
  for (const k of ['bundle', 'results']) if (typeof e[k] !== 'string' || !SHA.test(e[k])) return `${k} must be a sha256`;
  if (e['previous'] !== null && (typeof e['previous'] !== 'string' || !SHA.test(e['previous']))) return 'previous must be a sha256 or null';
  if (!Array.isArray(e['accounts']) || !Array.isArray(e['regions'])) return 'accounts and regions must be lists';
  if (e['layout'] !== undefined && (!Number.isInteger(e['layout']) || (e['layout'] as number) < 2)) return 'layout must be a whole number from 2';
  // a newer layout is read no further here: `archive verify` says which trustpack wrote it
  if ((e['layout'] as number | undefined ?? 1) > LAYOUT) return v as ArchiveEntry;
  if (e['layout'] !== undefined) {
    const recipes = e['recipes'];
    if (!recipes || typeof recipes !== 'object' || Array.isArray(recipes)) return 'recipes must map each records file to a sha256';
    for (const [path, sha] of Object.entries(recipes)) {
      if (!/^records\/[a-z0-9][a-z0-9.-]*\.jsonl$/.test(path) || typeof sha !== 'string' || !SHA.test(sha)) return `recipes: ${path} must be records/<collector>.jsonl with a sha256`;
    }
    if (e['index'] !== undefined && (typeof e['index'] !== 'string' || !SHA.test(e['index']))) return 'index must be a sha256';
  }
  return v as ArchiveEntry;
}

export const sha256Of = (bytes: Uint8Array) => sha256Hex(bytes);

/** The head as printed and as given to --expect-head: SHA256:N. */
export function formatHead(h: { sha256: string; n: number }): string {
  return `${h.sha256}:${h.n}`;
}

export function parseHead(text: string): { sha256: string; n: number } | undefined {
  const m = /^([0-9a-f]{64}):(\d+)$/.exec(text.trim().toLowerCase());
  return m ? { sha256: m[1]!, n: Number(m[2]) } : undefined;
}
