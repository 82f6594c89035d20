// Visits every comparison of an assertion with its path in the file, for checks that
// point at the exact line of the offending comparison.
import type { Assertion, Comparison } from './model.js';

function isComparison(a: Assertion): a is Comparison {
  return typeof (a as Comparison).op === 'string' || typeof (a as Comparison).path === 'string';
}

export function walkComparisons(a: Assertion, at: (string | number)[], visit: (c: Comparison, at: (string | number)[]) => void): void {
  if ('all' in a && Array.isArray(a.all)) a.all.forEach((c, i) => walkComparisons(c, [...at, 'all', i], visit));
  else if ('any' in a && Array.isArray(a.any)) a.any.forEach((c, i) => walkComparisons(c, [...at, 'any', i], visit));
  else if ('not' in a && a.not && typeof a.not === 'object') walkComparisons(a.not, [...at, 'not'], visit);
  else if (isComparison(a)) visit(a, at);
}
