// A records file split so that unchanged evidence is stored once (docs/CONTRACTS.md, "The
// archive's guarantees"). A record's id hashes its source, which carries the time, so records
// differ every night while their `data` (what AWS answered) mostly does not. Each line is split
// into [prefix, data sha256, suffix, id offset]: the data text is stored once and shared by every
// run that saw the same answer; the rest stays in the run's recipe. The id, when it is the sha256
// of the line without it (a canonical record), is dropped and recomputed on the way back.
// Joining gives the exact bytes: every split is checked when it is made, and a file that does not
// split cleanly (not UTF-8, not JSON lines) is stored whole.
//
// Where the data lives depends on the recipe's version:
//   recipe 1 (layout 2, read only): each data text is an object of its own, named by its sha256
//   recipe 2 (layout 3): data texts are packed, many to an object (src/archive/pack.ts); the
//     header lists the packs and each line adds [pack number, offset, length] in that pack
import { provenIdMember, sha256Hex } from '../evidence/canonical.js';
import { MAX_DATA_BYTES } from './compress.js';

/** data shorter than this stays inline: a reference would cost more than it saves */
const SHARED_DATA_MIN = 64;

export interface RecipeHeader {
  recipe: 1 | 2;
  path: string;
  sha256: string;
  bytes: number;
  /** the file ends with a newline */
  newline: boolean;
  /** set when the file is stored whole, as this object */
  whole?: string;
  /** recipe 2: the pack objects the lines' data lives in, by sha256 */
  packs?: string[];
}

/** [text before the data, the data's sha256 ('' when inline), text after it, where the id goes (-1: kept in the text)] */
type RecipeLine = [string, string, string, number];
/** recipe 2, shared data: a line plus where its data is, [pack number in the header, byte offset, byte length] */
type PackedLine = [string, string, string, number, number, number, number];

/** Where a data text is stored in a pack: the pack's sha256, the byte offset and length in its uncompressed bytes. */
export type DataLocation = [pack: string, offset: number, length: number];

export interface SplitFile {
  path: string;
  sha256: string;
  bytes: number;
  newline: boolean;
  /** the file's own sha256 when it cannot be split: then it is stored whole, as that object */
  whole?: string;
  lines: RecipeLine[];
  /** the data texts the lines name, by sha256 (the whole file's bytes when `whole`) */
  data: Map<string, Buffer>;
}

function splitLine(line: string, data: Map<string, Buffer>): RecipeLine {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return [line, '', '', -1];
  }
  if (!record || typeof record !== 'object' || Array.isArray(record)) return [line, '', '', -1];
  const r = record as { data?: unknown; id?: unknown };
  let start = -1;
  let text = '';
  if (r.data !== null && typeof r.data === 'object') {
    text = JSON.stringify(r.data);
    // past the data cap the verifier reads objects under, the data stays in the recipe
    const shared = text.length >= SHARED_DATA_MIN && Buffer.byteLength(text, 'utf8') <= MAX_DATA_BYTES;
    const at = shared ? line.indexOf(`"data":${text}`) : -1;
    if (at >= 0) start = at + 7;
  }
  let idAt = -1;
  let rest = line;
  const proven = typeof r.id === 'string' && /^[0-9a-f]{64}$/.test(r.id) ? provenIdMember(line, r.id) : undefined;
  if (proven) {
    const length = line.length - proven.without.length;
    const overlapsData = start >= 0 && proven.at + length > start && proven.at < start + text.length;
    if (!overlapsData) {
      idAt = proven.at;
      rest = proven.without;
      if (start > proven.at) start -= length;
    }
  }
  if (start < 0) return [rest, '', '', idAt];
  const sha = sha256Hex(text);
  if (!data.has(sha)) data.set(sha, Buffer.from(text, 'utf8'));
  return [rest.slice(0, start), sha, rest.slice(start + text.length), idAt];
}

function joinLine(l: RecipeLine, dataText: string): string {
  const text = l[0] + dataText + l[2];
  if (l[3] < 0) return text;
  return `${text.slice(0, l[3])}"id":"${sha256Hex(text)}",${text.slice(l[3])}`;
}

/** Splits one records file into lines and the data they share; `recipeBytes` then says where the data went. */
export function splitRecords(path: string, bytes: Buffer): SplitFile {
  const sha256 = sha256Hex(bytes);
  const text = bytes.toString('utf8');
  const data = new Map<string, Buffer>();
  const newline = text.endsWith('\n');
  const whole = (): SplitFile => ({ path, sha256, bytes: bytes.length, newline: false, whole: sha256, lines: [], data: new Map([[sha256, bytes]]) });
  if (!Buffer.from(text, 'utf8').equals(bytes)) return whole();
  const lines = (newline ? text.slice(0, -1) : text).split('\n');
  if (text === '') lines.length = 0;
  const out: RecipeLine[] = [];
  for (const line of lines) {
    const split = splitLine(line, data);
    // the join is checked line by line here, so a stored recipe always rebuilds its file
    if (joinLine(split, split[1] ? data.get(split[1])!.toString('utf8') : '') !== line) return whole();
    out.push(split);
  }
  return { path, sha256, bytes: bytes.length, newline, lines: out, data };
}

