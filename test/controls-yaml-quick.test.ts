// js-yaml (src/controls/yaml-quick.ts) must read exactly what `yaml` reads, or decline
// (undefined) so that `yaml` parses the file: on every YAML file in the repository, on edge
// cases of the two libraries, and on seeded random edits of the real control files.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { parseYamlQuick } from '../src/controls/yaml-quick.js';

const ROOT = join(import.meta.dirname, '..');

/** Empty when js-yaml declines or agrees with `yaml`; else what differs. */
function disagreement(text: string): string[] {
  const quick = parseYamlQuick(text);
  if (!quick) return [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) return [`read, but yaml reports: ${doc.errors[0]!.message.split('\n')[0]!}`];
  const out: string[] = [];
  const js: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (!isDeepStrictEqual(js, quick.data)) out.push(`data differs: yaml ${JSON.stringify(js)} js-yaml ${JSON.stringify(quick.data)}`);
  const line = lc.linePos(doc.contents?.range?.[0] ?? 0).line;
  if (line !== quick.contentLine) out.push(`content line: yaml ${line} js-yaml ${quick.contentLine}`);
  return out;
}

const yamlFiles = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').filter(Boolean);

describe('reading YAML with js-yaml, checked against yaml', () => {
  it('agrees with yaml on every YAML file in the repository', () => {
    expect(yamlFiles.length).toBeGreaterThan(20);
    const problems = yamlFiles.flatMap((f) => disagreement(readFileSync(join(ROOT, f), 'utf8')).map((p) => `${f}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('reads the whole shipped catalog, trustpack.yaml and the sample waivers and attestations (the quick path is taken)', () => {
    const shipped = yamlFiles.filter((f) => /^controls\/|^examples\/sample\/(trustpack|waivers|attestations)\.yaml$/.test(f));
    expect(shipped.length).toBeGreaterThan(30);
    expect(shipped.filter((f) => parseYamlQuick(readFileSync(join(ROOT, f), 'utf8')) === undefined)).toEqual([]);
  });

  const edge: string[] = [
    'a: 1\nb: 1.10\nc: 2017\nd: -3\ne: +4\nf: 1e3\ng: .5\nl: 007\nm: 1_000\nn: 3.\no: -0\np: 1.5E-3\nq: 12345678901234567890\n',
    'h: 0o17\n', 'i: 0x1F\n', 'j: .inf\n', 'k: .nan\n',
    'a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: true\ng: False\nh: yes\ni: no\nj: on\n',
    'a: "x: y"\nb: \'it\'\'s\'\nc: "tab\\there \\"q\\" \\u00e9 \\/ \\\\"\n', 'd: "\\x41"\n', 'e: "a\n  b"\n',
    'a: b # comment\nc: d#e\nf: "g" # h\ni: [j, k] # l\nm: #n\n  o: p\n',
    'a: >\n  folded\n  text\n\n  para\n\n\n  three\nb: |\n  lit\n    more\n\n  end\n# after\nc: >-\n  strip\nd: |-\n  x\n\n',
    'a:\n  - >\n    in a list\n    item\n  - k: |\n      nested\n    l: 1\n', 'a: > # header comment\n  x\n  # not a comment\n',
    'e: >+\n  keep\n\n', 'a: >2\n  x\n',
    'a: >\n  x\n    more indented\n  y\n',
    'a: >\n\n  leading blank\n',
    'a: |\n  trailing space \n',
    'a: |\n  x\n   \n  y\n', 'a: |\n  x\n \n  y\n',
    'a:\n- 1\n- 2\nb: c\n',
    'a:\n  - 1\n  -\n  - - x\n    - y\n  - k: v\n    l: w\n',
    '- a\n- b: c\n  d: e\n- [1, 2]\n- {x: 1}\n',
    'a: [x, [y, {z: 1, w: "q"}], \'s\']\nb: {}\nc: []\n', 'd: [a, ]\n', 'e: { k: }\n', 'f: [a: b]\n',
    'a: b: c\n', 'a: b:\n', 'a: - b\n', 'a: &x 1\nb: *x\n', 'a: !!str 1\n', '? a\n: b\n',
    'a: 1\na: 2\n', 'a: {x: 1, x: 2}\n', 'true: 1\n', 'null: 1\n', '__proto__: 1\n', '"q": 1\n', '1: x\n',
    'a: multi\n  line plain\n', 'a:\n  b: 1\n c: 2\n', '  a: 1\n', '---\na: 1\n', 'a: 1\n---\nb: 2\n', '%YAML 1.2\n---\na: 1\n',
    'a: 1\r\nb: 2\r\n', 'a:\t1\n', '\ufeffa: 1\n', '', '# only a comment\n', 'scalar\n', '[1, 2]\n',
    'a: [1,\n  2]\n', 'a: "unterminated\n', 'a: \'x\' y\n', 'a: "x" # ok\n', 'url: https://example.com/a#frag\n',
    'a: [http://x.y/z, "a,b", a b c]\n', 'a: [a #b]\n', 'a: {b: [c, d], e: {f: g}}\n', 'a: -1\nb: - 1\nc: -\n',
    'path: "DBClusterSnapshotAttributes[?AttributeName==\'restore\'].AttributeValues[]"\nq: Foo[?x==\'y\'].z\n',
    // an unterminated quote swallowing the next key: js-yaml skips the continuation indentation check
    'a: "unterminated\nb: "x"\n', "a: 'open\nb: 'x'\n", '- n: x\n  a: "open\n  b: "# c\n', 'k:\n  a: "x\n  y"\n', 'a: "x\n\n  y"\n',
    'a:\n  - b\n  c: d\n', 'a:\n    - b\n  - c\n', 'k-1.x/y: v\n', 'a: `x`\n', 'a: @x\n', 'a: %x\n', 'a: ,x\n',
  ];

  it('agrees with yaml, or declines, on edge cases', () => {
    const problems = edge.flatMap((t) => disagreement(t).map((p) => `${JSON.stringify(t)}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('leaves anchors, duplicate keys, hex numbers, directives and quoted scalars spanning lines to yaml', () => {
    for (const t of ['a: &x 1\nb: *x\n', 'a: 1\na: 2\n', 'a: 0x1F\n', '---\na: 1\n', 'a: "open\nb: "# c\n']) {
      expect(parseYamlQuick(t), t).toBeUndefined();
    }
  });

  it('agrees with yaml, or declines, on seeded random edits of the control files', () => {
    const sources = yamlFiles.filter((f) => /^controls\/[^/]+\.yaml$/.test(f)).map((f) => readFileSync(join(ROOT, f), 'utf8'));
    const pieces = [' ', '  ', ':', ': ', '#', ' #', '-', '- ', '"', "'", '\n', '\n  ', '[', ']', '{', '}', ',', '>', '|', '&', '*', '!', '?', '1', '3.10', 'true', '~', '\\', '\t', 'a: b\n'];
    const edit = fc.record({
      src: fc.nat({ max: sources.length - 1 }),
      ops: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), del: fc.nat({ max: 3 }), ins: fc.constantFrom(...pieces) }), { minLength: 1, maxLength: 3 }),
    });
    const problems: string[] = [];
    for (const c of fc.sample(edit, { seed: 20261129, numRuns: 1500 })) {
      let text = sources[c.src]!;
      for (const op of c.ops) {
        const i = Math.floor(op.at * text.length);
        text = text.slice(0, i) + op.ins + text.slice(i + op.del);
      }
      for (const p of disagreement(text)) problems.push(`${JSON.stringify(c)}: ${p}`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });
});
