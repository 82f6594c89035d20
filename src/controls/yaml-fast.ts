// A fast reader for the plain subset of YAML that control, framework and project files are
// written in: block mappings and sequences, one-line flow collections, plain and quoted
// one-line scalars, `|` and `>` block scalars, comments. Parsing those with the `yaml` library
// costs most of `trustpack controls validate` (its lexer, parser and composer run cold, once,
// over ~170 KB), while this reader is a handful of regular expressions per line.
//
// It returns exactly what `yaml` (core schema, uniqueKeys) would give for toJS(), or undefined
// whenever the text uses anything outside the subset or that it is not sure about (anchors,
// tags, multi-line plain or quoted scalars, multi-line flow collections, duplicate keys,
// tabs, CR line ends, non-decimal numbers...): the caller then parses with `yaml`, which also
// reports every error with its position. test/controls-yaml-fast.test.ts compares both on
// every YAML file in the repository and on cases at the edge of the subset.

export interface FastYaml {
  data: unknown;
  /** 1-based line of the top-level node (what `yaml` gives as doc.contents.range[0]) */
  contentLine: number;
  /** source text of every number read from a plain scalar, by container and key */
  numbers: WeakMap<object, Map<string | number, string>>;
}

interface Line { indent: number; text: string; line: number; raw: string }

const BAIL = new Error('outside the fast YAML subset');
function bail(): never {
  throw BAIL;
}

