// Just enough of a PDF reader to find the signature dictionary and read the embedded files
// back: xref table (or a scan for "n g obj" when it is damaged), direct objects, streams,
// the EmbeddedFiles name tree. Works on the Buffer in place; parses only what it is asked for.
import { inflateSync } from 'node:zlib';

export class PdfParseError extends Error {
  override name = 'PdfParseError';
}

export type PdfValue = null | boolean | number | string | PdfName | PdfRef | PdfValue[] | PdfDict | Buffer;
export class PdfName {
  constructor(readonly name: string) {}
}
export class PdfRef {
  constructor(readonly num: number, readonly gen: number) {}
}
export type PdfDict = Map<string, PdfValue>;

const WS = new Set([0, 9, 10, 12, 13, 32]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

export class PdfReader {
  private offsets = new Map<number, number>();
  readonly trailer: PdfDict;

  constructor(readonly buf: Buffer) {
    let trailer: PdfDict | undefined;
    try {
      trailer = this.readXref();
    } catch {
      trailer = undefined;
    }
    if (!trailer) trailer = this.scanObjects();
    this.trailer = trailer;
  }

  /** The classic xref table that startxref points at (what pdfkit writes). */
  private readXref(): PdfDict {
    const tailStart = Math.max(0, this.buf.length - 1024);
    const tail = this.buf.toString('latin1', tailStart);
    const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
    if (!m) throw new PdfParseError('no startxref');
    let p = Number(m[1]);
    const head = this.buf.toString('latin1', p, p + 4);
    if (head !== 'xref') throw new PdfParseError('startxref does not point at an xref table');
    p += 4;
    const lex = new Lexer(this.buf, p);
    for (;;) {
      const t = lex.peekKeyword();
      if (t === 'trailer') {
        lex.keyword();
        const d = lex.value();
        if (!(d instanceof Map)) throw new PdfParseError('trailer is not a dictionary');
        return d;
      }
      const first = lex.value();
      const count = lex.value();
      if (typeof first !== 'number' || typeof count !== 'number' || count < 0 || count > 10_000_000) throw new PdfParseError('bad xref subsection');
      lex.skipWs();
      let q = lex.pos;
      for (let i = 0; i < count; i++) {
        const line = this.buf.toString('latin1', q, q + 20);
        const em = /^(\d{10}) (\d{5}) ([nf])/.exec(line);
        if (!em) throw new PdfParseError('bad xref entry');
        if (em[3] === 'n') this.offsets.set(first + i, Number(em[1]));
        q += 20;
      }
      lex.pos = q;
    }
  }

  /** Fallback for a damaged xref: find every "n g obj" and the last trailer. */
  private scanObjects(): PdfDict {
    const s = this.buf.toString('latin1');
    const re = /(?:^|[\r\n\s])(\d+)\s+(\d+)\s+obj\b/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s))) this.offsets.set(Number(m[1]), m.index + m[0].length - m[0].trimStart().length);
    const t = s.lastIndexOf('trailer');
    if (t < 0) throw new PdfParseError('no trailer');
    const d = new Lexer(this.buf, t + 7).value();
    if (!(d instanceof Map)) throw new PdfParseError('trailer is not a dictionary');
    return d;
  }

  /** Object `num`, dereferenced; streams come back as { dict, data } via stream(). */
  object(num: number): PdfValue {
    const off = this.offsets.get(num);
    if (off === undefined || off >= this.buf.length) throw new PdfParseError(`object ${num} not found`);
    const lex = new Lexer(this.buf, off);
    const n = lex.value();
    lex.value();
    if (n !== num || lex.keyword() !== 'obj') throw new PdfParseError(`object ${num} is not where the xref says`);
    return lex.value();
  }

  resolve(v: PdfValue | undefined): PdfValue | undefined {
    let guard = 0;
    while (v instanceof PdfRef) {
      if (++guard > 32) throw new PdfParseError('reference loop');
      v = this.object(v.num);
    }
    return v;
  }

  dict(v: PdfValue | undefined): PdfDict | undefined {
    const r = this.resolve(v);
    return r instanceof Map ? r : undefined;
  }

  /**
   * The decoded bytes of stream object `ref` (FlateDecode or none). `sizeHint` (an embedded
   * file's /Params /Size) lets zlib inflate into one buffer instead of concatenating chunks.
   */
  stream(ref: PdfValue | undefined, sizeHint?: number): Buffer {
    if (!(ref instanceof PdfRef)) throw new PdfParseError('stream is not an indirect object');
    const off = this.offsets.get(ref.num);
    if (off === undefined) throw new PdfParseError(`object ${ref.num} not found`);
    const lex = new Lexer(this.buf, off);
    lex.value();
    lex.value();
    if (lex.keyword() !== 'obj') throw new PdfParseError(`object ${ref.num} is not where the xref says`);
    const d = lex.value();
    if (!(d instanceof Map)) throw new PdfParseError('stream without dictionary');
    if (lex.keyword() !== 'stream') throw new PdfParseError(`object ${ref.num} is not a stream`);
    let p = lex.pos;
    if (this.buf[p] === 13) p++;
    if (this.buf[p] === 10) p++;
    const len = this.resolve(d.get('Length'));
    if (typeof len !== 'number' || len < 0 || p + len > this.buf.length) throw new PdfParseError('bad stream length');
    const raw = this.buf.subarray(p, p + len);
    const filter = this.resolve(d.get('Filter'));
    const names = Array.isArray(filter) ? filter : filter === undefined || filter === null ? [] : [filter];
    let data: Buffer = raw;
    for (const f of names) {
      if (!(f instanceof PdfName) || f.name !== 'FlateDecode') throw new PdfParseError(`unsupported stream filter`);
      // a bound on what one attachment may inflate to (a hostile file cannot exhaust memory)
      const chunkSize = sizeHint && sizeHint > 0 && sizeHint < 1 << 30 ? Math.max(64 * 1024, sizeHint + 1) : 64 * 1024;
      data = inflateSync(data, { maxOutputLength: 1 << 30, chunkSize });
    }
    return data;
  }

  /** The dictionary of stream object `ref`, without touching its data. */
  streamDict(ref: PdfRef): PdfDict {
    const d = this.object(ref.num);
    if (!(d instanceof Map)) throw new PdfParseError(`object ${ref.num} is not a stream`);
    return d;
  }

  /** name -> filespec dictionary, from the catalog's EmbeddedFiles name tree. */
  embeddedFiles(): Map<string, PdfDict> {
    const out = new Map<string, PdfDict>();
    const root = this.dict(this.trailer.get('Root'));
    const names = this.dict(root?.get('Names'));
    const tree = this.dict(names?.get('EmbeddedFiles'));
    if (!tree) return out;
    const walk = (node: PdfDict, depth: number): void => {
      if (depth > 16) throw new PdfParseError('name tree too deep');
      const arr = this.resolve(node.get('Names'));
      if (Array.isArray(arr)) {
        for (let i = 0; i + 1 < arr.length; i += 2) {
          const k = this.resolve(arr[i]);
          const spec = this.dict(arr[i + 1]);
          if (typeof k === 'string' && spec) out.set(k, spec);
        }
      }
      const kids = this.resolve(node.get('Kids'));
      if (Array.isArray(kids)) for (const k of kids) {
        const kd = this.dict(k);
        if (kd) walk(kd, depth + 1);
      }
    };
    walk(tree, 0);
    return out;
  }
}

