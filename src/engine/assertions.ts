// The assertion language: compiled once per control (JMESPath parsed once per path), then
// evaluated per resource. A failure always names the value that decided it.
import { compile } from '@jmespath-community/jmespath';
import { compileJmesPath } from './jmespath-compile.js';
import type { Assertion, Comparison, Operator, ParameterDef } from '../controls/model.js';
import { DAY_MS, deepEqual, show, showDays, toTime } from './values.js';
import { patternOrError, PatternError, type LinearPattern } from '../util/pattern.js';

export interface EvalContext {
  params: Readonly<Record<string, unknown>>;
  now: Date;
}

interface Outcome {
  ok: boolean;
  /** not ok because a field the verdict depends on is absent and the control does not say what absence means */
  unknown: boolean;
  /** why it failed, naming the deciding value; on a pass, the values that made it pass */
  reason: string;
  /** JMESPath path -> value looked at */
  values: Record<string, unknown>;
}

/** A failure: its reason and how many comparisons failed (to pick the closest `any` alternative). */
interface Failure {
  reason: string; n: number;
  /** the first part of an `all` failed: its guard did not hold */
  guardFailed: boolean;
  /** neither true nor false: a field it needs is absent and undeclared (three-valued, as Kleene's logic) */
  unknown: boolean;
}
/** Returns undefined on pass, the failure otherwise; records looked-at values. */
type Node = (resource: unknown, ctx: EvalContext, values: Record<string, unknown>) => Failure | undefined;

/** One comparison split in two, so the engine can read the value and judge it without a values object. */
interface SingleComparison {
  readonly path: string;
  /** an absent value makes this comparison unknown (the control declares no `absent_means` for it) */
  readonly unknownWhenAbsent: boolean;
  /** the value at the path (null when missing) */
  read(resource: unknown): unknown;
  /** the failure reason for that value, or undefined when it holds */
  judge(value: unknown, ctx: EvalContext): string | undefined;
}

export interface CompiledAssertion {
  readonly assertion: Assertion;
  evaluate(resource: unknown, ctx: EvalContext): Outcome;
  /** cheaper form for scope filters: no values, no reason; unknown counts as false */
  test(resource: unknown, ctx: EvalContext): boolean;
  /** three-valued form for scope and error_when: true, false, or the reason it cannot be told */
  decide(resource: unknown, ctx: EvalContext): boolean | string;
  /** the engine's hot path: fills `values`, returns the failure (unknown or not) or undefined on a pass */
  check(resource: unknown, ctx: EvalContext, values: Record<string, unknown>): Failure | undefined;
  /** set when the assertion is one comparison (most controls): `check` without the values object */
  readonly single?: SingleComparison;
}

/**
 * Where test() and decide() let the nodes write the values they read: nobody reads it back, and
 * one shared object spares a scope filter an allocation per resource.
 */
const DISCARDED: Record<string, unknown> = {};

export function compileAssertion(assertion: Assertion, defs: Readonly<Record<string, ParameterDef>> = {}): CompiledAssertion {
  const node = compileNode(assertion, defs);
  const single = 'all' in assertion || 'any' in assertion || 'not' in assertion ? undefined : compileSingle(assertion, defs);
  return {
    assertion,
    ...(single ? { single } : {}),
    evaluate(resource, ctx) {
      const values: Record<string, unknown> = {};
      const failed = node(resource, ctx, values);
      if (failed !== undefined) return { ok: false, unknown: failed.unknown, reason: failed.reason, values };
      return { ok: true, unknown: false, reason: passReason(values), values };
    },
    test(resource, ctx) {
      return node(resource, ctx, DISCARDED) === undefined;
    },
    decide(resource, ctx) {
      const f = node(resource, ctx, DISCARDED);
      return f === undefined ? true : f.unknown ? f.reason : false;
    },
    check(resource, ctx, values) {
      return node(resource, ctx, values);
    },
  };
}

function passReason(values: Record<string, unknown>): string {
  let out = '';
  for (const k in values) out += (out ? ', ' : '') + `${k} is ${show(values[k])}`;
  return out;
}

