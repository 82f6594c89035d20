// Reads one YAML file into data plus the parsed document (for positions), reporting
// unreadable files and YAML syntax errors as LoadProblems rather than throwing.
//
// Most files are read by js-yaml (yaml-quick.ts); the `yaml` document, which serves to point
// at lines and columns and to recover a number's source text, is parsed only when needed.
// Anything js-yaml does not take is parsed by `yaml` straight away.
import { readFileSync } from 'node:fs';
import type { Document, LineCounter } from 'yaml';
import type { LoadProblem } from './model.js';
import { parseYamlQuick, type QuickYaml } from './yaml-quick.js';
import { yamlLib } from './yaml-lib.js';
import { locate, positionOf } from './yaml-locate.js';

export interface YamlFile {
  file: string;
  /** the parsed document; parsed on first use when the fast reader read the data */
  readonly doc?: Document;
  readonly lc: LineCounter;
  data?: unknown;
  problems: LoadProblem[];
  /** the source text of a number in the data at segs (YAML reads `3.10` as 3.1) */
  numberSource(segs: readonly (string | number)[]): string | undefined;
  /** line of the file's top-level node */
  contentLine(): number;
}

class ParsedFile implements YamlFile {
  data?: unknown;
  problems: LoadProblem[] = [];
  #doc?: Document;
  #lc?: LineCounter;

  constructor(readonly file: string, private readonly text: string | undefined, private readonly fast?: QuickYaml) {
    if (fast) this.data = fast.data;
  }

  #parse(): void {
    if (this.#lc) return;
    const { LineCounter, parseDocument } = yamlLib();
    this.#lc = new LineCounter();
    if (this.text !== undefined) {
      this.#doc = parseDocument(this.text, { lineCounter: this.#lc, prettyErrors: false, uniqueKeys: true });
    }
  }

  get doc(): Document | undefined {
    this.#parse();
    return this.#doc;
  }

  get lc(): LineCounter {
    this.#parse();
    return this.#lc!;
  }

  numberSource(segs: readonly (string | number)[]): string | undefined {
    // only a number has a source text to recover; the document is parsed for those alone
    let v: unknown = this.data;
    for (const s of segs) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string | number, unknown>)[s];
    }
    if (typeof v !== 'number') return undefined;
    return this.doc ? numberAsSourceText(locate(this.doc, segs).node) : undefined;
  }

  contentLine(): number {
    if (this.fast) return this.fast.contentLine;
    return positionOf(this.doc?.contents ?? undefined, this.lc).line;
  }
}

export function readYaml(file: string): YamlFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, expected a file' : `cannot read file (${code ?? String(err)})`;
    const y = new ParsedFile(file, undefined);
    y.problems.push({ file, line: 1, col: 1, rule: 'missing-file', message: why });
    return y;
  }
  const fast = parseYamlQuick(text);
  if (fast) return new ParsedFile(file, text, fast);
  const y = new ParsedFile(file, text);
  const doc = y.doc!;
  const lc = y.lc;
  y.problems = doc.errors.map((e) => {
    const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
    // yaml's messages end with a code excerpt after a colon and newline; keep the first line.
    const first = e.message.split('\n')[0] ?? e.message;
    const message = e.code === 'MULTIPLE_DOCS'
      ? 'the file holds more than one YAML document (a second ---); keep one per file'
      : first.replace(/ at line \d+, column \d+:?$/, '');
    return { file, line: pos.line, col: pos.col, rule: 'yaml-syntax', message };
  });
  if (y.problems.length > 0) return y;
  try {
    y.data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    y.problems.push({ file, line: 1, col: 1, rule: 'yaml-syntax', message: (err as Error).message });
  }
  return y;
}

/**
 * YAML reads `3.10` or `2017` as numbers; requirement ids and versions are text. Puts the
 * exact source text back where a number was parsed, so "3.10" does not become 3.1.
 */
function numberAsSourceText(node: unknown): string | undefined {
  const n = node as { value?: unknown; source?: unknown } | undefined;
  if (n && typeof n.value === 'number') return typeof n.source === 'string' ? n.source : String(n.value);
  return undefined;
}