const FORBIDDEN = /[\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u0085\u2028\u2029\ufeff]/;
const KEY = /^([A-Za-z_][A-Za-z0-9_.\/-]*):(?: +|$)/;
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
// other core-schema forms (octal, hex, .inf, .nan): left to `yaml`
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
// first characters a plain scalar may not start with here (indicators, or just unusual)
const PLAIN_START = /^[&*!|>%@`'"?:,\[\]{}#]/;
const BLOCK_HEADER = /^([|>])(-?)(?: +#.*)?$/;
// Deeper nesting is left to `yaml` (which reports running out of stack as a YAML error):
// control files nest a few levels, and a deep document should fail the same way as before.
const MAX_DEPTH = 64;

export function parseYamlFast(text: string): FastYaml | undefined {
  try {
    return new Reader(text).document();
  } catch {
    return undefined;
  }
}

class Reader {
  private readonly lines: Line[];
  private pos = 0;
  readonly numbers = new WeakMap<object, Map<string | number, string>>();

  constructor(text: string) {
    if (FORBIDDEN.test(text)) bail();
    const raws = text.split('\n');
    this.lines = raws.map((raw, i) => {
      const trimmed = raw.trimStart();
      if (trimmed === '') return { indent: raw.length, text: '', line: i + 1, raw };
      return { indent: raw.length - trimmed.length, text: trimmed, line: i + 1, raw };
    });
  }

  document(): FastYaml {
    this.skip();
    const first = this.lines[this.pos];
    if (!first || first.indent !== 0) bail();
    const data = this.block(0);
    this.skip();
    if (this.pos < this.lines.length) bail();
    return { data, contentLine: first.line, numbers: this.numbers };
  }

  /** Moves past blank and comment lines. */
  private skip(): void {
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos]!;
      if (l.text !== '' && l.text[0] !== '#') return;
      this.pos++;
    }
  }

  private next(): Line | undefined {
    this.skip();
    return this.lines[this.pos];
  }

  private depth = 0;

  private block(indent: number): unknown {
    if (++this.depth > MAX_DEPTH) bail();
    try {
      return this.blockAt(indent);
    } finally {
      this.depth--;
    }
  }

  private blockAt(indent: number): unknown {
    const l = this.next();
    if (!l || l.indent !== indent) bail();
    if (l.text === '-' || l.text.startsWith('- ')) return this.seq(indent);
    if (KEY.test(l.text)) return this.map(indent);
    return bail();
  }

  private map(indent: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    for (;;) {
      const l = this.next();
      if (!l || l.indent < indent) return obj;
      if (l.indent > indent) bail();
      const m = KEY.exec(l.text);
      if (!m) bail();
      const key = m[1]!;
      if (key === '__proto__' || NULL.test(key) || BOOL.test(key) || Object.prototype.hasOwnProperty.call(obj, key)) bail();
      this.pos++;
      obj[key] = this.value(l.text.slice(m[0].length), indent, obj, key, true);
      this.after(indent);
    }
  }

  private seq(indent: number): unknown[] {
    const arr: unknown[] = [];
    for (;;) {
      const l = this.next();
      if (!l || l.indent < indent) return arr;
      if (l.indent > indent) bail();
      if (l.text === '-') {
        this.pos++;
        arr.push(this.value('', indent, arr, arr.length, false));
      } else if (l.text.startsWith('- ')) {
        const rest = l.text.slice(2);
        const item = rest.trimStart();
        const col = indent + 2 + (rest.length - item.length);
        if (item === '-' || item.startsWith('- ') || KEY.test(item)) {
          // a compact nested node (`- key: value` or `- - x`): read it as a block at its column
          this.lines[this.pos] = { indent: col, text: item, line: l.line, raw: l.raw };
          arr.push(this.block(col));
        } else {
          this.pos++;
          arr.push(this.value(item, indent, arr, arr.length, false));
        }
      } else {
        // `key:` followed by its list at the key's own indentation: the list ends at the next key
        return arr;
      }
      this.after(indent);
    }
  }

  /** After a node of a collection at `indent`: the next line may not be indented deeper. */
  private after(indent: number): void {
    const l = this.next();
    if (l && l.indent > indent) bail();
  }

  /** The value after `key:` or `- ` (rest of the line), in a collection at `indent`. */
  private value(rest: string, indent: number, container: object, key: string | number, inMap: boolean): unknown {
    if (rest === '' || rest[0] === '#') {
      const l = this.next();
      if (l && l.indent > indent) return this.block(l.indent);
      if (inMap && l && l.indent === indent && (l.text === '-' || l.text.startsWith('- '))) {
        if (++this.depth > MAX_DEPTH) bail();
        const v = this.seq(indent);
        this.depth--;
        return v;
      }
      return null;
    }
    const c = rest[0];
    if (c === '[' || c === '{') {
      const f = new Flow(rest, this.numbers);
      const v = f.node(container, key);
      f.end();
      return v;
    }
    if (c === '"' || c === "'") {
      const [v, end] = c === '"' ? doubleQuoted(rest, 0) : singleQuoted(rest, 0);
      if (!/^(?: +#.*| *)$/.test(rest.slice(end))) bail();
      return v;
    }
    if (c === '|' || c === '>') return this.blockScalar(rest, indent);
    if (PLAIN_START.test(rest) || rest === '-' || rest.startsWith('- ')) bail();
    const hash = rest.indexOf(' #');
    const plain = (hash === -1 ? rest : rest.slice(0, hash)).trimEnd();
    if (plain.includes(': ') || plain.endsWith(':')) bail();
    return scalar(plain, this.numbers, container, key);
  }

  private blockScalar(header: string, indent: number): string {
    const h = BLOCK_HEADER.exec(header);
    if (!h) bail();
    const folded = h[1] === '>';
    const strip = h[2] === '-';
    const first = this.lines[this.pos];
    if (!first || first.text === '' || first.indent <= indent) bail();
    const at = first.indent;
    const parts: string[] = [];
    let blanks = 0;
    let out = '';
    for (; this.pos < this.lines.length; this.pos++) {
      const l = this.lines[this.pos]!;
      if (l.text === '') {
        if (l.raw.length > at) bail();
        blanks++;
        continue;
      }
      if (l.indent < at) break;
      if (l.raw !== l.raw.trimEnd()) bail();
      if (folded && l.indent > at) bail();
      const content = l.raw.slice(at);
      if (parts.length === 0) out = content;
      else if (folded) out += blanks === 0 ? ' ' + content : '\n'.repeat(blanks) + content;
      else out += '\n'.repeat(blanks + 1) + content;
      parts.push(content);
      blanks = 0;
    }
    return strip ? out : out + '\n';
  }
}

/** One-line flow collection: `[a, "b", {c: 1}]`. */
class Flow {
  private i = 0;
  constructor(private readonly s: string, private readonly numbers: WeakMap<object, Map<string | number, string>>) {}

  private spaces(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  end(): void {
    if (!/^(?: +#.*| *)$/.test(this.s.slice(this.i))) bail();
  }

  private depth = 0;

  node(container: object, key: string | number): unknown {
    const c = this.s[this.i];
    if (c === '[' || c === '{') {
      if (++this.depth > MAX_DEPTH) bail();
      const v = c === '[' ? this.seq() : this.map();
      this.depth--;
      return v;
    }
    if (c === '"' || c === "'") {
      const [v, end] = c === '"' ? doubleQuoted(this.s, this.i) : singleQuoted(this.s, this.i);
      this.i = end;
      return v;
    }
    return scalar(this.plain(), this.numbers, container, key);
  }

  private plain(): string {
    const rest = this.s.slice(this.i);
    const m = /^[^,\[\]{}]*/.exec(rest)![0];
    const text = m.trimEnd();
    if (text === '' || PLAIN_START.test(text) || text === '-' || text.startsWith('- ')) bail();
    if (/:(?: |$)/.test(text) || text.includes(' #')) bail();
    this.i += m.length;
    return text;
  }

  private seq(): unknown[] {
    const arr: unknown[] = [];
    this.i++;
    this.spaces();
    if (this.s[this.i] === ']') {
      this.i++;
      return arr;
    }
    for (;;) {
      this.spaces();
      arr.push(this.node(arr, arr.length));
      this.spaces();
      const c = this.s[this.i++];
      if (c === ']') return arr;
      if (c !== ',') bail();
      this.spaces();
      if (this.s[this.i] === ']') bail(); // trailing comma: left to `yaml`
    }
  }

  private map(): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    this.i++;
    this.spaces();
    if (this.s[this.i] === '}') {
      this.i++;
      return obj;
    }
    for (;;) {
      this.spaces();
      const m = /^([A-Za-z_][A-Za-z0-9_.\/-]*): +/.exec(this.s.slice(this.i));
      if (!m) bail();
      const key = m[1]!;
      if (key === '__proto__' || NULL.test(key) || BOOL.test(key) || Object.prototype.hasOwnProperty.call(obj, key)) bail();
      this.i += m[0].length;
      const c = this.s[this.i];
      if (c === undefined || c === ',' || c === '}') bail();
      obj[key] = this.node(obj, key);
      this.spaces();
      const d = this.s[this.i++];
      if (d === '}') return obj;
      if (d !== ',') bail();
      this.spaces();
      if (this.s[this.i] === '}') bail();
    }
  }
}

function scalar(text: string, numbers: WeakMap<object, Map<string | number, string>>, container: object, key: string | number): unknown {
  if (NULL.test(text)) return null;
  if (BOOL.test(text)) return text[0] === 't' || text[0] === 'T';
  let n: number | undefined;
  if (INT.test(text)) n = parseInt(text, 10);
  else if (FLOAT.test(text) || FLOAT_EXP.test(text)) n = parseFloat(text);
  else if (OTHER_NUMBER.test(text)) bail();
  if (n === undefined) return text;
  let m = numbers.get(container);
  if (!m) numbers.set(container, (m = new Map()));
  m.set(key, text);
  return n;
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r' };

/** A double-quoted scalar starting at s[i] === '"' and closing on the same line. */
function doubleQuoted(s: string, i: number): [string, number] {
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === '"') return [out, j + 1];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++j];
    if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(j + 1, j + 5))) {
      const code = parseInt(s.slice(j + 1, j + 5), 16);
      if (code >= 0xd800 && code <= 0xdfff) bail();
      out += String.fromCharCode(code);
      j += 4;
    } else if (e !== undefined && ESCAPES[e] !== undefined) {
      out += ESCAPES[e];
    } else {
      bail();
    }
  }
  return bail();
}

/** A single-quoted scalar starting at s[i] === "'" and closing on the same line. */
function singleQuoted(s: string, i: number): [string, number] {
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c !== "'") {
      out += c;
      continue;
    }
    if (s[j + 1] === "'") {
      out += "'";
      j++;
      continue;
    }
    return [out, j + 1];
  }
  return bail();
}