function compileNode(a: Assertion, defs: Readonly<Record<string, ParameterDef>>): Node {
  if ('all' in a) {
    const kids = a.all.map((k) => compileNode(k, defs));
    return (r, ctx, values) => {
      let out: Failure | undefined;
      // every part is evaluated, so the finding shows all the values the assertion looked at
      for (let i = 0; i < kids.length; i++) {
        const f = kids[i]!(r, ctx, values);
        if (f === undefined) continue;
        out = out === undefined ? { reason: f.reason, n: f.n, guardFailed: i === 0, unknown: f.unknown }
          : { reason: `${out.reason}; ${f.reason}`, n: out.n + f.n, guardFailed: out.guardFailed, unknown: out.unknown && f.unknown };
      }
      // false when any part is false; unknown only when every failing part is unknown
      return out;
    };
  }
  if ('any' in a) {
    const kids = a.any.map((k) => compileNode(k, defs));
    return (r, ctx, values) => {
      const fails: Failure[] = [];
      for (const k of kids) {
        const f = k(r, ctx, values);
        if (f === undefined) return undefined;
        fails.push(f);
      }
      // no alternative holds: unknown when one of them is unknown (it might have held)
      const unknowns = fails.filter((f) => f.unknown);
      if (unknowns.length > 0) return { reason: unknowns.map((f) => f.reason).join('; or '), n: unknowns[0]!.n, guardFailed: false, unknown: true };
      // The alternative the resource was meant to meet is the one whose guard (first part,
      // such as the engine) held and that came closest; its failure is the useful reason.
      let pool = fails.filter((f) => !f.guardFailed);
      if (pool.length === 0) pool = fails;
      let least = Infinity;
      for (const f of pool) if (f.n < least) least = f.n;
      const closest = pool.filter((f) => f.n === least);
      const reason = closest.length === 1 ? closest[0]!.reason : `none of the alternatives holds: ${closest.map((f) => f.reason).join('; or ')}`;
      return { reason, n: least, guardFailed: false, unknown: false };
    };
  }
  if ('not' in a) {
    const kid = compileNode(a.not, defs);
    const said = describeAssertion(a.not, {}, defs, false);
    // the values that made it hold are named, so the finding shows what decided it
    return (r, ctx, values) => {
      const seen: Record<string, unknown> = {};
      const f = kid(r, ctx, seen);
      Object.assign(values, seen);
      if (f === undefined) return { reason: `expected not (${said}), but it holds: ${passReason(seen)}`, n: 1, guardFailed: false, unknown: false };
      return f.unknown ? f : undefined;
    };
  }
  const { path, read, judge, unknownWhenAbsent } = compileSingle(a, defs);
  return (r, ctx, values) => {
    const l = read(r);
    values[path] = l;
    const why = judge(l, ctx);
    return why === undefined ? undefined : { reason: why, n: 1, guardFailed: false, unknown: unknownWhenAbsent && (l === null || l === undefined) };
  };
}

const SIMPLE_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** A getter for a JMESPath path; plain field chains skip the interpreter (the common case, and hot). */
function compilePath(path: string): (data: unknown) => unknown {
  if (SIMPLE_PATH.test(path)) {
    const keys = path.split('.');
    // a key Object.prototype also has ("constructor") must not read the prototype's value
    const inherited = keys.some((k) => k in Object.prototype);
    if (keys.length === 1 && !inherited) {
      const k = keys[0]!;
      return (data) => {
        if (data === null || typeof data !== 'object' || Array.isArray(data)) return null;
        const v = (data as Record<string, unknown>)[k];
        return v === undefined ? null : v;
      };
    }
    return (data) => {
      let cur: unknown = data;
      for (const k of keys) {
        if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return null;
        cur = !inherited || Object.prototype.hasOwnProperty.call(cur, k) ? (cur as Record<string, unknown>)[k] : null;
      }
      return cur === undefined ? null : cur;
    };
  }
  const get = compileJmesPath(compile(path));
  return (data) => {
    const v = get(data ?? null);
    return v === undefined ? null : v;
  };
}

/** Array membership by deep equality; a plain loop because this runs per resource. */
function includesEqual(list: readonly unknown[], v: unknown): boolean {
  for (const x of list) if (x === v || deepEqual(x, v)) return true;
  return false;
}

function lengthOf(v: unknown): number | undefined {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v !== null && typeof v === 'object') return Object.keys(v).length;
  return undefined;
}

/** Numbers compare as numbers (numeric text too, as AWS returns parameter values as text); ISO dates as dates. */
function asNumber(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
}

function comparable(l: unknown, r: unknown): [number, number] | undefined {
  const num = asNumber;
  if (typeof l === 'number' || typeof r === 'number') {
    const a = num(l);
    const b = num(r);
    return a !== undefined && b !== undefined ? [a, b] : undefined;
  }
  const ta = toTime(l);
  const tb = toTime(r);
  if (ta !== undefined && tb !== undefined) return [ta, tb];
  return undefined;
}

