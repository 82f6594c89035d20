// The parameter type registry: the one place that says which kinds of value a control's
// parameter may take. A control declares `type:` for each parameter (control.schema.json lists
// these ids; test/parameter-types.test.ts keeps the two in step), and every value — the
// control's default, an example's override, trustpack.yaml's `parameters` and
// `control_parameters` — is checked here, so "15 days" for a day count or an account id that
// YAML read as a number is a load error naming the file and line, not a failing result.

import { patternOrError, PatternError } from '../util/pattern.js';

/** One problem in a value: where inside the value (segments, [] = the value itself) and what. */
interface TypeProblem {
  at: (string | number)[];
  message: string;
  /** the rule to report it under, when not the generic `parameter-type` */
  rule?: 'backtracking-pattern' | 'invalid-regex';
}

/** Recovers the source text of a number inside the value (YAML drops an id's leading zeros). */
type NumberSource = (at: (string | number)[]) => string | undefined;

interface ParameterTypeSpec {
  /** what a value of this type is, in plain words ("a whole number of days, 0 or more") */
  readonly describe: string;
  check(value: unknown, numberSource?: NumberSource): TypeProblem[];
}

const shown = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `text ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
};

function wholeNumber(what: string): ParameterTypeSpec {
  const describe = `a whole number of ${what}, 0 or more`;
  return {
    describe,
    check: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? [] : [{ at: [], message: `should be ${describe}, got ${shown(v)}` }]),
  };
}

/** A list of strings, each matching `pattern`; `item` names one element in messages. */
function listOf(item: string, pattern: RegExp, example: string, numbersAreIds = false): ParameterTypeSpec {
  const describe = `a list of ${item}s (text), such as [${JSON.stringify(example)}]`;
  return {
    describe,
    check(v, numberSource) {
      if (!Array.isArray(v)) return [{ at: [], message: `should be ${describe}, got ${shown(v)}` }];
      const out: TypeProblem[] = [];
      v.forEach((el, i) => {
        if (typeof el === 'number' && numbersAreIds) {
          // YAML reads unquoted digits as a number: 012345678901 becomes 12345678901.
          const text = numberSource?.([i]) ?? String(el);
          const quoted = /^\d+$/.test(text) ? text : String(el).padStart(12, '0');
          out.push({ at: [i], message: `${item} ${text} is a number, not text (YAML reads unquoted digits as a number and drops leading zeros); quote it: "${quoted}"` });
        } else if (typeof el !== 'string') {
          out.push({ at: [i], message: `should be a ${item} (text), got ${shown(el)}` });
        } else if (!pattern.test(el)) {
          out.push({ at: [i], message: `${JSON.stringify(el)} is not a ${item}; expected something like ${JSON.stringify(example)}` });
        }
      });
      return out;
    },
  };
}

/**
 * The fixed set of parameter types. Adding one is a change to this table (and to the enum in
 * control.schema.json, which the registry test compares with it).
 */
export const PARAMETER_TYPES = {
  /** a number of days: deletion windows, maximum ages */
  days: wholeNumber('days'),
  /** a number of things: availability zones, members */
  count: wholeNumber('items'),
  /** AWS account ids: exactly 12 digits, kept as text so leading zeros survive */
  'account-ids': listOf('12-digit AWS account id', /^\d{12}$/, '012345678901', true),
  /**
   * AWS region names. Only the shape is checked here; whether a region exists is decided by the
   * region checks of src/aws (the SDK's partition data), which know the real names.
   */
  regions: listOf('region name', /^[a-z]{2}(-[a-z]+)+-\d+$/, 'eu-central-1'),
  /** ARNs: arn:partition:service:region:account:resource */
  arns: listOf('ARN', /^arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:.+$/, 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
  /** free text: a name, a pattern */
  string: {
    describe: 'text',
    check: (v) => (typeof v === 'string' ? [] : [{ at: [], message: `should be text, got ${shown(v)}` }]),
  },
  /**
   * a regular expression (for `matches`), matched in linear time: one that needs a backtracking
   * engine is refused where it is written, the catalog's default or trustpack.yaml's value alike
   */
  pattern: {
    describe: 'a regular expression (RE2 syntax: no backreferences or lookaround)',
    check: (v) => {
      if (typeof v !== 'string') return [{ at: [], message: `should be a regular expression (text), got ${shown(v)}` }];
      const p = patternOrError(v);
      return p instanceof PatternError ? [{ at: [], message: p.message, rule: p.rule }] : [];
    },
  },
  /** a list of free-text names (certificate authority ids, engine names) */
  strings: {
    describe: 'a list of text values',
    check: (v) => {
      if (!Array.isArray(v)) return [{ at: [], message: `should be a list of text values, got ${shown(v)}` }];
      return v.flatMap((el, i) => (typeof el === 'string' ? [] : [{ at: [i], message: `should be text, got ${shown(el)}` }]));
    },
  },
} as const satisfies Record<string, ParameterTypeSpec>;

export type ParameterType = keyof typeof PARAMETER_TYPES;
export const PARAMETER_TYPE_IDS = Object.keys(PARAMETER_TYPES) as ParameterType[];

/** Problems of `value` as a value of `type`; [] when it fits. */
export function checkParameterValue(type: ParameterType, value: unknown, numberSource?: NumberSource): TypeProblem[] {
  return PARAMETER_TYPES[type].check(value, numberSource);
}
