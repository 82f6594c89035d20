// Reads control, framework and project files with js-yaml, the quicker of the two YAML
// libraries (about a fifth of `yaml`'s cold-start cost on the shipped catalog). `yaml` stays
// the reference: it parses a file when js-yaml refuses it, and whenever a problem needs a
// line and column. Both read the YAML 1.2 core schema; test/controls-yaml-quick.test.ts checks
// they agree on every YAML file in the repository and on seeded random edits of the controls.
// Why two readers: with `yaml` alone, `controls validate` on the shipped catalog took 456 ms
// (6.7x `node -e 0`, over the 6x start-up target) against 237 ms (3.5x) with js-yaml first
// (median of 15 interleaved runs, 2026-11-29, load ~7); `--help` loads neither.
import { createRequire } from 'node:module';

type JsYaml = typeof import('js-yaml');
let lib: JsYaml | undefined;
const jsYaml = (): JsYaml => (lib ??= createRequire(import.meta.url)('js-yaml') as JsYaml);

export interface QuickYaml {
  data: unknown;
  /** 1-based line of the top-level node */
  contentLine: number;
}

// What `yaml` (core schema, uniqueKeys) and js-yaml read differently, or what only `yaml`
// reports well: leave those files to `yaml`.
const LEAVE_TO_YAML = /[\t\r\ufeff]|^%|^---|^\.\.\.|(^|[\s[{,])[&*!]|<<|\b0[ox]|\.(?:inf|nan)\b|(?:^|[\s[{,])[-+]?\d+(?:_\d+)+(?=[\s,\]}]|$)/im;

export function parseYamlQuick(text: string): QuickYaml | undefined {
  if (LEAVE_TO_YAML.test(text)) return undefined;
  let data: unknown;
  const quoted = multiLineQuotedWatch(text);
  try {
    const y = jsYaml();
    data = y.load(text, { schema: y.CORE_SCHEMA, listener: quoted.listener });
  } catch {
    return undefined; // `yaml` will report it, with its position
  }
  if (data === undefined || quoted.seen() || hasNonTextKey(data)) return undefined;
  return { data, contentLine: firstContentLine(text) };
}

// js-yaml does not check the indentation of a quoted scalar's continuation lines: it reads
// `a: "open` + a newline + `b: "...` (an unterminated quote, the next key swallowed) as one
// string, where YAML 1.2 (and `yaml`) needs those lines indented deeper than the key. A
// quoted scalar spanning lines is rare in a valid file, so any file with one is left to `yaml`.
function multiLineQuotedWatch(text: string): { listener: (event: 'open' | 'close', state: { position: number; kind: string | null }) => void; seen: () => boolean } {
  const starts: number[] = [];
  let seen = false;
  return {
    listener(event, state) {
      if (event === 'open') {
        starts.push(state.position);
        return;
      }
      let i = starts.pop() ?? 0;
      if (seen || state.kind !== 'scalar') return;
      // the node's source: separation space and comments, then the scalar itself
      for (;;) {
        const c = text.charCodeAt(i);
        if (c === 0x20 || c === 0x0a) i++;
        else if (c === 0x23) {
          const end = text.indexOf('\n', i);
          i = end === -1 ? text.length : end;
        }
        else break;
      }
      const q = text.charCodeAt(i);
      if (q !== 0x22 && q !== 0x27) return;
      const nl = text.indexOf('\n', i);
      if (nl !== -1 && nl < state.position) seen = true;
    },
    seen: () => seen,
  };
}

// A key that YAML resolves to null, a boolean, a number or a collection (`null:`, `-.10:`,
// `{a: b}:`) is turned into text differently by the two libraries; no valid file has one, so
// `yaml` reads those.
const NON_TEXT_KEY = /^(?:|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+.\d[{].*|\[object .*)$/;

function hasNonTextKey(v: unknown, depth = 0): boolean {
  if (v === null || typeof v !== 'object' || depth > 200) return depth > 200;
  if (Array.isArray(v)) return v.some((x) => hasNonTextKey(x, depth + 1));
  for (const [k, x] of Object.entries(v)) if (NON_TEXT_KEY.test(k) || hasNonTextKey(x, depth + 1)) return true;
  return false;
}

function firstContentLine(text: string): number {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t !== '' && !t.startsWith('#')) return i + 1;
  }
  return 1;
}