/** Decodes a PDF text string: UTF-16BE with BOM, else PDFDocEncoding (~latin1). */
function textString(b: Buffer): string {
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    const sw = Buffer.from(b.subarray(2));
    if (sw.length % 2) throw new PdfParseError('odd UTF-16 string');
    return sw.swap16().toString('utf16le');
  }
  return b.toString('latin1');
}

class Lexer {
  constructor(readonly buf: Buffer, public pos: number) {}

  skipWs(): void {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (WS.has(c)) this.pos++;
      else if (c === 0x25) {
        while (this.pos < b.length && b[this.pos] !== 10 && b[this.pos] !== 13) this.pos++;
      } else break;
    }
  }

  private word(): string {
    const start = this.pos;
    while (this.pos < this.buf.length && !WS.has(this.buf[this.pos]!) && !DELIM.has(this.buf[this.pos]!)) this.pos++;
    return this.buf.toString('latin1', start, this.pos);
  }

  keyword(): string {
    this.skipWs();
    return this.word();
  }

  peekKeyword(): string {
    const save = this.pos;
    const k = this.keyword();
    this.pos = save;
    return k;
  }

  value(depth = 0): PdfValue {
    if (depth > 64) throw new PdfParseError('nesting too deep');
    this.skipWs();
    const b = this.buf;
    if (this.pos >= b.length) throw new PdfParseError('unexpected end of file');
    const c = b[this.pos]!;
    if (c === 0x3c && b[this.pos + 1] === 0x3c) {
      this.pos += 2;
      const d: PdfDict = new Map();
      for (;;) {
        this.skipWs();
        if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
          this.pos += 2;
          return d;
        }
        const k = this.value(depth + 1);
        if (!(k instanceof PdfName)) throw new PdfParseError('dictionary key is not a name');
        d.set(k.name, this.value(depth + 1));
      }
    }
    if (c === 0x3c) {
      const end = b.indexOf(0x3e, this.pos);
      if (end < 0) throw new PdfParseError('unterminated hex string');
      const hex = b.toString('latin1', this.pos + 1, end).replace(/\s+/g, '');
      this.pos = end + 1;
      if (!/^[0-9a-fA-F]*$/.test(hex)) throw new PdfParseError('bad hex string');
      return textString(Buffer.from(hex.length % 2 ? hex + '0' : hex, 'hex'));
    }
    if (c === 0x28) return this.literal();
    if (c === 0x5b) {
      this.pos++;
      const arr: PdfValue[] = [];
      for (;;) {
        this.skipWs();
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return arr;
        }
        if (this.pos >= b.length) throw new PdfParseError('unterminated array');
        arr.push(this.value(depth + 1));
      }
    }
    if (c === 0x2f) {
      this.pos++;
      return new PdfName(this.word().replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
    }
    const w = this.word();
    if (w === '') throw new PdfParseError(`unexpected character at ${this.pos}`);
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(w)) {
      const n = Number(w);
      // "num gen R" is a reference
      if (/^\d+$/.test(w)) {
        const save = this.pos;
        this.skipWs();
        const g = this.word();
        if (/^\d+$/.test(g)) {
          this.skipWs();
          if (this.word() === 'R') return new PdfRef(n, Number(g));
        }
        this.pos = save;
      }
      return n;
    }
    throw new PdfParseError(`unexpected token ${JSON.stringify(w.slice(0, 20))}`);
  }

  private literal(): string {
    const b = this.buf;
    this.pos++;
    const out: number[] = [];
    let depth = 1;
    while (this.pos < b.length) {
      const c = b[this.pos++]!;
      if (c === 0x5c) {
        const e = b[this.pos++];
        if (e === undefined) break;
        const map: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };
        if (map[e] !== undefined) out.push(map[e]!);
        else if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let i = 0; i < 2 && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; i++) v = v * 8 + (b[this.pos++]! - 0x30);
          out.push(v & 0xff);
        } else if (e === 13) {
          if (b[this.pos] === 10) this.pos++;
        } else if (e !== 10) out.push(e);
        continue;
      }
      if (c === 0x28) depth++;
      if (c === 0x29 && --depth === 0) return textString(Buffer.from(out));
      out.push(c);
    }
    throw new PdfParseError('unterminated string');
  }
}
