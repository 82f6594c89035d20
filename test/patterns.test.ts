// Issue 19: every user-supplied pattern is matched in linear time. A `matches` pattern of the
// catalog or trustpack.yaml that needs a backtracking engine is refused where it is written
// (FILE:LINE:COL and the rule), a catastrophic pattern over a long value gives its verdict, and a
// waiver glob with many stars over a long ARN answers. JavaScript's RegExp would backtrack on
// both for longer than any test runs.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, loadProject } from '../src/controls/load.js';
import type { LoadProblem } from '../src/controls/model.js';
import { compileAssertion } from '../src/engine/assertions.js';
import { findWaiver, splitWaivers } from '../src/engine/waivers.js';
import { compilePattern, globPattern, patternOrError, PatternError } from '../src/util/pattern.js';
import { COLLECTORS } from '../collectors/registry.js';
import { ROOT, runCli } from './helpers/cli.js';

const FIX = join(import.meta.dirname, 'fixtures', 'patterns');
const known = new Set(COLLECTORS.map((c) => c.id));
const brief = (p: LoadProblem): [string, number, number, string] => [p.file.split('/').pop()!, p.line, p.col, p.rule];
const now = new Date('2026-11-28T12:00:00Z');

describe('the pattern engine', () => {
  it('refuses backreferences and lookaround by name, and tells a broken pattern apart', () => {
    const cases: [string, string, string][] = [
      ['(a)\\1', 'backtracking-pattern', 'a backreference (\\1)'],
      ['(?<n>a)\\k<n>', 'backtracking-pattern', 'a named backreference'],
      ['^(?!test-)', 'backtracking-pattern', 'a lookahead ((?!...)'],
      ['(?=x)y', 'backtracking-pattern', 'a lookahead ((?=...)'],
      ['(?<=prod-)db', 'backtracking-pattern', 'a lookbehind ((?<=...)'],
      ['(?<!prod-)db', 'backtracking-pattern', 'a lookbehind ((?<!...)'],
      ['a{2000}', 'backtracking-pattern', 'invalid repeat count'],
      ['(unclosed', 'invalid-regex', 'is not a valid regular expression'],
    ];
    for (const [source, rule, words] of cases) {
      const p = patternOrError(source);
      expect(p, source).toBeInstanceOf(PatternError);
      expect((p as PatternError).rule, source).toBe(rule);
      expect((p as PatternError).message, source).toContain(words);
    }
    // escapes and classes are not backreferences or lookaround
    for (const source of ['[\\d(]x', '\\\\1', '\\(?=x\\)', '[(?=]', '^(?:a|b)+$', '^\\d{12}$', '(?<name>x)']) {
      expect(patternOrError(source), source).not.toBeInstanceOf(PatternError);
    }
  });

  it('answers as JavaScript\'s RegExp does for every matches pattern of the shipped catalog', () => {
    const cat = loadCatalog(join(ROOT, 'controls'), { knownCollectors: known });
    expect(cat.problems).toEqual([]);
    const sources = new Set<string>();
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') {
        const o = n as Record<string, unknown>;
        if (o['op'] === 'matches' && typeof o['value'] === 'string') sources.add(o['value']);
        Object.values(o).forEach(walk);
      }
    };
    for (const c of cat.controls) {
      walk(c);
      for (const def of Object.values(c.parameters ?? {})) if (def.type === 'pattern') sources.add(String(def.default));
    }
    expect(sources.size).toBeGreaterThan(3);
    const texts = ['aurora-mysql', 'aurora-postgresql', 'aurora', 'mysql', 'postgres', 'oracle-ee', 'oracle-', 'sqlserver-se', 'db2-ae',
      'custom-oracle-ee', 'neptune', 'docdb', 'MySQL', 'mysql ', '', 'x\nmysql', 'example-customer-data', 'recorder'];
    for (const source of sources) {
      const js = new RegExp(source);
      const linear = compilePattern(source);
      for (const t of texts) expect(linear.test(t), `${source} on ${JSON.stringify(t)}`).toBe(js.test(t));
    }
  });

  it('a catastrophic pattern over a long value gives its verdict (JavaScript would backtrack for ages)', () => {
    const a = compileAssertion({ path: 'DBClusterIdentifier', op: 'matches', value: '^(a+)+$' }, {});
    const long = 'a'.repeat(30_000);
    expect(a.evaluate({ DBClusterIdentifier: long }, { params: {}, now }).ok).toBe(true);
    const r = a.evaluate({ DBClusterIdentifier: `${long}!` }, { params: {}, now });
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('which does not match "^(a+)+$"');
    // nested quantifiers and alternation, the other classic
    expect(compilePattern('^(a|aa)+$').test(`${'a'.repeat(30_000)}b`)).toBe(false);
  });

  it('a waiver glob with many stars over a long ARN answers; * crosses : and /, the rest is literal', () => {
    const waiver = { control: 'c', resource: `arn:${'*a'.repeat(12)}*b`, reason: 'r', approver: 'x', expires: '2027-01-01' };
    const { active } = splitWaivers([waiver], now);
    expect(findWaiver(active.get('c'), `arn:${'a'.repeat(20_000)}`)).toBeUndefined();
    expect(findWaiver(active.get('c'), `arn:${'a'.repeat(20_000)}b`)).toBe(waiver);
    const g = globPattern('arn:aws:rds:*:111122223333:cluster:orders-?.prod');
    expect(g.test('arn:aws:rds:eu-west-1:111122223333:cluster:orders-?.prod')).toBe(true);
    expect(g.test('arn:aws:rds:eu-west-1:111122223333:cluster:orders-1.prod')).toBe(false);
    expect(g.test('arn:aws:rds:a/b\nc:111122223333:cluster:orders-?.prod')).toBe(true);
    expect(g.test('xarn:aws:rds:eu-west-1:111122223333:cluster:orders-?.prod')).toBe(false);
    const iam = globPattern('KMS:ReEncrypt?ro*', { iam: true });
    expect(iam.test('kms:ReEncryptFrom')).toBe(true);
    expect(iam.test('kms:ReEncryptTo')).toBe(false);
  });
});

