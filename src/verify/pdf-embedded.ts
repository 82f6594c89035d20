// Reading a pack's embedded files without letting a hostile PDF stop verify: pdf-lib's parser
// held to what trustpack writes (no object streams, no cross-reference streams, no object
// defined twice, nothing but whitespace between objects), a cap on the number of attachments,
// unambiguous names, and streaming inflation under one budget for the whole file.
import { createInflate } from 'node:zlib';
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFParser, PDFRawStream, PDFRef, PDFString, type PDFObject } from 'pdf-lib';

/**
 * The caps, at generous multiples of what trustpack's largest packs hold (measured: the demo
 * pack inflates its 16 attachments 11x, to 1.9x the file size; a bench pack of 20,000 records
 * to 2.0x; a year of nightly runs attaches ~400 manifests). README "Verifying a pack" says them.
 */
export const LIMITS = {
  /** the file itself */
  maxInputBytes: 1024 * 1024 * 1024,
  /** embedded files in the name tree */
  maxAttachments: 10_000,
  /** all attachments together, inflated: the floor, and per byte of input above it */
  inflatedFloor: 256 * 1024 * 1024,
  inflatedPerInputByte: 32,
  /** manifest.json and results.json are parsed whole: each at most this, or 4x the input */
  jsonFloor: 32 * 1024 * 1024,
  /** one evidence record line */
  maxRecordLine: 64 * 1024 * 1024,
} as const;

export class HostilePdfError extends Error {
  override name = 'HostilePdfError';
}

const keyword = (k: string): number[] => [...k].map((c) => c.charCodeAt(0));
const XREF = keyword('xref');
const TRAILER = keyword('trailer');
const STARTXREF = keyword('startxref');
const OBJ = keyword('obj');
const TYPE = PDFName.of('Type');
const REFUSED_STREAM_TYPES = new Map([
  [PDFName.of('ObjStm'), 'an object stream'],
  [PDFName.of('XRef'), 'a cross-reference stream'],
]);

/**
 * pdf-lib's parser without its recovery of damaged files and without what trustpack never
 * writes. Between objects PDFParser steps past anything that is not an object header, xref or
 * trailer one byte at a time, trying an object header at each byte: quadratic on a run of
 * digits and ~100 s on a 46 MB pack with one damaged object header. Object streams and
 * cross-reference streams are expanded by pdf-lib as soon as they are parsed, before any cap
 * applies: they are refused the moment their dictionary is read. An object number defined
 * twice would let two readers see different files: refused too.
 */
class StrictPdfParser extends PDFParser {
  /** why the parse was refused: pdf-lib wraps errors thrown inside an object in its own */
  refusal: string | undefined;
  private readonly names = new Set<string>();
  private depth = 0;

