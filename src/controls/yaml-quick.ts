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
  try {
    const y = jsYaml();
    data = y.load(text, { schema: y.CORE_SCHEMA });
  } catch {
    return undefined; // `yaml` will report it, with its position
  }
  if (data === undefined || hasNonTextKey(data)) return undefined;
  return { data, contentLine: firstContentLine(text) };
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