describe('refused where it is written', () => {
  it('the catalog: each pattern that no longer loads, at its line, with the rule', () => {
    const cat = loadCatalog(join(FIX, 'catalog'), { knownCollectors: known });
    const found = cat.problems.map(brief);
    expect(found).toContainEqual(['a-backreference.yaml', 7, 44, 'backtracking-pattern']);
    expect(found).toContainEqual(['b-lookahead.yaml', 10, 43, 'backtracking-pattern']);
    expect(found).toContainEqual(['c-pattern-parameters.yaml', 7, 44, 'parameter-type']);
    expect(found).toContainEqual(['c-pattern-parameters.yaml', 11, 43, 'backtracking-pattern']);
    // a pattern that would backtrack in JavaScript but runs in linear time here loads
    expect(found.filter(([f]) => f === 'd-catastrophic.yaml').map(([, , , rule]) => rule)).not.toContain('backtracking-pattern');
    const text = cat.problems.map((p) => p.message).join('\n');
    expect(text).toContain('"^(aurora)-\\\\1$" uses a backreference (\\1)');
    expect(text).toContain('must be declared `type: pattern` (it is string)');
  });

  it('trustpack.yaml: a pattern parameter with lookahead or a backreference, at its line', () => {
    const controls = loadCatalog(join(ROOT, 'controls'), { knownCollectors: known }).controls;
    const r = loadProject(join(FIX, 'trustpack-bad.yaml'), { controls });
    expect(r.problems.map(brief)).toEqual([
      ['trustpack-bad.yaml', 2, 33, 'backtracking-pattern'],
      ['trustpack-bad.yaml', 4, 61, 'backtracking-pattern'],
    ]);
    expect(r.problems[0]!.message).toContain('uses a lookahead');
  });

  it('controls validate: exit 2, FILE:LINE:COL and [backtracking-pattern]', async () => {
    const r = await runCli(['controls', 'validate', '--controls', join(FIX, 'catalog')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(FIX, 'catalog', 'a-backreference.yaml')}:7:44: `);
    expect(r.stderr).toContain('[backtracking-pattern]');
    expect(r.stderr).toContain(`${join(FIX, 'catalog', 'c-pattern-parameters.yaml')}:11:43: `);
  });
});