const ORDER_WORDS: Partial<Record<Operator, string>> = {
  'greater-than': 'more than', 'greater-or-equal': 'at least', 'less-than': 'less than', 'less-or-equal': 'at most',
  'length-equals': 'exactly', 'length-greater-or-equal': 'at least', 'length-less-or-equal': 'at most',
};

function compileSingle(c: Comparison, defs: Readonly<Record<string, ParameterDef>>): SingleComparison {
  const get = compilePath(c.path);
  const p = c.path;
  const op = c.op;
  const param = c.param;
  const unit = param !== undefined ? defs[param]?.unit : undefined;
  const ageUnit = unit ?? 'days';
  const literal = c.value;
  /** the right-hand side in a reason: "deletion_window_days = 15 days" or "true" */
  const rhsTextOf = (v: unknown, u: string | undefined): string =>
    param !== undefined ? `${param} = ${show(v)}${u ? ` ${u}` : ''}` : `${show(v)}${u ? ` ${u}` : ''}`;
  // the right-hand side is the same literal or parameter value for every resource: its text is
  // built once (a list shown for each of 100,000 failing resources was a tenth of the engine's time)
  let lastRhs: { v: unknown; u: string | undefined; text: string } | undefined;
  const rhsText = (v: unknown, u: string | undefined = unit): string => {
    if (lastRhs !== undefined && lastRhs.v === v && lastRhs.u === u) return lastRhs.text;
    const text = rhsTextOf(v, u);
    lastRhs = { v, u, text };
    return text;
  };

  // linear-time matching whatever the pattern (src/util/pattern.ts caches each source once)
  const regexFor = (source: unknown): LinearPattern | PatternError => patternOrError(String(source));

  const cmp = comparator(op, p, rhsText, ageUnit, regexFor);
  const missingReason = `${p} is missing`;
  const paramMissing = `parameter ${param ?? ''} has no value`;

  // The op is fixed per comparison, so the per-resource closure does only the work it needs.
  if (op === 'absent') {
    return { path: p, read: get, unknownWhenAbsent: false, judge: (l) => (l === null || l === undefined ? undefined : `${p} is present (${show(l)}), expected it absent`) };
  }
  if (op === 'exists') {
    return { path: p, read: get, unknownWhenAbsent: false, judge: (l) => (l === null || l === undefined ? missingReason : undefined) };
  }
  // `all-in`: an empty list has nothing outside the list (an absent one is unknown, as for every op)
  const emptyPasses = op === 'all-in';
  // an absent value is what the control declares it to be, or unknown (the finding is ERROR)
  const declared = c.absent_means !== undefined;
  const absentValue = c.absent_means;
  const unknownWhenAbsent = !declared;
  const unknownReason = `${p} is absent, so this cannot be judged (the control does not say what its absence means)`;
  return { path: p, read: get, unknownWhenAbsent, judge: (l, ctx) => {
    let r = literal;
    if (param !== undefined) {
      r = ctx.params[param];
      if (r === undefined) return paramMissing;
    }
    if (l === null || l === undefined) {
      if (declared) {
        const why = cmp(absentValue, r, ctx);
        return why === undefined ? undefined : `${p} is absent, which means ${show(absentValue)}: ${why}`;
      }
      return unknownReason;
    }
    if (emptyPasses && Array.isArray(l) && l.length === 0) return undefined;
    return cmp(l, r, ctx);
  } };
}

type Comparator = (l: unknown, r: unknown, ctx: EvalContext) => string | undefined;

