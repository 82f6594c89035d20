// A records file split so that unchanged evidence is stored once (docs/CONTRACTS.md, "The
// archive's guarantees"). A record's id hashes its source, which carries the time, so records
// differ every night while their `data` (what AWS answered) mostly does not. Each line is stored
// as [prefix, data sha256, suffix, id offset]: the data text is its own object, named by its
// sha256 and shared by every run that saw the same answer; the rest stays in the run's recipe.
// The id, when it is the sha256 of the line without it (a canonical record), is dropped and
// recomputed on the way back. Joining gives the exact bytes: every split is checked when it is
// made, and a file that does not split cleanly (not UTF-8, not JSON lines) is stored whole.
import { sha256Hex } from '../evidence/canonical.js';
import { MAX_DATA_BYTES } from './compress.js';

/** data shorter than this stays inline: an object of its own would cost more than it saves */
const SHARED_DATA_MIN = 64;

export interface RecipeHeader {
  recipe: 1;
  path: string;
  sha256: string;
  bytes: number;
  /** the file ends with a newline */
  newline: boolean;
  /** set when the file is stored whole, as this object */
  whole?: string;
}

/** [text before the data, the data's sha256 ('' when inline), text after it, where the id goes (-1: kept in the text)] */
type RecipeLine = [string, string, string, number];

export interface SplitFile {
  recipe: Buffer;
  /** data objects the recipe names, by sha256 */
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
  if (typeof r.id === 'string' && /^[0-9a-f]{64}$/.test(r.id)) {
    const member = `"id":"${r.id}",`;
    const j = line.indexOf(member);
    const overlapsData = start >= 0 && j + member.length > start && j < start + text.length;
    if (j >= 0 && !overlapsData) {
      const without = line.slice(0, j) + line.slice(j + member.length);
      if (sha256Hex(without) === r.id) {
        idAt = j;
        rest = without;
        if (start > j) start -= member.length;
      }
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

/** Splits one records file; `path` and its sha256 go into the recipe's header. */
export function splitRecords(path: string, bytes: Buffer): SplitFile {
  const sha256 = sha256Hex(bytes);
  const text = bytes.toString('utf8');
  const data = new Map<string, Buffer>();
  const whole = (): SplitFile => {
    const header: RecipeHeader = { recipe: 1, path, sha256, bytes: bytes.length, newline: false, whole: sha256 };
    data.clear();
    data.set(sha256, bytes);
    return { recipe: Buffer.from(JSON.stringify(header) + '\n', 'utf8'), data };
  };
  if (!Buffer.from(text, 'utf8').equals(bytes)) return whole();
  const newline = text.endsWith('\n');
  const lines = (newline ? text.slice(0, -1) : text).split('\n');
  if (text === '') lines.length = 0;
  const out: string[] = [JSON.stringify({ recipe: 1, path, sha256, bytes: bytes.length, newline } satisfies RecipeHeader)];
  for (const line of lines) {
    const split = splitLine(line, data);
    // the join is checked line by line here, so a stored recipe always rebuilds its file
    if (joinLine(split, split[1] ? data.get(split[1])!.toString('utf8') : '') !== line) return whole();
    out.push(JSON.stringify(split));
  }
  return { recipe: Buffer.from(out.join('\n') + '\n', 'utf8'), data };
}

function parseLine(text: string, where: string): RecipeLine {
  const v = JSON.parse(text) as unknown;
  if (!Array.isArray(v) || v.length !== 4 || typeof v[0] !== 'string' || typeof v[1] !== 'string' || typeof v[2] !== 'string' || !Number.isInteger(v[3])) {
    throw new Error(`${where}: a recipe line is not [prefix, sha256, suffix, offset]`);
  }
  if (v[1] !== '' && !/^[0-9a-f]{64}$/.test(v[1])) throw new Error(`${where}: a recipe line names no sha256`);
  return v as RecipeLine;
}

export function parseRecipeHeader(line: string): RecipeHeader | string {
  let h: unknown;
  try {
    h = JSON.parse(line);
  } catch {
    return 'its header is not JSON';
  }
  const r = h as Partial<RecipeHeader> | null;
  if (!r || r.recipe !== 1 || typeof r.path !== 'string' || typeof r.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(r.sha256)) return 'its header is not a recipe header';
  if (r.whole !== undefined && (typeof r.whole !== 'string' || !/^[0-9a-f]{64}$/.test(r.whole))) return 'its header names no whole-file sha256';
  return r as RecipeHeader;
}

/** Every object a recipe names (data, or the whole file), in order of first use; throws on a malformed recipe. */
export function recipeObjects(recipe: string, where: string): { header: RecipeHeader; objects: string[] } {
  const lines = recipe.split('\n');
  const header = parseRecipeHeader(lines[0] ?? '');
  if (typeof header === 'string') throw new Error(`${where}: ${header}`);
  if (header.whole) return { header, objects: [header.whole] };
  const seen = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const sha = parseLine(lines[i]!, where)[1];
    if (sha) seen.add(sha);
  }
  return { header, objects: [...seen] };
}

/** The records file a recipe describes, rebuilt from its data objects. */
export async function joinRecords(recipe: string, object: (sha256: string) => Promise<Buffer>, where: string): Promise<Buffer> {
  const lines = recipe.split('\n');
  const header = parseRecipeHeader(lines[0] ?? '');
  if (typeof header === 'string') throw new Error(`${where}: ${header}`);
  if (header.whole) return object(header.whole);
  const cache = new Map<string, string>();
  const out: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const l = parseLine(lines[i]!, where);
    let dataText = '';
    if (l[1]) {
      dataText = cache.get(l[1]) ?? (await object(l[1])).toString('utf8');
      cache.set(l[1], dataText);
    }
    out.push(joinLine(l, dataText));
  }
  const bytes = Buffer.from(out.join('\n') + (header.newline && out.length > 0 ? '\n' : ''), 'utf8');
  if (sha256Hex(bytes) !== header.sha256) throw new Error(`${where}: the rebuilt ${header.path} does not hash to ${header.sha256}`);
  return bytes;
}
