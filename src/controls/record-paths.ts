// Which fields a JMESPath expression reads, checked against the fields a collector's records can
// have (collectors/record-fields.generated.ts, from the AWS SDK's output shapes). A path naming
// a field no record can carry is a mistake in the control: left alone it makes every resource
// out of scope (NOT_APPLICABLE) or fail, without saying why.
import { compile } from '@jmespath-community/jmespath';

/** 0 a scalar, 1 anything (documents, recursive shapes), a structure, a list or a map. */
export type FieldTree = 0 | 1 | { s?: string; f: Readonly<Record<string, FieldTree>> } | { l: FieldTree } | { m: FieldTree };

interface UnknownField {
  /** the field as written */
  field: string;
  /** the structure it was looked up in (its SDK shape name, or "the record") */
  within: string;
  /** the closest real field, when one is near */
  suggestion?: string;
}

type Node = { type: string; [k: string]: unknown };

const ANY: FieldTree = 1;
const isStruct = (t: FieldTree): t is { s?: string; f: Readonly<Record<string, FieldTree>> } => typeof t === 'object' && 'f' in t;
const itemOf = (t: FieldTree): FieldTree => (typeof t === 'object' && 'l' in t ? t.l : ANY);

/** Levenshtein distance, for "did you mean" (field names are short). */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

function suggest(field: string, names: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = distance(field, n);
    if (d < bestD) [best, bestD] = [n, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(field.length / 4)) ? best : undefined;
}

// the same paths recur across controls (and runs of the loader in one process): parse each once
const asts = new Map<string, Node | null>();
function parsed(expression: string): Node | null {
  let ast = asts.get(expression);
  if (ast === undefined) {
    try {
      ast = compile(expression) as unknown as Node;
    } catch {
      ast = null;
    }
    asts.set(expression, ast);
  }
  return ast;
}

/**
 * The fields of `expression` that no record of `tree` can have. An expression that does not
 * compile reports nothing here (the JMESPath check reports it).
 */
export function unknownFields(expression: string, tree: FieldTree): UnknownField[] {
  const ast = parsed(expression);
  if (!ast) return [];
  const out: UnknownField[] = [];
  const visit = (n: Node | undefined, cur: FieldTree): FieldTree => {
    if (!n) return ANY;
    const child = (k: string) => n[k] as Node | undefined;
    switch (n.type) {
      case 'Field': {
        const name = n['name'] as string;
        if (isStruct(cur)) {
          const t = cur.f[name];
          if (t !== undefined) return t;
          const names = Object.keys(cur.f);
          const s = suggest(name, names);
          out.push({ field: name, within: cur.s ?? 'the record', ...(s ? { suggestion: s } : {}) });
          return ANY;
        }
        if (typeof cur === 'object' && 'm' in cur) return cur.m;
        return ANY;
      }
      case 'Subexpression':
      case 'Pipe':
        return visit(child('right'), visit(child('left'), cur));
      case 'IndexExpression': {
        const left = visit(child('left'), cur);
        return child('right')?.type === 'Index' ? itemOf(left) : visit(child('right'), left);
      }
      case 'Index':
      case 'Slice':
        return ANY;
      case 'Flatten': {
        const inner = visit(child('child'), cur);
        const item = itemOf(inner);
        return { l: typeof item === 'object' && 'l' in item ? item.l : item };
      }
      case 'Projection': {
        const left = visit(child('left'), cur);
        return { l: visit(child('right'), itemOf(left)) };
      }
      case 'FilterProjection': {
        const item = itemOf(visit(child('left'), cur));
        visit(child('condition'), item);
        return { l: visit(child('right'), item) };
      }
      case 'ValueProjection': {
        const left = visit(child('left'), cur);
        const values = isStruct(left) ? ANY : typeof left === 'object' && 'm' in left ? left.m : ANY;
        return { l: visit(child('right'), values) };
      }
      case 'Identity':
      case 'Current':
        return cur;
      case 'Function': {
        const args = (n['children'] as Node[] | undefined) ?? [];
        const first = args[0] ? visit(args[0], cur) : ANY;
        // an &expression (sort_by, max_by, map) is evaluated on the items of the list argument
        args.slice(1).forEach((a) => (a.type === 'ExpressionReference' ? visit(a['child'] as Node, itemOf(first)) : visit(a, cur)));
        return ANY;
      }
      case 'ExpressionReference':
        visit(child('child'), cur);
        return ANY;
      case 'MultiSelectList':
        for (const c of (n['children'] as Node[] | undefined) ?? []) visit(c, cur);
        return ANY;
      case 'MultiSelectHash':
        for (const c of (n['children'] as Node[] | undefined) ?? []) visit(c['value'] as Node, cur);
        return ANY;
      case 'KeyValuePair':
        return visit(child('value'), cur);
      case 'Literal':
        return ANY;
      default: {
        // comparators, and/or/not, arithmetic: every operand reads the same current value
        for (const k of ['left', 'right', 'child']) if (child(k)) visit(child(k), cur);
        for (const c of (n['children'] as Node[] | undefined) ?? []) visit(c, cur);
        return ANY;
      }
    }
  };
  visit(ast, tree);
  return out;
}
