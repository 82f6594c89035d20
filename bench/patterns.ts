// Benchmark: user-supplied patterns over long values (issue 19). Every `matches` pattern and
// resource glob runs on RE2's algorithm (src/util/pattern.ts), so time grows with the text, not
// exponentially; JavaScript's RegExp is timed on the same pattern at lengths it can still finish.
// Prints a table only; no assertion on time (test/patterns.test.ts asserts the results).
//   node --import tsx bench/patterns.ts
import { loadavg } from 'node:os';
import { compileAssertion } from '../src/engine/assertions.js';
import { globPattern } from '../src/util/pattern.js';

const now = new Date();
const ms = (f: () => unknown): [number, unknown] => {
  const t = process.hrtime.bigint();
  const r = f();
  return [Number(process.hrtime.bigint() - t) / 1e6, r];
};

const rows: string[][] = [['case', 'text length', 'result', 'ms']];
const catastrophic = compileAssertion({ path: 'Name', op: 'matches', value: '^(a+)+$' }, {});
for (const n of [1_000, 10_000, 100_000, 1_000_000]) {
  const [t, r] = ms(() => catastrophic.evaluate({ Name: `${'a'.repeat(n)}!` }, { params: {}, now }).ok);
  rows.push(['matches ^(a+)+$ (linear engine)', String(n + 1), r ? 'match' : 'no match', t.toFixed(1)]);
}
for (const n of [16, 20, 24]) {
  const [t, r] = ms(() => /^(a+)+$/.test(`${'a'.repeat(n)}!`));
  rows.push(['  same in JavaScript RegExp', String(n + 1), r ? 'match' : 'no match', t.toFixed(1)]);
}
const glob = globPattern(`arn:${'*a'.repeat(12)}*b`);
for (const n of [10_000, 100_000, 1_000_000]) {
  const [t, r] = ms(() => glob.test(`arn:${'a'.repeat(n)}`));
  rows.push(['waiver glob arn:*a*a...(12 stars)*b', String(n + 4), r ? 'match' : 'no match', t.toFixed(1)]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const [i, r] of rows.entries()) {
  console.log(r.map((c, j) => (j === 0 || j === 2 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
console.log(`load average: ${loadavg()[0]!.toFixed(1)}`);
