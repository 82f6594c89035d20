// Every user-supplied pattern (a control's `matches`, a `pattern` parameter from the catalog or
// trustpack.yaml, the resource globs of waivers and responses) is matched by RE2's algorithm
// (the re2js port): time linear in the text, whatever the pattern. JavaScript's RegExp
// backtracks, so `(a+)+$` over a long resource name would stall a run for minutes (issue 19).
// The constructs only a backtracking engine can run (backreferences, lookaround) are refused
// when the pattern is loaded, with the construct named, never at match time.
import { RE2JS } from 're2js';

/** A compiled pattern: `test` finds it anywhere in the text, as RegExp.prototype.test does. */
export interface LinearPattern {
  readonly source: string;
  test(text: string): boolean;
}

/**
 * Why a pattern cannot be used. `backtracking-pattern`: JavaScript accepts it but it needs a
 * backtracking engine (or another construct RE2 lacks); `invalid-regex`: not a regular
 * expression at all.
 */
export class PatternError extends Error {
  constructor(message: string, readonly rule: 'backtracking-pattern' | 'invalid-regex') {
    super(message);
    this.name = 'PatternError';
  }
}

/**
 * The construct of JavaScript's syntax that only a backtracking engine can run, if the pattern
 * uses one: found by a scan that skips escapes and character classes (where `\1` is no
 * backreference). Checked before compiling, since re2js's translation would otherwise read
 * `\k<name>` as a literal "k".
 */
function backtrackingConstruct(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `a backreference (\\${next})`;
      if (!inClass && next === 'k' && source[i + 2] === '<') return 'a named backreference (\\k<name>)';
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true; // JavaScript's reading: `[]` is an empty class, closed by its `]`
    } else if (c === '(' && source[i + 1] === '?') {
      const look = source.slice(i + 2, i + 4);
      if (look.startsWith('=') || look.startsWith('!')) return `a lookahead (${source.slice(i, i + 3)}...)`;
      if (look === '<=' || look === '<!') return `a lookbehind (${source.slice(i, i + 4)}...)`;
    }
  }
  return undefined;
}

// Patterns repeat across controls and runs: compile each distinct source once per process.
const compiled = new Map<string, LinearPattern | PatternError>();

function build(source: string): LinearPattern | PatternError {
  const construct = backtrackingConstruct(source);
  if (construct) {
    return new PatternError(`${JSON.stringify(source)} uses ${construct}, which only a backtracking engine can run; patterns are matched in linear time (RE2 syntax): rewrite it without`, 'backtracking-pattern');
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(source));
  } catch (err) {
    const why = (err as Error).message;
    try {
      new RegExp(source);
    } catch (jsErr) {
      return new PatternError(`${JSON.stringify(source)} is not a valid regular expression: ${(jsErr as Error).message}`, 'invalid-regex');
    }
    return new PatternError(`${JSON.stringify(source)} uses a construct patterns do not support (they are matched in linear time, RE2 syntax): ${why}`, 'backtracking-pattern');
  }
  return { source, test: (text) => re.test(text) };
}

/** The pattern compiled for linear-time matching; throws PatternError when it cannot be. */
export function compilePattern(source: string): LinearPattern {
  const p = patternOrError(source);
  if (p instanceof PatternError) throw p;
  return p;
}

/** As compilePattern, returning the error instead of throwing it (for checks that list problems). */
export function patternOrError(source: string): LinearPattern | PatternError {
  let p = compiled.get(source);
  if (!p) {
    p = build(source);
    compiled.set(source, p);
  }
  return p;
}

/**
 * A resource glob: `*` matches any run of characters (':' and '/' and newlines included),
 * everything else is literal, and the glob covers the whole text. IAM's policy globs also take
 * `?` for one character and ignore case (`iam: true`).
 */
export function globPattern(glob: string, opts: { iam?: boolean } = {}): LinearPattern {
  const literal = (s: string): string => RE2JS.quote(s);
  const part = (s: string): string => (opts.iam ? s.split('?').map(literal).join('.') : literal(s));
  const body = glob.split('*').map(part).join('.*');
  // built from quoted literals, so RE2 syntax already: compiled as is, never translated
  const re = RE2JS.compile(`(?s${opts.iam ? 'i' : ''})^${body}$`);
  return { source: glob, test: (text) => re.test(text) };
}