/** The comparison proper, chosen once per comparison; `l` is never null here. */
function comparator(
  op: Operator,
  p: string,
  rhsText: (v: unknown, unit?: string) => string,
  ageUnit: string,
  regexFor: (source: unknown) => LinearPattern | PatternError,
): Comparator {
  switch (op) {
    case 'equals':
      return (l, r) => (l === r || deepEqual(l, r) ? undefined : `${p} is ${show(l)}, expected ${rhsText(r)}`);
    case 'not-equals':
      return (l, r) => (l === r || deepEqual(l, r) ? `${p} is ${show(l)}, expected anything but ${rhsText(r)}` : undefined);
    case 'greater-than':
    case 'greater-or-equal':
    case 'less-than':
    case 'less-or-equal': {
      const holds = op === 'greater-than' ? (a: number, b: number) => a > b
        : op === 'greater-or-equal' ? (a: number, b: number) => a >= b
          : op === 'less-than' ? (a: number, b: number) => a < b
            : (a: number, b: number) => a <= b;
      const words = ORDER_WORDS[op];
      return (l, r) => {
        const pair = comparable(l, r);
        if (!pair) return `${p} is ${show(l)}, which cannot be compared with ${rhsText(r)}`;
        return holds(pair[0], pair[1]) ? undefined : `${p} is ${show(l)}, expected ${words} ${rhsText(r)}`;
      };
    }
    case 'in':
    case 'not-in': {
      const wantIn = op === 'in';
      return (l, r) => {
        if (!Array.isArray(r)) return `${rhsText(r)} is not a list`;
        const found = includesEqual(r, l);
        if (wantIn) return found ? undefined : `${p} is ${show(l)}, expected one of ${rhsText(r)}`;
        return found ? `${p} is ${show(l)}, which is one of ${rhsText(r)}` : undefined;
      };
    }
    case 'all-in':
      return (l, r) => {
        if (!Array.isArray(r)) return `${rhsText(r)} is not a list`;
        const items = Array.isArray(l) ? l : [l];
        let outside: unknown[] | undefined;
        for (const x of items) if (!includesEqual(r, x)) (outside ??= []).push(x);
        if (outside === undefined) return undefined;
        const list = outside.map(show).join(', ');
        return `${p} contains ${list}, which ${outside.length === 1 ? 'is' : 'are'} not in ${rhsText(r)}`;
      };
    case 'any-in':
      // some element of a list (or the value itself) is in the given list: a key named by any of its ARNs
      return (l, r) => {
        if (!Array.isArray(r)) return `${rhsText(r)} is not a list`;
        const items = Array.isArray(l) ? l : [l];
        return items.some((x) => includesEqual(r, x)) ? undefined : `no element of ${p} (${show(l)}) is in ${rhsText(r)}`;
      };
    case 'contains-all':
      // every one of a non-empty list is an element of the value (an empty list names no one: false)
      return (l, r) => {
        if (!Array.isArray(r)) return `${rhsText(r)} is not a list`;
        if (r.length === 0) return `${rhsText(r)} names nothing to look for in ${p} (${show(l)})`;
        const items = Array.isArray(l) ? l : [l];
        const lacking = r.filter((x) => !includesEqual(items, x));
        return lacking.length === 0 ? undefined : `${p} is ${show(l)}, which lacks ${lacking.map(show).join(', ')} of ${rhsText(r)}`;
      };
    case 'contains':
    case 'not-contains': {
      const want = op === 'contains';
      return (l, r) => {
        let has: boolean;
        if (Array.isArray(l)) has = includesEqual(l, r);
        else if (typeof l === 'string' && typeof r === 'string') has = l.includes(r);
        else return `${p} is ${show(l)}, neither a list nor text, so it cannot contain ${rhsText(r)}`;
        if (want) return has ? undefined : `${p} is ${show(l)}, which does not contain ${rhsText(r)}`;
        return has ? `${p} is ${show(l)}, which contains ${rhsText(r)}` : undefined;
      };
    }
    case 'matches':
      return (l, r) => {
        if (typeof l !== 'string' && typeof l !== 'number') return `${p} is ${show(l)}, not text, so it cannot match ${rhsText(r)}`;
        const re = regexFor(r);
        if (re instanceof PatternError) return `${rhsText(r)} cannot be used as a pattern: ${re.message}`;
        return re.test(String(l)) ? undefined : `${p} is ${show(l)}, which does not match ${rhsText(r)}`;
      };
    case 'length-equals':
    case 'length-greater-or-equal':
    case 'length-less-or-equal': {
      const words = ORDER_WORDS[op];
      return (l, r) => {
        const n = lengthOf(l);
        if (n === undefined) return `${p} is ${show(l)}, which has no length`;
        if (typeof r !== 'number') return `${rhsText(r)} is not a number`;
        const ok = op === 'length-equals' ? n === r : op === 'length-greater-or-equal' ? n >= r : n <= r;
        return ok ? undefined : `length of ${p} is ${n}, expected ${words} ${rhsText(r)}`;
      };
    }
    case 'older-than-days':
    case 'newer-than-days': {
      const newer = op === 'newer-than-days';
      return (l, r, ctx) => {
        const t = toTime(l);
        if (t === undefined) return `${p} ${show(l)} is not a valid timestamp`;
        if (typeof r !== 'number') return `${rhsText(r, ageUnit)} is not a number`;
        const age = (ctx.now.getTime() - t) / DAY_MS;
        // newer-than-days N: no older than N days; older-than-days N: strictly older
        if (newer) return age <= r ? undefined : `${p} ${String(l)} is ${showDays(age, r)} days old, more than ${rhsText(r, ageUnit)}`;
        return age > r ? undefined : `${p} ${String(l)} is ${showDays(age, r)} days old, expected more than ${rhsText(r, ageUnit)}`;
      };
    }
    default:
      return () => `unknown operator ${String(op)}`;
  }
}