  constructor(bytes: Uint8Array) {
    super(bytes, Infinity, true);
    // private/protected in pdf-lib's typings; called as this.<name>() inside the parser
    const self = this as unknown as {
      skipJibberish: () => void;
      parseDictOrStream: () => PDFDict | PDFRawStream;
      parseIndirectObjectHeader: () => PDFRef;
    };
    self.skipJibberish = () => this.refuseJibberish();
    const dictOrStream = self.parseDictOrStream.bind(this);
    self.parseDictOrStream = () => {
      const o = dictOrStream();
      if (o instanceof PDFRawStream) {
        const t = o.dict.get(TYPE);
        if (t instanceof PDFRef) this.refuse('a stream whose /Type is an indirect reference (trustpack never writes one)');
        const refused = t instanceof PDFName ? REFUSED_STREAM_TYPES.get(t) : undefined;
        if (refused) this.refuse(`the PDF holds ${refused} (trustpack never writes one; refused before it is expanded)`);
      }
      return o;
    };
    // pdf-lib builds names, strings and numbers one character at a time (string concatenation):
    // linear, but a 9 MB name costs seconds of garbage collection and ~700 MB. These read the
    // token's extent from the bytes first, refuse what no trustpack pack holds, and slice once.
    const lexer = self as unknown as { parseName: () => PDFName; parseString: () => PDFString; parseHexString: () => PDFHexString; parseRawNumber: () => number };
    const rawNumber = lexer.parseRawNumber.bind(this);
    lexer.parseRawNumber = () => {
      if (this.runLength(isNumberByte) > MAX_NUMBER_CHARS) this.refuse(`a number longer than ${MAX_NUMBER_CHARS} characters at offset ${this.bytes.offset()}`);
      return rawNumber();
    };
    lexer.parseName = () => {
      const start = this.bytes.offset() + 1; // after the slash
      const len = this.runLength(isNameByte, start);
      if (len > MAX_NAME_BYTES) this.refuse(`a name longer than ${MAX_NAME_BYTES} bytes at offset ${start}`);
      this.bytes.moveTo(start + len);
      const name = latin1Slice(this.raw(), start, start + len);
      // pdf-lib keeps every distinct name in a process-wide pool, ~1 us and ~200 bytes each
      if (!this.names.has(name) && this.names.add(name).size > MAX_DISTINCT_NAMES) this.refuse(`more than ${MAX_DISTINCT_NAMES} distinct names (a pack uses about 130)`);
      return PDFName.of(name);
    };
    lexer.parseHexString = () => {
      const start = this.bytes.offset() + 1; // after '<'
      const end = this.raw().indexOf(0x3e, start);
      if (end < 0) this.refuse(`an unterminated hex string at offset ${start}`);
      this.bytes.moveTo(end + 1);
      return PDFHexString.of(latin1Slice(this.raw(), start, end));
    };
    lexer.parseString = () => {
      const start = this.bytes.offset(); // at '('
      const end = literalStringEnd(this.raw(), start, MAX_LITERAL_STRING);
      if (end === -1) this.refuse(`an unbalanced literal string at offset ${start}`);
      if (end === -2) this.refuse(`a literal string longer than ${MAX_LITERAL_STRING} bytes at offset ${start}`);
      this.bytes.moveTo(end + 1);
      return PDFString.of(latin1Slice(this.raw(), start + 1, end));
    };
    // nesting: a pack's deepest object is a few levels; pdf-lib recurses, so a crafted depth
    // would end in a stack overflow reported as a generic parse error
    const nested = self as unknown as { parseArray: () => PDFArray; parseDict: () => PDFDict };
    for (const method of ['parseArray', 'parseDict'] as const) {
      const original = nested[method].bind(this) as () => PDFArray & PDFDict;
      nested[method] = () => {
        if (++this.depth > MAX_NESTING) this.refuse(`arrays or dictionaries nested deeper than ${MAX_NESTING}`);
        try {
          return original();
        } finally {
          this.depth--;
        }
      };
    }
    const header = self.parseIndirectObjectHeader.bind(this);
    self.parseIndirectObjectHeader = () => {
      const ref = header();
      if (this.context.lookup(ref) !== undefined) this.refuse(`object ${ref.objectNumber} ${ref.generationNumber} is defined twice (an incremental update, or two readings of one file)`);
      return ref;
    };
  }

  private refuseJibberish(): void {
    this.skipWhitespaceAndComments();
    if (this.bytes.done()) return;
    const at = this.bytes.offset();
    const ok = this.matchKeyword(XREF) || this.matchKeyword(TRAILER) || this.matchKeyword(STARTXREF) || this.objectHeaderFollows();
    this.bytes.moveTo(at);
    if (!ok) this.refuse(`unexpected bytes between PDF objects at offset ${at}`);
  }

  private raw(): Uint8Array {
    return (this.bytes as unknown as { bytes: Uint8Array }).bytes;
  }

  /** How many bytes from `from` (default: here) satisfy `ok`. */
  private runLength(ok: (b: number) => boolean, from = this.bytes.offset()): number {
    const raw = this.raw();
    let i = from;
    while (i < raw.length && ok(raw[i]!)) i++;
    return i - from;
  }

