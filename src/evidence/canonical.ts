// Canonical JSON (RFC 8785) and the content ids of evidence records.
// A record's id is the sha256 of the canonical JSON of its draft, so the same evidence always
// has the same id and a finding can point at exactly the record that decided it.
import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import type { EvidenceRecord, EvidenceRecordDraft } from './model.js';

// canonicalize is CommonJS (`module.exports = fn`); its typings declare a default export, so
// depending on the interop the function is the import itself or its `default`.
const canonicalize: (input: unknown) => string | undefined =
  typeof canonicalizeModule === 'function'
    ? (canonicalizeModule)
    : (canonicalizeModule).default;

/** RFC 8785 canonical JSON of `value` after {@link toJsonData}. */
export function canonicalJson(value: unknown): string {
  return canonicalJsonOfData(toJsonData(value));
}

/**
 * RFC 8785 canonical JSON of a value that already is plain JSON data (a record made by
 * toRecord or read from a bundle): skips the normalising copy, which costs as much as the
 * serialisation itself on large collections.
 */
export function canonicalJsonOfData(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Plain JSON data from what the SDK returns: Dates become ISO strings, `$metadata` (request ids,
 * attempts: transport details, not evidence) and undefined values are dropped, bytes become
 * base64. Throws on values JSON cannot hold (NaN, Infinity, bigint beyond safe range, cycles).
 */
export function toJsonData(value: unknown): unknown {
  return normalise(value, []);
}

// `open`: the objects being copied, outermost first (a cycle is one met again). A short array,
// not a Set: evidence nests a few levels deep, and a Set pays a hash per object of every record.
function normalise(value: unknown, open: object[]): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be held in JSON evidence`);
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  const obj = value;
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw new TypeError('invalid date in evidence');
    return obj.toISOString();
  }
  if (obj instanceof Uint8Array) return Buffer.from(obj).toString('base64');
  if (open.includes(obj)) throw new TypeError('circular structure in evidence');
  open.push(obj);
  try {
    if (Array.isArray(obj)) {
      // JSON has no holes or undefined in arrays: they become null, as JSON.stringify does.
      return obj.map((item) => {
        const n = normalise(item, open);
        return n === undefined ? null : n;
      });
    }
    const out: Record<string, unknown> = {};
    const source = obj as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      if (key === '$metadata') continue;
      const n = normalise(source[key], open);
      if (n === undefined) continue;
      // `out['__proto__'] = n` would set the copy's prototype and drop a key the evidence has
      // (JSON.parse makes `__proto__` an own key); assignment stays for the rest, being faster
      if (key === '__proto__') Object.defineProperty(out, key, { value: n, enumerable: true, writable: true, configurable: true });
      else out[key] = n;
    }
    return out;
  } finally {
    open.pop();
  }
}

/** The id of a record: sha256 of the canonical JSON of the draft (without any `id`). */
export function recordId(draft: EvidenceRecordDraft): string {
  const { id: _ignored, ...rest } = draft as EvidenceRecordDraft & { id?: unknown };
  return sha256Hex(canonicalJson(rest));
}

// The canonical line of each record toRecord made, so writing the bundle does not serialise
// every record a second time. Records are immutable once made (nothing in trustpack changes one).
const lines = new WeakMap<EvidenceRecord, string>();
const DRAFT_KEYS = ['collector', 'data', 'resource', 'resourceType', 'source'];

/** A record holding plain JSON data, with its id. */
export function toRecord(draft: EvidenceRecordDraft): EvidenceRecord {
  const { id: _ignored, ...rest } = draft as EvidenceRecordDraft & { id?: unknown };
  const data = toJsonData(rest) as EvidenceRecordDraft;
  const keys = Object.keys(data).sort();
  if (keys.length !== DRAFT_KEYS.length || keys.some((k, i) => k !== DRAFT_KEYS[i])) {
    return { ...data, id: sha256Hex(canonicalJsonOfData(data)) };
  }
  // Canonical JSON sorts keys, and `id` falls between `data` and `resource`: serialise the parts
  // once and build both the draft (hashed for the id) and the record line from them.
  const head = `{"collector":${canonicalJsonOfData(data.collector)},"data":${canonicalJsonOfData(data.data)},`;
  const tail = `"resource":${canonicalJsonOfData(data.resource)},"resourceType":${canonicalJsonOfData(data.resourceType)},"source":${canonicalJsonOfData(data.source)}}`;
  const id = sha256Hex(head + tail);
  const record: EvidenceRecord = { ...data, id };
  lines.set(record, `${head}"id":"${id}",${tail}`);
  return record;
}

/**
 * Where a record line's `"id":"…",` member is, when the line without it hashes to `id`: then that
 * text IS the canonical draft the id was made from (sha256 has no known collisions), so the id is
 * proven without re-serialising the record. Undefined when not (a line written another way, or
 * the member found in the wrong place): the caller canonicalises, or keeps the line as it is.
 */
export function provenIdMember(line: string, id: string): { at: number; without: string } | undefined {
  const member = `"id":"${id}",`;
  const at = line.indexOf(member);
  if (at <= 0) return undefined;
  const without = line.slice(0, at) + line.slice(at + member.length);
  return sha256Hex(without) === id ? { at, without } : undefined;
}

/** The canonical JSON of a record (one line of a bundle's records file). */
export function recordLine(record: EvidenceRecord): string {
  return lines.get(record) ?? canonicalJsonOfData(record);
}