const DESCRIBE: Record<Operator, (p: string, v: string) => string> = {
  'equals': (p, v) => `${p} equals ${v}`,
  'not-equals': (p, v) => `${p} does not equal ${v}`,
  'greater-than': (p, v) => `${p} is greater than ${v}`,
  'greater-or-equal': (p, v) => `${p} is at least ${v}`,
  'less-than': (p, v) => `${p} is less than ${v}`,
  'less-or-equal': (p, v) => `${p} is at most ${v}`,
  'in': (p, v) => `${p} is one of ${v}`,
  'not-in': (p, v) => `${p} is not one of ${v}`,
  'all-in': (p, v) => `every element of ${p} is in ${v}`,
  'any-in': (p, v) => `some element of ${p} is in ${v}`,
  'contains-all': (p, v) => `${p} contains every one of ${v}`,
  'contains': (p, v) => `${p} contains ${v}`,
  'not-contains': (p, v) => `${p} does not contain ${v}`,
  'matches': (p, v) => `${p} matches ${v}`,
  'exists': (p) => `${p} is present`,
  'absent': (p) => `${p} is absent`,
  'length-equals': (p, v) => `length of ${p} is ${v}`,
  'length-greater-or-equal': (p, v) => `length of ${p} is at least ${v}`,
  'length-less-or-equal': (p, v) => `length of ${p} is at most ${v}`,
  'older-than-days': (p, v) => `${p} is more than ${v} old`,
  'newer-than-days': (p, v) => `${p} is at most ${v} old`,
};

/**
 * The assertion in plain English, parameters shown with their values:
 * "StorageEncrypted equals true and length of MemberAvailabilityZones is at least min_member_zones (2)".
 */
export function describeAssertion(
  assertion: Assertion,
  params: Readonly<Record<string, unknown>>,
  defs: Readonly<Record<string, ParameterDef>> = {},
  showParamValues = true,
): string {
  const wrap = (a: Assertion): string => {
    const s = describeAssertion(a, params, defs, showParamValues);
    return 'all' in a || 'any' in a ? `(${s})` : s;
  };
  if ('all' in assertion) return assertion.all.map(wrap).join(' and ');
  if ('any' in assertion) return assertion.any.map(wrap).join(' or ');
  if ('not' in assertion) return `not (${describeAssertion(assertion.not, params, defs, showParamValues)})`;
  const c = assertion;
  const absent = c.absent_means !== undefined ? ` (absent means ${show(c.absent_means)})` : '';
  if (c.says) return (showParamValues ? withParamValues(c.says, params, defs) : c.says) + absent;
  const age = c.op === 'older-than-days' || c.op === 'newer-than-days';
  const unit = (c.param !== undefined ? defs[c.param]?.unit : undefined) ?? (age ? 'days' : undefined);
  let v: string;
  if (c.param !== undefined) {
    const val = params[c.param] ?? defs[c.param]?.default;
    v = showParamValues && val !== undefined ? `${c.param} (${show(val)}${unit ? ` ${unit}` : ''})` : c.param;
    if (age && !(showParamValues && val !== undefined)) v += ' days';
  } else {
    v = `${show(c.value)}${unit ? ` ${unit}` : ''}`;
  }
  const render = DESCRIBE[c.op];
  return (render ? render(c.path, v) : `${c.path} ${String(c.op)} ${v}`) + absent;
}

/** In a `says` sentence, shows each parameter it names with its value: "at least min_member_zones (2) zones". */
function withParamValues(says: string, params: Readonly<Record<string, unknown>>, defs: Readonly<Record<string, ParameterDef>>): string {
  let out = says;
  for (const name of Object.keys(defs)) {
    const val = params[name] ?? defs[name]?.default;
    if (val === undefined) continue;
    out = out.replace(new RegExp(`(?<![\\w.])${name}(?![\\w(]| \\()`, 'g'), `${name} (${show(val)})`);
  }
  return out;
}
