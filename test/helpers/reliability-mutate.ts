// Seeded breakage of text input files (YAML/JSON): truncation, key and value edits, wrong types,
// huge strings, binary junk. A Mutation is plain data (so a failing case prints as it is) and
// apply() turns a file's bytes into the broken bytes.
import fc from 'fast-check';

export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'delete-line'; line: number }
  | { kind: 'rename-key'; line: number; to: string }
  | { kind: 'wrong-type'; line: number; value: string }
  | { kind: 'indent'; line: number; by: number }
  | { kind: 'huge-string'; line: number; size: number }
  | { kind: 'junk-insert'; at: number; bytes: number[] }
  | { kind: 'binary'; bytes: number[] };

/** YAML values of the wrong type for most fields, and YAML that is not valid at all. */
const WRONG_VALUES = [
  '123', '-1', '1.5e308', '-.inf', '.nan', 'true', 'null', '~', '[]', '[1, 2, 3]', '{}', '{a: 1}', '""',
  '"\\u0000"', '!!binary AAEC', '*nowhere', '&a [*a]', '{ unclosed', '[unclosed', '"unterminated', "'", ': :', '- - -',
  '2026-02-30', '0x1F', '!!int notanumber', '|\n   x', '? complex key', '@reserved', '`backtick',
];

const fraction = fc.integer({ min: 0, max: 9999 }).map((n) => n / 10_000);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fraction.map((at) => ({ kind: 'truncate' as const, at })),
  fraction.map((line) => ({ kind: 'delete-line' as const, line })),
  fc.record({ line: fraction, to: fc.constantFrom('idd', 'Title', 'kind_', 'asert', 'x', '"": ', '0', 'collector2', 'frameworks ', '__proto__', 'constructor', 'id: x\n  id') })
    .map((m) => ({ kind: 'rename-key' as const, ...m })),
  fc.record({ line: fraction, value: fc.constantFrom(...WRONG_VALUES) }).map((m) => ({ kind: 'wrong-type' as const, ...m })),
  fc.record({ line: fraction, by: fc.integer({ min: -4, max: 7 }).filter((n) => n !== 0) }).map((m) => ({ kind: 'indent' as const, ...m })),
  fc.record({ line: fraction, size: fc.constantFrom(100_000, 1_000_000, 3_000_000) }).map((m) => ({ kind: 'huge-string' as const, ...m })),
  fc.record({ at: fraction, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 64 }) })
    .map((m) => ({ kind: 'junk-insert' as const, ...m })),
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 0, maxLength: 2048 }).map((bytes) => ({ kind: 'binary' as const, bytes })),
);

const KEY_LINE = /^(\s*(?:-\s+)?)([^\s:#][^:#]*?):(\s.*|)$/;

/** Index of the `pick`-th line (0..1) among lines that hold a `key:`; -1 when none does. */
function keyLine(lines: string[], pick: number): number {
  const idx = lines.map((l, i) => (KEY_LINE.test(l) ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return -1;
  return idx[Math.min(idx.length - 1, Math.floor(pick * idx.length))]!;
}

export function applyMutation(input: Buffer, m: Mutation): Buffer {
  const text = input.toString('utf8');
  const lines = text.split('\n');
  const at = (f: number, n: number) => Math.min(n, Math.floor(f * n));
  switch (m.kind) {
    case 'truncate':
      // strictly shorter than the input, so the end is always lost
      return input.subarray(0, Math.min(input.length - 1, at(m.at, input.length)));
    case 'delete-line': {
      const i = at(m.line, lines.length - 1);
      return Buffer.from([...lines.slice(0, i), ...lines.slice(i + 1)].join('\n'));
    }
    case 'rename-key':
    case 'wrong-type':
    case 'huge-string': {
      const i = keyLine(lines, m.line);
      if (i < 0) return Buffer.concat([input, Buffer.from('\n: broken\n')]);
      const [, lead, key, rest] = KEY_LINE.exec(lines[i]!)!;
      let line: string;
      if (m.kind === 'rename-key') line = `${lead}${m.to}:${rest}`;
      else if (m.kind === 'wrong-type') line = `${lead}${key}: ${m.value}`;
      else line = `${lead}${key}: "${'x'.repeat(m.size)}"`;
      const out = [...lines];
      out[i] = line;
      return Buffer.from(out.join('\n'));
    }
    case 'indent': {
      const i = keyLine(lines, m.line);
      if (i < 0) return Buffer.concat([Buffer.from('   '), input]);
      const out = [...lines];
      out[i] = m.by > 0 ? ' '.repeat(m.by) + out[i] : out[i]!.replace(new RegExp(`^ {0,${-m.by}}`), '') + (m.by < -2 ? '\t' : '');
      return Buffer.from(out.join('\n'));
    }
    case 'junk-insert': {
      const p = at(m.at, input.length);
      return Buffer.concat([input.subarray(0, p), Buffer.from(m.bytes), input.subarray(p)]);
    }
    case 'binary':
      return Buffer.from(m.bytes);
  }
}

/** Short, printable description of a mutation for failure messages. */
export function describeMutation(m: Mutation): string {
  if (m.kind === 'binary') return `binary(${m.bytes.length} bytes)`;
  if (m.kind === 'junk-insert') return `junk-insert(at ${m.at}, ${m.bytes.length} bytes)`;
  return JSON.stringify(m);
}
