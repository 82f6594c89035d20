// A cursor over parsed YAML (or a plain object) that checks types and reports problems
// as "FILE:LINE:COL: problem", so a fixture author sees where to look.
import { isMap, isNode, isScalar, LineCounter, type Document } from 'yaml';
import { FixtureError } from './errors.js';
import { DATE_HINT, resolveDate } from './dates.js';

export type PathKey = string | number;

/** Finds the position of a path in the source; plain objects (generated fixtures) have none. */
export interface Locator {
  file: string;
  /** `atKey`: point at the mapping key of the last path element rather than its value */
  where(path: PathKey[], atKey?: boolean): string;
}

export function yamlLocator(file: string, doc: Document, lc: LineCounter): Locator {
  return {
    file,
    where(path, atKey) {
      const last = path[path.length - 1];
      if (atKey && last !== undefined) {
        const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
        const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === last) : undefined;
        if (pair && isNode(pair.key) && pair.key.range) {
          const pos = lc.linePos(pair.key.range[0]);
          return `${file}:${pos.line}:${pos.col}`;
        }
      }
      // walk up until a node with a range exists (a missing key points at its parent)
      for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) {
          const pos = lc.linePos(node.range[0]);
          return `${file}:${pos.line}:${pos.col}`;
        }
      }
      return `${file}:1:1`;
    },
  };
}

export function plainLocator(file: string): Locator {
  return { file, where: (path) => `${file}: at ${path.join('.') || '(root)'}` };
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

export class Cursor {
  constructor(readonly value: unknown, readonly path: PathKey[], readonly loc: Locator, readonly now: Date) {}

  fail(problem: string, at: PathKey[] = this.path, atKey = false): never {
    throw new FixtureError(`${this.loc.where(at, atKey)}: ${problem}`);
  }

  private get obj(): Record<string, unknown> {
    if (this.value === null || typeof this.value !== 'object' || Array.isArray(this.value)) {
      this.fail(`expected a mapping, found ${describe(this.value)}`);
    }
    return this.value as Record<string, unknown>;
  }

  /** Rejects keys not in `allowed`: a typo should not silently become a default. */
  keys(allowed: string[]): this {
    for (const k of Object.keys(this.obj)) {
      if (!allowed.includes(k)) this.fail(`unknown field "${k}" (expected one of: ${allowed.join(', ')})`, [...this.path, k], true);
    }
    return this;
  }

  has(key: string): boolean {
    const v = this.obj[key];
    return v !== undefined && v !== null;
  }

  at(key: string): Cursor {
    return new Cursor(this.obj[key], [...this.path, key], this.loc, this.now);
  }

  str(key: string): string;
  str(key: string, dflt: string): string;
  str(key: string, dflt?: string): string {
    const v = this.obj[key];
    if (v === undefined || v === null) {
      if (dflt !== undefined) return dflt;
      this.fail(`missing required field "${key}"`);
    }
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    this.fail(`"${key}" must be a string, found ${describe(v)}`, [...this.path, key]);
  }

  optStr(key: string): string | undefined {
    return this.has(key) ? this.str(key) : undefined;
  }

  oneOf<T extends string>(key: string, choices: readonly T[], dflt?: T): T {
    const v = dflt === undefined ? this.str(key) : this.str(key, dflt);
    if (!(choices as readonly string[]).includes(v)) {
      this.fail(`"${key}" must be one of ${choices.join(', ')}, found "${v}"`, [...this.path, key]);
    }
    return v as T;
  }

  num(key: string, dflt?: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.obj[key];
    if (v === undefined || v === null) {
      if (dflt !== undefined) return dflt;
      this.fail(`missing required field "${key}"`);
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(`"${key}" must be a whole number from ${min} to ${max}, found ${describe(v)}`, [...this.path, key]);
    }
    return v;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.obj[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') this.fail(`"${key}" must be true or false, found ${describe(v)}`, [...this.path, key]);
    return v;
  }

  date(key: string, dflt?: string): Date {
    const v = this.obj[key];
    const text = v === undefined || v === null ? dflt : v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : undefined;
    if (text === undefined) {
      if (v === undefined || v === null) this.fail(`missing required field "${key}"`);
      this.fail(`"${key}": ${DATE_HINT}, found ${describe(v)}`, [...this.path, key]);
    }
    const d = resolveDate(text, this.now);
    if (!d) this.fail(`"${key}": ${DATE_HINT}, found "${text}"`, [...this.path, key]);
    return d;
  }

  /** A list (missing = empty); each element as a cursor. */
  list(key: string): Cursor[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(`"${key}" must be a list, found ${describe(v)}`, [...this.path, key]);
    return v.map((item, i) => new Cursor(item, [...this.path, key, i], this.loc, this.now));
  }

  /** A list of scalars as strings (a single scalar is accepted as a one-item list). */
  strings(key: string): string[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    const items = Array.isArray(v) ? v : [v];
    return items.map((item, i) => {
      if (typeof item === 'string' || typeof item === 'number') return String(item);
      this.fail(`"${key}" must list strings, found ${describe(item)}`, [...this.path, key, ...(Array.isArray(v) ? [i] : [])]);
    });
  }

  /** A mapping (missing = empty); entries as [key, cursor]. */
  entries(key: string): [string, Cursor][] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(`"${key}" must be a mapping, found ${describe(v)}`, [...this.path, key]);
    return Object.entries(v as Record<string, unknown>).map(([k, item]) => [k, new Cursor(item, [...this.path, key, k], this.loc, this.now)]);
  }

  /** A scalar mapping as strings (for tags and parameters). */
  scalarMap(key: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, c] of this.entries(key)) {
      const v = c.value;
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') c.fail(`"${k}" must be a string, number or boolean, found ${describe(v)}`);
      out[k] = String(v);
    }
    return out;
  }
}
