// The shape of a JSON text checked before JSON.parse builds it: how deep it nests and how many
// values it holds. JSON.parse of 31 MiB of nested brackets, or of ten million empty arrays,
// takes tens of seconds and gigabytes; this scan is one pass over the bytes and allocates
// nothing, so a hostile attachment is refused before it is parsed.

/** Limits for the JSON attachments verify parses whole (manifest.json, results.json, a period pack's JSON). */
const JSON_LIMITS = {
  /** arrays and objects nested: genuine packs nest at most 7 deep */
  maxDepth: 64,
  /**
   * values (objects, arrays, strings, numbers, literals; keys included) over every JSON attachment
   * of one pack: 4x the largest genuine pack the benchmarks build (bench/report.ts, 50,000
   * findings: 1,000,554 values, 7 deep)
   */
  maxValues: 4_000_000,
} as const;

/** Values counted across the attachments of one pack. */
export class JsonBudget {
  values = 0;
  constructor(readonly maxValues: number = JSON_LIMITS.maxValues, readonly maxDepth: number = JSON_LIMITS.maxDepth) {}
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** Whether a byte starts a scalar that is not a string: a number, true, false or null. */
const startsScalar = (b: number): boolean => (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x74 || b === 0x66 || b === 0x6e;

/**
 * What is wrong with the shape of `bytes` for the budget, or undefined when it may be parsed.
 * Syntax is JSON.parse's to judge; this only counts, so anything it lets through is still
 * parsed strictly.
 */
export function jsonShapeProblem(name: string, bytes: Uint8Array, budget: JsonBudget): string | undefined {
  let depth = 0;
  let inString = false;
  let inScalar = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
      continue;
    }
    if (inScalar) {
      // a scalar runs until a delimiter; letters and digits of the same token are not new values
      if (b === 0x2c || b === CLOSE_ARRAY || b === CLOSE_OBJECT || b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x3a) inScalar = false;
      else continue;
    }
    if (b === QUOTE) {
      inString = true;
      budget.values++;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      budget.values++;
      if (++depth > budget.maxDepth) return `${name} nests arrays and objects more than ${budget.maxDepth} deep`;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    } else if (startsScalar(b)) {
      inScalar = true;
      budget.values++;
    }
    if (budget.values > budget.maxValues) return `${name}: the JSON attachments hold more than ${budget.maxValues.toLocaleString('en-US')} values`;
  }
  return undefined;
}