/** The recipe (version 2) of a split file, each shared data text at the place `locate` gives. */
export function recipeBytes(split: SplitFile, locate: (dataSha256: string) => DataLocation): Buffer {
  const header: RecipeHeader = { recipe: 2, path: split.path, sha256: split.sha256, bytes: split.bytes, newline: split.newline };
  if (split.whole) return Buffer.from(JSON.stringify({ ...header, newline: false, whole: split.whole }) + '\n', 'utf8');
  const packs: string[] = [];
  const packNumber = new Map<string, number>();
  const body: string[] = [];
  for (const l of split.lines) {
    if (!l[1]) {
      body.push(JSON.stringify(l));
      continue;
    }
    const [pack, offset, length] = locate(l[1]);
    let k = packNumber.get(pack);
    if (k === undefined) {
      k = packs.length;
      packs.push(pack);
      packNumber.set(pack, k);
    }
    body.push(JSON.stringify([...l, k, offset, length] satisfies PackedLine));
  }
  return Buffer.from([JSON.stringify({ ...header, packs }), ...body].join('\n') + '\n', 'utf8');
}

function parseLine(text: string, header: RecipeHeader, where: string): RecipeLine | PackedLine {
  const v = JSON.parse(text) as unknown;
  if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string' || typeof v[2] !== 'string' || !Number.isInteger(v[3])) {
    throw new Error(`${where}: a recipe line is not [prefix, sha256, suffix, offset]`);
  }
  if (v[1] !== '' && !/^[0-9a-f]{64}$/.test(v[1])) throw new Error(`${where}: a recipe line names no sha256`);
  const packed = header.recipe === 2 && v[1] !== '';
  if (!packed) {
    if (v.length !== 4) throw new Error(`${where}: a recipe line is not [prefix, sha256, suffix, offset]`);
    return v as RecipeLine;
  }
  const [k, offset, length] = [v[4], v[5], v[6]] as unknown[];
  if (v.length !== 7 || !Number.isInteger(k) || !Number.isInteger(offset) || !Number.isInteger(length)
    || (k as number) < 0 || (k as number) >= (header.packs?.length ?? 0) || (offset as number) < 0 || (length as number) < 0) {
    throw new Error(`${where}: a recipe line is not [prefix, sha256, suffix, offset, pack, pack offset, length] with a pack the header lists`);
  }
  return v as PackedLine;
}

const SHA = /^[0-9a-f]{64}$/;

export function parseRecipeHeader(line: string): RecipeHeader | string {
  let h: unknown;
  try {
    h = JSON.parse(line);
  } catch {
    return 'its header is not JSON';
  }
  const r = h as Partial<RecipeHeader> | null;
  if (!r || (r.recipe !== 1 && r.recipe !== 2) || typeof r.path !== 'string' || typeof r.sha256 !== 'string' || !SHA.test(r.sha256)) return 'its header is not a recipe header';
  if (r.whole !== undefined && (typeof r.whole !== 'string' || !SHA.test(r.whole))) return 'its header names no whole-file sha256';
  if (r.recipe === 2 && !r.whole && (!Array.isArray(r.packs) || !r.packs.every((x) => typeof x === 'string' && SHA.test(x)))) return 'its header lists no packs';
  return r as RecipeHeader;
}

/** A recipe line as verification streams it: the data it names and, packed, where (undefined: malformed). */
export function recipeLineData(text: string, header: RecipeHeader): { sha: string; at?: DataLocation } | undefined {
  try {
    const l = parseLine(text, header, '');
    if (l.length === 4) return { sha: l[1] };
    return { sha: l[1], at: [header.packs![l[4]]!, l[5], l[6]] };
  } catch {
    return undefined;
  }
}

/**
 * What a recipe names: the objects holding its data (recipe 1: one per data text; the whole file)
 * and, recipe 2, where each data text is in its pack. Throws on a malformed recipe.
 */
export function recipeData(recipe: string, where: string): { header: RecipeHeader; objects: string[]; located: Map<string, DataLocation> } {
  const lines = recipe.split('\n');
  const header = parseRecipeHeader(lines[0] ?? '');
  if (typeof header === 'string') throw new Error(`${where}: ${header}`);
  const located = new Map<string, DataLocation>();
  if (header.whole) return { header, objects: [header.whole], located };
  const seen = new Set<string>(header.packs ?? []);
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const l = parseLine(lines[i]!, header, where);
    if (l.length === 7) located.set(l[1], [header.packs![l[4]]!, l[5], l[6]]);
    else if (l[1]) seen.add(l[1]);
  }
  return { header, objects: [...seen], located };
}

/**
 * The records file a recipe describes, rebuilt byte for byte. `object` gives an object's
 * uncompressed bytes, checked against its name: a data text (recipe 1) or a pack (recipe 2).
 */
export async function joinRecords(recipe: string, object: (sha256: string) => Promise<Buffer>, where: string): Promise<Buffer> {
  const lines = recipe.split('\n');
  const header = parseRecipeHeader(lines[0] ?? '');
  if (typeof header === 'string') throw new Error(`${where}: ${header}`);
  if (header.whole) return object(header.whole);
  const cache = new Map<string, string>();
  const out: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const l = parseLine(lines[i]!, header, where);
    let dataText = '';
    if (l.length === 7) {
      const pack = await object(header.packs![l[4]]!);
      if (l[5] + l[6] > pack.length) throw new Error(`${where}: a recipe line points past the end of pack ${header.packs![l[4]]}`);
      dataText = pack.toString('utf8', l[5], l[5] + l[6]);
    } else if (l[1]) {
      dataText = cache.get(l[1]) ?? (await object(l[1])).toString('utf8');
      cache.set(l[1], dataText);
    }
    out.push(joinLine([l[0], l[1], l[2], l[3]], dataText));
  }
  const bytes = Buffer.from(out.join('\n') + (header.newline && out.length > 0 ? '\n' : ''), 'utf8');
  if (sha256Hex(bytes) !== header.sha256) throw new Error(`${where}: the rebuilt ${header.path} does not hash to ${header.sha256}`);
  return bytes;
}