  private refuse(why: string): never {
    this.refusal ??= why;
    throw new HostilePdfError(why);
  }

  private objectHeaderFollows(): boolean {
    try {
      this.parseRawInt();
      this.skipWhitespaceAndComments();
      this.parseRawInt();
      this.skipWhitespaceAndComments();
      return this.matchKeyword(OBJ);
    } catch {
      return false;
    }
  }
}

// PDF's own implementation limit for names is 127 bytes; strings in a pack's dictionaries are
// titles and file names (the signature's hex string is not a literal string)
const MAX_NAME_BYTES = 127;
const MAX_DISTINCT_NAMES = 4096;
const MAX_NESTING = 64;
const MAX_NUMBER_CHARS = 32;
const MAX_LITERAL_STRING = 1024 * 1024;
const isNumberByte = (b: number): boolean => (b >= 0x30 && b <= 0x39) || b === 0x2e || b === 0x2b || b === 0x2d;
// not whitespace (NUL, HT, LF, FF, CR, SP) and not a delimiter ( ) < > [ ] { } / %
const NOT_NAME = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
const isNameByte = (b: number): boolean => !NOT_NAME.has(b);

/** A byte range as Latin-1 text, in one allocation (pdf-lib's objects hold bytes as char codes 0-255). */
function latin1Slice(raw: Uint8Array, start: number, end: number): string {
  return Buffer.from(raw.buffer, raw.byteOffset + start, end - start).toString('latin1');
}

/** Index of the ')' closing the literal string opened at `start`, -1 if unbalanced, -2 if longer than `max`. */
function literalStringEnd(raw: Uint8Array, start: number, max: number): number {
  let depth = 0;
  let escaped = false;
  const stop = Math.min(raw.length, start + max + 2);
  for (let i = start; i < stop; i++) {
    const b = raw[i]!;
    if (!escaped) {
      if (b === 0x28) depth++;
      else if (b === 0x29 && --depth === 0) return i;
    }
    escaped = b === 0x5c ? !escaped : false;
  }
  return stop < raw.length ? -2 : -1;
}

export interface EmbeddedFile {
  name: string;
  stream: PDFRawStream;
}

const NAME_TREE_DEPTH = 16;

/**
 * The catalog's /Names /EmbeddedFiles name tree, in order. Throws HostilePdfError (or pdf-lib's
 * own parse errors) for anything trustpack would not write: duplicate names, one file spec or
 * stream under two names, more than LIMITS.maxAttachments entries, a deep or looping tree.
 */
