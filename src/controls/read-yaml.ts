// Reads one YAML file into data plus the parsed document (for positions), reporting
// unreadable files and YAML syntax errors as LoadProblems rather than throwing.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { LoadProblem } from './model.js';

export interface YamlFile {
  file: string;
  doc?: Document;
  lc: LineCounter;
  data?: unknown;
  problems: LoadProblem[];
}

export function readYaml(file: string): YamlFile {
  const lc = new LineCounter();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, expected a file' : `cannot read file (${code ?? String(err)})`;
    return { file, lc, problems: [{ file, line: 1, col: 1, rule: 'missing-file', message: why }] };
  }
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const problems: LoadProblem[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
    // yaml's messages end with a code excerpt after a colon and newline; keep the first line.
    const first = e.message.split('\n')[0] ?? e.message;
    const message = e.code === 'MULTIPLE_DOCS'
      ? 'the file holds more than one YAML document (a second ---); keep one per file'
      : first.replace(/ at line \d+, column \d+:?$/, '');
    return { file, line: pos.line, col: pos.col, rule: 'yaml-syntax', message };
  });
  if (problems.length > 0) return { file, doc, lc, problems };
  try {
    return { file, doc, lc, data: doc.toJS({ maxAliasCount: 1000 }), problems };
  } catch (err) {
    return { file, doc, lc, problems: [{ file, line: 1, col: 1, rule: 'yaml-syntax', message: (err as Error).message }] };
  }
}

/**
 * YAML reads `3.10` or `2017` as numbers; requirement ids and versions are text. Puts the
 * exact source text back where a number was parsed, so "3.10" does not become 3.1.
 */
export function numberAsSourceText(node: unknown): string | undefined {
  const n = node as { value?: unknown; source?: unknown } | undefined;
  if (n && typeof n.value === 'number') return typeof n.source === 'string' ? n.source : String(n.value);
  return undefined;
}
