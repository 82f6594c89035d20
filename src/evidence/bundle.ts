// The evidence bundle on disk: `manifest.json` and `records/<collector-id>.jsonl`.
// bundleFiles() is the single source of the bytes: writeBundle writes them, the report embeds
// them in the pack, and readBundle checks every file against the manifest and every record
// against its id, so a changed byte anywhere is found and named.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../util/errors.js';
import { cannotWrite, sweepStaleTemps, tempSibling } from '../util/atomic.js';
import { canonicalJsonOfData, provenIdMember, recordLine, sha256Hex } from './canonical.js';
import type { Collection, EvidenceBundle, EvidenceRecord, Manifest, ManifestFile } from './model.js';

/** An unreadable or tampered bundle (exit 2): the message names the file and the problem. */
export class BundleError extends UsageError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'BundleError';
  }
}

export const MANIFEST_FILE = 'manifest.json';
const COLLECTOR_ID = /^[a-z0-9][a-z0-9.-]*$/;

export function recordsPath(collector: string): string {
  if (!COLLECTOR_ID.test(collector)) throw new BundleError(`invalid collector id "${collector}" in evidence`);
  return `records/${collector}.jsonl`;
}

/** The exact bytes of every file of the bundle: records files (sorted), then manifest.json. */
export function bundleFiles(bundle: EvidenceBundle): { path: string; bytes: Buffer }[] {
  const byCollector = new Map<string, EvidenceRecord[]>();
  // A collector that ran fine and found nothing still gets its (empty) file: "none" is evidence.
  for (const c of bundle.manifest.collections) {
    if (c.status === 'ok' && !byCollector.has(c.collector)) byCollector.set(c.collector, []);
  }
  for (const r of bundle.records) {
    const list = byCollector.get(r.collector);
    if (list) list.push(r);
    else byCollector.set(r.collector, [r]);
  }
  const files: { path: string; bytes: Buffer }[] = [];
  const entries: ManifestFile[] = [];
  for (const collector of [...byCollector.keys()].sort()) {
    const records = [...(byCollector.get(collector) ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const bytes = Buffer.from(records.map((r) => recordLine(r) + '\n').join(''), 'utf8');
    const path = recordsPath(collector);
    files.push({ path, bytes });
    entries.push({ path, sha256: sha256Hex(bytes), bytes: bytes.length, records: records.length });
  }
  const manifest = orderedManifest({ ...bundle.manifest, files: entries });
  files.push({ path: MANIFEST_FILE, bytes: Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8') });
  return files;
}

/** The bytes of manifest.json for a manifest whose files[] is filled (as bundleFiles writes it). */
export function manifestBytes(manifest: Manifest): Buffer {
  return Buffer.from(JSON.stringify(orderedManifest(manifest), null, 2) + '\n', 'utf8');
}

/**
 * A bundle's manifest, checked, and every file it lists checked against its sha256 and size,
 * without parsing the records (merge concatenates them as they are). Returns the manifest and
 * the sha256 of manifest.json.
 */
export async function readVerifiedManifest(dir: string): Promise<{ manifest: Manifest; sha256: string }> {
  const read = await readManifestOf(dir);
  for (const file of read.manifest.files) {
    const path = join(dir, file.path);
    const data = await readFile(path).catch(() => { throw new BundleError(`${path}: listed in the manifest but missing`); });
    if (data.length !== file.bytes || sha256Hex(data) !== file.sha256) throw fileChanged(path);
  }
  return read;
}

/** The error for a bundle file whose bytes are not what its manifest says. */
export function fileChanged(path: string): BundleError {
  return new BundleError(`${path}: sha256 does not match the manifest (the file was changed after collection)`);
}

/** A bundle's manifest, checked and hashed; its files are not read (a caller that streams them checks them). */
export async function readManifestOf(dir: string): Promise<{ manifest: Manifest; sha256: string }> {
  const manifestPath = join(dir, MANIFEST_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(manifestPath);
  } catch (err) {
    throw new BundleError(`${manifestPath}: missing or unreadable manifest (${(err as NodeJS.ErrnoException).code ?? 'error'}); is ${dir} an evidence bundle?`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new BundleError(`${manifestPath}: not valid JSON (${(err as Error).message.replace(/\s+/g, ' ')})`);
  }
  const manifest = checkManifest(raw, manifestPath);
  return { manifest, sha256: sha256Hex(bytes) };
}

/**
 * The manifest with its keys in one fixed order, so the same manifest read back from disk
 * serialises to the same bytes (the pack embeds them; verify compares hashes).
 */
function orderedManifest(m: Manifest): Manifest {
  const known = ['formatVersion', 'runId', 'tool', 'caller', 'accounts', 'regions', 'startedAt', 'endedAt', 'collections', 'files'];
  const out: Record<string, unknown> = {
    formatVersion: m.formatVersion,
    runId: m.runId,
    tool: { name: m.tool.name, version: m.tool.version },
  };
  if (m.caller) {
    out['caller'] = { account: m.caller.account, arn: m.caller.arn, ...(m.caller.userId !== undefined ? { userId: m.caller.userId } : {}) };
  }
  out['accounts'] = m.accounts;
  out['regions'] = m.regions;
  out['startedAt'] = m.startedAt;
  out['endedAt'] = m.endedAt;
  out['collections'] = m.collections.map(orderedCollection);
  out['files'] = m.files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes, ...(f.records !== undefined ? { records: f.records } : {}) }));
  // fields a later version adds keep their place after the known ones
  for (const [k, v] of Object.entries(m)) if (!known.includes(k) && v !== undefined) out[k] = v;
  return out as unknown as Manifest;
}

function orderedCollection(c: Collection): Collection {
  return {
    collector: c.collector, account: c.account, region: c.region, status: c.status,
    ...(c.error ? { error: { code: c.error.code, message: c.error.message } } : {}),
    calls: c.calls, records: c.records, ...(c.resourceErrors ? { resourceErrors: c.resourceErrors } : {}),
    startedAt: c.startedAt, endedAt: c.endedAt,
  };
}

export interface WriteBundleOptions {
  /** replace a non-empty folder at `dir` */
  overwrite?: boolean;
  /** stop before the rename; the temporary folder is removed and nothing appears at `dir` */
  signal?: AbortSignal;
  /** called after each file is written to the temporary folder (progress; tests interrupt here) */
  onFileWritten?: (path: string) => void | Promise<void>;
}

/**
 * Writes the bundle to a temporary sibling folder, then renames it to `dir`: a reader, or a
 * run killed half-way, never finds a partial bundle at `dir`.
 */
export async function writeBundle(
  bundle: EvidenceBundle, dir: string, opts: WriteBundleOptions = {},
): Promise<{ dir: string; manifest: Manifest }> {
  const target = resolve(dir);
  const existing = await dirState(target);
  if (existing === 'file') throw new BundleError(`${dir} exists and is not a folder`);
  if (existing === 'non-empty' && !opts.overwrite) {
    throw new BundleError(`${dir} already exists and is not empty; choose another folder or overwrite it`);
  }
  const files = bundleFiles(bundle);
  await mkdir(dirname(target), { recursive: true });
  await sweepStaleTemps(target);
  const tmp = tempSibling(target);
  try {
    await mkdir(join(tmp, 'records'), { recursive: true });
    for (const f of files) {
      opts.signal?.throwIfAborted();
      await writeFile(join(tmp, f.path), f.bytes);
      await opts.onFileWritten?.(f.path);
    }
    opts.signal?.throwIfAborted();
    if (existing === 'missing') {
      await rename(tmp, target);
    } else if (existing === 'empty') {
      await rm(target, { recursive: true, force: true });
      await rename(tmp, target);
    } else {
      // overwrite: move the old bundle aside first so the final path never holds a mix
      const old = tempSibling(target);
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err instanceof Error && err.name === 'AbortError' ? err : cannotWrite(dir, err);
  }
  const manifestBytes = files[files.length - 1]!.bytes;
  return { dir: target, manifest: JSON.parse(manifestBytes.toString('utf8')) as Manifest };
}

async function dirState(path: string): Promise<'missing' | 'empty' | 'non-empty' | 'file'> {
  try {
    const s = await stat(path);
    if (!s.isDirectory()) return 'file';
    return (await readdir(path)).length === 0 ? 'empty' : 'non-empty';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
}

/** Reads a bundle and verifies it: every file's sha256 and size, every record's id. */
export async function readBundle(dir: string): Promise<EvidenceBundle> {
  const manifest = await readCheckedManifest(dir);
  const records: EvidenceRecord[] = [];
  for (const file of manifest.files) for (const r of await readRecordsFile(dir, file)) records.push(r);
  await checkNoUnlistedFiles(dir, manifest);
  return { manifest, records };
}

/** manifest.json read and checked, with the messages `evaluate` has always given. */
async function readCheckedManifest(dir: string): Promise<Manifest> {
  const manifestPath = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new BundleError(`${manifestPath}: missing manifest (is ${dir} an evidence bundle from \`trustpack collect\`?)`);
    }
    throw new BundleError(`${manifestPath}: cannot read (${code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // one line: JSON.parse quotes the text around the error, newlines included
    throw new BundleError(`${manifestPath}: not valid JSON (${(err as Error).message.replace(/\s+/g, ' ')})`);
  }
  return checkManifest(raw, manifestPath);
}

/**
 * A bundle read one collector's file at a time (`check` and `evaluate` at estate size): the
 * manifest is checked and every unlisted file refused up front; each records file is checked
 * against its sha256 and every record against its id when it is read, as readBundle does.
 */
export async function openBundle(dir: string): Promise<OpenedBundle> {
  const manifest = await readCheckedManifest(dir);
  await checkNoUnlistedFiles(dir, manifest);
  const read = new Set<string>();
  return {
    manifest,
    async records(collector) {
      const file = manifest.files.find((f) => f.path === `records/${collector}.jsonl`);
      if (!file) return [];
      read.add(file.path);
      return readRecordsFile(dir, file);
    },
    async checkUnread() {
      for (const file of manifest.files) if (!read.has(file.path)) await readRecordsFile(dir, file);
    },
  };
}

export interface OpenedBundle {
  manifest: Manifest;
  /** one collector's records, checked, in id order ([] when the bundle has no file for it) */
  records(collector: string): Promise<EvidenceRecord[]>;
  /** checks every file records() was not asked for, as readBundle would have */
  checkUnread(): Promise<void>;
}

/** One records file, checked against the manifest (size, sha256, count) and record by record (types, collector, id); in id order. */
async function readRecordsFile(dir: string, file: ManifestFile): Promise<EvidenceRecord[]> {
  const path = join(dir, file.path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new BundleError(`${path}: listed in the manifest but missing`);
  }
  if (bytes.length !== file.bytes || sha256Hex(bytes) !== file.sha256) {
    throw new BundleError(`${path}: sha256 does not match the manifest (the file was changed after collection)`);
  }
  const collector = basename(file.path, '.jsonl');
  const lines = bytes.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const ids = new Set<string>();
  const fileRecords: EvidenceRecord[] = [];
  lines.forEach((line, i) => {
    const where = `${path}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new BundleError(`${where}: bad JSON at line ${i + 1}`);
    }
    const record = checkRecord(value, where);
    if (record.collector !== collector) {
      throw new BundleError(`${where}: record of collector "${record.collector}" in the file of "${collector}"`);
    }
    // trustpack writes canonical lines, proven by one hash; only a line written another way is canonicalised
    if (!provenIdMember(line, record.id)) {
      const { id: _id, ...draft } = record;
      // parsed JSON is plain data already: hash it without the normalising copy
      if (sha256Hex(canonicalJsonOfData(draft)) !== record.id) throw new BundleError(`${where}: record id mismatch at line ${i + 1}`);
    }
    // a record's id hashes its collector, so a duplicate can only be within one file
    if (ids.has(record.id)) throw new BundleError(`${where}: duplicate record ${record.id}`);
    ids.add(record.id);
    fileRecords.push(record);
  });
  // in id order whatever the file's (streamed and merged bundles keep the order they were written in)
  fileRecords.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (file.records !== undefined && file.records !== lines.length) {
    throw new BundleError(`${path}: ${lines.length} records, the manifest says ${file.records}`);
  }
  return fileRecords;
}

/** A records file the manifest does not list was added after collection. */
async function checkNoUnlistedFiles(dir: string, manifest: Manifest): Promise<void> {
  const listed = new Set(manifest.files.map((f) => f.path));
  const extra = await readdir(join(dir, 'records')).catch(() => [] as string[]);
  for (const name of extra) {
    if (name.endsWith('.jsonl') && !listed.has(`records/${name}`)) {
      throw new BundleError(`${join(dir, 'records', name)}: not listed in the manifest`);
    }
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function checkManifest(v: unknown, where: string): Manifest {
  const bad = (what: string): never => {
    throw new BundleError(`${where}: wrong types: ${what}`);
  };
  if (!isObj(v)) return bad('the manifest is not an object');
  if (v['formatVersion'] !== 1) bad(`formatVersion ${JSON.stringify(v['formatVersion'])} (this version reads 1)`);
  if (!isStr(v['runId'])) bad('runId must be a string');
  const tool = v['tool'];
  if (!isObj(tool) || tool['name'] !== 'trustpack' || !isStr(tool['version'])) bad('tool must be {name: "trustpack", version}');
  const caller = v['caller'];
  if (caller !== undefined && (!isObj(caller) || !isStr(caller['account']) || !isStr(caller['arn']))) bad('caller must be {account, arn}');
  if (!isStrArray(v['accounts'])) bad('accounts must be a list of strings');
  if (!isStrArray(v['regions'])) bad('regions must be a list of strings');
  if (!isStr(v['startedAt']) || !isStr(v['endedAt'])) bad('startedAt and endedAt must be strings');
  const collections = v['collections'];
  if (!Array.isArray(collections)) return bad('collections must be a list');
  collections.forEach((c, i) => {
    if (!isObj(c) || !isStr(c['collector']) || !isStr(c['account']) || !isStr(c['region'])
      || (c['status'] !== 'ok' && c['status'] !== 'error') || !isCount(c['calls']) || !isCount(c['records'])
      || !isStr(c['startedAt']) || !isStr(c['endedAt'])) {
      bad(`collections[${i}] must be {collector, account, region, status: ok|error, calls, records, startedAt, endedAt}`);
    }
    const e = (c as Obj)['error'];
    if (e !== undefined && (!isObj(e) || !isStr(e['code']) || !isStr(e['message']))) bad(`collections[${i}].error must be {code, message}`);
    const re = (c as Obj)['resourceErrors'];
    if (re !== undefined && !isCount(re)) bad(`collections[${i}].resourceErrors must be a count`);
  });
  const files = v['files'];
  if (!Array.isArray(files)) return bad('files must be a list');
  files.forEach((f, i) => {
    if (!isObj(f) || !isStr(f['path']) || !isStr(f['sha256']) || !isCount(f['bytes'])
      || (f['records'] !== undefined && !isCount(f['records']))) {
      bad(`files[${i}] must be {path, sha256, bytes, records}`);
    }
    const path = (f as Obj)['path'] as string;
    // only records/<collector>.jsonl: a manifest cannot make us read outside the bundle
    if (!/^records\/[a-z0-9][a-z0-9.-]*\.jsonl$/.test(path) || path.includes('..')) bad(`files[${i}].path "${path}" is not records/<collector>.jsonl`);
  });
  return v as unknown as Manifest;
}

function checkRecord(v: unknown, where: string): EvidenceRecord {
  const bad = (what: string): never => {
    throw new BundleError(`${where}: wrong types: ${what}`);
  };
  if (!isObj(v)) return bad('a record must be an object');
  for (const k of ['id', 'collector', 'resourceType', 'resource']) if (!isStr(v[k])) bad(`record.${k} must be a string`);
  if (!('data' in v)) bad('record.data is missing');
  const s = v['source'];
  if (!isObj(s)) return bad('record.source must be an object');
  for (const k of ['service', 'operation', 'region', 'account', 'time']) if (!isStr(s[k])) bad(`record.source.${k} must be a string`);
  if (!isObj(s['parameters'])) bad('record.source.parameters must be an object');
  if (s['derivedFrom'] !== undefined && !isStrArray(s['derivedFrom'])) bad('record.source.derivedFrom must be a list of ids');
  const e = v['error'];
  if (e !== undefined && (!isObj(e) || !isStr(e['operation']) || !isStr(e['code']) || !isStr(e['message'])
    || (e['fields'] !== undefined && !isStrArray(e['fields'])))) {
    bad('record.error must be {operation, code, message, fields?}');
  }
  if (v['owner'] !== undefined && !isStr(v['owner'])) bad('record.owner must be an account id');
  return v as unknown as EvidenceRecord;
}
