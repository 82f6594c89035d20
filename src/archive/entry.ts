// An archive entry: the small JSON that chains one run to the one before it.
import { sha256Hex } from '../evidence/canonical.js';

/** The last entry of a chain: its number and sha256 (`archive verify --expect-head SHA256:N`). */
export interface Head {
  n: number;
  sha256: string;
}

export interface ArchiveEntry {
  formatVersion: 1;
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