export async function listEmbeddedFiles(buf: Buffer): Promise<EmbeddedFile[]> {
  const parser = new StrictPdfParser(buf);
  let context;
  try {
    context = await parser.parseDocument();
  } catch (e) {
    if (parser.refusal) throw new HostilePdfError(parser.refusal);
    throw e;
  }
  if (context.trailerInfo.Encrypt) throw new HostilePdfError('the PDF is encrypted');
  const catalog = context.lookup(context.trailerInfo.Root);
  const names = catalog instanceof PDFDict ? catalog.lookup(PDFName.of('Names')) : undefined;
  const tree = names instanceof PDFDict ? names.lookup(PDFName.of('EmbeddedFiles')) : undefined;
  const files: EmbeddedFile[] = [];
  if (!(tree instanceof PDFDict)) return files;
  const seenNodes = new Set<PDFDict>();
  const seenNames = new Set<string>();
  const seenObjects = new Set<PDFObject>();
  const walk = (node: PDFDict, depth: number): void => {
    if (depth > NAME_TREE_DEPTH) throw new HostilePdfError('the EmbeddedFiles name tree is too deep');
    if (seenNodes.has(node)) throw new HostilePdfError('the EmbeddedFiles name tree has a loop');
    seenNodes.add(node);
    const pairs = node.lookup(PDFName.of('Names'));
    if (pairs instanceof PDFArray) {
      for (let i = 0; i + 1 < pairs.size(); i += 2) {
        if (files.length >= LIMITS.maxAttachments) throw new HostilePdfError(`more than ${LIMITS.maxAttachments} attachments`);
        const key = pairs.lookup(i);
        const spec = pairs.lookup(i + 1);
        if (!(key instanceof PDFString || key instanceof PDFHexString) || !(spec instanceof PDFDict)) throw new HostilePdfError('an EmbeddedFiles entry is not a name and a file specification');
        const name = key.decodeText();
        const ef = spec.lookup(PDFName.of('EF'));
        const stream = ef instanceof PDFDict ? ef.lookup(PDFName.of('F')) : undefined;
        if (!(stream instanceof PDFRawStream)) throw new HostilePdfError(`attachment ${name} has no embedded stream`);
        // one name, one file: so that verify and any other reader (pdfdetach) see the same set
        if (seenNames.has(name)) throw new HostilePdfError(`two attachments are named ${name}`);
        if (seenObjects.has(spec) || seenObjects.has(stream)) throw new HostilePdfError(`attachment ${name} shares its file with another name`);
        seenNames.add(name);
        seenObjects.add(spec);
        seenObjects.add(stream);
        files.push({ name, stream });
      }
    }
    const kids = node.lookup(PDFName.of('Kids'));
    if (kids instanceof PDFArray) {
      for (let i = 0; i < kids.size(); i++) {
        const kid = kids.lookup(i);
        if (kid instanceof PDFDict) walk(kid, depth + 1);
      }
    }
  };
  walk(tree, 0);
  return files;
}

/** Bytes that all attachments together may still inflate to. */
export class InflateBudget {
  remaining: number;
  constructor(inputBytes: number) {
    this.remaining = Math.max(LIMITS.inflatedFloor, LIMITS.inflatedPerInputByte * inputBytes);
  }
}

/**
 * The decoded bytes of an embedded file stream, chunk by chunk (FlateDecode or no filter, as
 * pdfkit writes them), so that a compression bomb never sits in memory and stops at the
 * budget. node:zlib rather than pdf-lib's decoder: faster, and it streams.
 */
export async function* decodedChunks(file: EmbeddedFile, budget: InflateBudget): AsyncGenerator<Buffer> {
  const filter = file.stream.dict.lookup(PDFName.of('Filter'));
  if (file.stream.dict.has(PDFName.of('DecodeParms'))) throw new HostilePdfError(`attachment ${file.name} has decode parameters (trustpack never writes them)`);
  const raw = file.stream.getContents();
  const data = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const take = (n: number): void => {
    budget.remaining -= n;
    if (budget.remaining < 0) throw new HostilePdfError(`the attachments inflate to more than the cap of ${LIMITS.inflatedPerInputByte}x the file size (at least ${LIMITS.inflatedFloor / 1048576} MiB); refused as a compression bomb`);
  };
  if (filter === undefined) {
    take(data.length);
    yield data;
    return;
  }
  if (filter !== PDFName.of('FlateDecode')) throw new HostilePdfError(`attachment ${file.name} has an unsupported stream filter (FlateDecode only)`);
  const inflater = createInflate({ chunkSize: 1 << 20 });
  inflater.end(data);
  try {
    for await (const chunk of inflater) {
      take((chunk as Buffer).length);
      yield chunk as Buffer;
    }
  } catch (e) {
    if (e instanceof HostilePdfError) throw e;
    throw new HostilePdfError(`attachment ${file.name} does not inflate: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    inflater.destroy();
  }
}

/** The whole decoded file, for the few attachments that are parsed whole (at most `cap` bytes). */
export async function decodeWhole(file: EmbeddedFile, budget: InflateBudget, cap: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of decodedChunks(file, budget)) {
    n += c.length;
    if (n > cap) throw new HostilePdfError(`${file.name} is larger than ${Math.round(cap / 1048576)} MiB`);
    parts.push(c);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
}
