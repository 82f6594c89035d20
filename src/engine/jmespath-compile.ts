// JMESPath paths compiled to closures once per control, for the node types assertions use
// (fields, sub-expressions, indexes, projections, flatten, filters with comparisons, and/or/not,
// literals). The tree interpreter walks the AST with a switch on every node of every record; a
// closure per node does the same work without the dispatch. Each closure mirrors the
// interpreter's case for that node exactly (same nulls, same truthiness, a field read even from
// the prototype as the interpreter does), so a verdict never depends on which one ran; any node
// type not listed here (functions, slices, pipes, let, root...) makes the whole path fall back
// to the interpreter. test/engine-jmespath-compile.test.ts checks both agree.
import { TreeInterpreter, type JSONValue } from '@jmespath-community/jmespath';

type Getter = (value: unknown) => unknown;

interface AstNode {
  type: string;
  name?: string;
  value?: unknown;
  left?: AstNode;
  right?: AstNode;
  child?: AstNode;
  condition?: AstNode;
}

/** JMESPath falsiness: null, false, '', [] and {} (the interpreter's isFalse). */
function isFalse(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return true;
  if (typeof v === 'string') return v === '';
  if (typeof v === 'object') return Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
  return false;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && Object.prototype.toString.call(v) === '[object Object]';

/** The interpreter's strictDeepEqual for EQ/NE, step for step. */
function strictDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!strictDeepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    const other = new Set(Object.keys(b));
    if (keys.length !== other.size) return false;
    for (const k of keys) {
      if (!strictDeepEqual(a[k], b[k])) return false;
      other.delete(k);
    }
    return other.size === 0;
  }
  return false;
}

class Unsupported extends Error {}

function node(n: AstNode): Getter {
  switch (n.type) {
    case 'Field': {
      const name = n.name!;
      return (v) => (v === null || typeof v !== 'object' || Array.isArray(v) ? null : (v as Record<string, unknown>)[name] ?? null);
    }
    case 'Subexpression': {
      const l = node(n.left!);
      const r = node(n.right!);
      return (v) => {
        const x = l(v);
        return x != null ? r(x) ?? null : null;
      };
    }
    case 'IndexExpression': {
      const l = node(n.left!);
      const r = node(n.right!);
      return (v) => r(l(v));
    }
    case 'Index': {
      const i = n.value as number;
      return (v) => (Array.isArray(v) ? (v[i < 0 ? v.length + i : i] as unknown) ?? null : null);
    }
    case 'Projection': {
      // a slice on the left lets a string through: left to the interpreter
      if (n.left!.type === 'IndexExpression' && n.left!.right?.type === 'Slice') throw new Unsupported();
      const l = node(n.left!);
      const r = node(n.right!);
      return (v) => {
        const base = l(v);
        if (!Array.isArray(base)) return null;
        const out: unknown[] = [];
        for (const e of base) {
          const x = r(e);
          if (x !== null) out.push(x);
        }
        return out;
      };
    }
    case 'FilterProjection': {
      const l = node(n.left!);
      const r = node(n.right!);
      const c = node(n.condition!);
      return (v) => {
        const base = l(v);
        if (!Array.isArray(base)) return null;
        const out: unknown[] = [];
        for (const e of base) {
          if (isFalse(c(e))) continue;
          const x = r(e);
          if (x !== null) out.push(x);
        }
        return out;
      };
    }
    case 'Flatten': {
      const ch = node(n.child!);
      return (v) => {
        const x = ch(v);
        return Array.isArray(x) ? x.flat() : null;
      };
    }
    case 'Comparator': {
      const l = node(n.left!);
      const r = node(n.right!);
      switch (n.name) {
        case 'EQ': return (v) => strictDeepEqual(l(v), r(v));
        case 'NE': return (v) => !strictDeepEqual(l(v), r(v));
        case 'GT': case 'GTE': case 'LT': case 'LTE': {
          const name = n.name;
          return (v) => {
            const a = l(v);
            const b = r(v);
            if (typeof a !== 'number' || typeof b !== 'number') return null;
            return name === 'GT' ? a > b : name === 'GTE' ? a >= b : name === 'LT' ? a < b : a <= b;
          };
        }
        default: throw new Unsupported();
      }
    }
    case 'OrExpression': {
      const l = node(n.left!);
      const r = node(n.right!);
      return (v) => {
        const x = l(v);
        return isFalse(x) ? r(v) : x;
      };
    }
    case 'AndExpression': {
      const l = node(n.left!);
      const r = node(n.right!);
      return (v) => {
        const x = l(v);
        return isFalse(x) ? x : r(v);
      };
    }
    case 'NotExpression': {
      const ch = node(n.child!);
      return (v) => isFalse(ch(v));
    }
    case 'Literal': {
      const lit = n.value;
      return () => lit;
    }
    case 'Current':
    case 'Identity':
      return (v) => v;
    default:
      throw new Unsupported();
  }
}

/** A getter for a parsed JMESPath expression: compiled when every node is one of the above, else the interpreter. */
export function compileJmesPath(ast: unknown): Getter {
  try {
    return node(ast as AstNode);
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
    return (data) => TreeInterpreter.search(ast as Parameters<typeof TreeInterpreter.search>[0], (data ?? null) as JSONValue);
  }
}
