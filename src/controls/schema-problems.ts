// Turns ajv errors into LoadProblems worded for people who write YAML, not JSON Schema.
import type { ErrorObject } from 'ajv';
import type { Document, LineCounter } from 'yaml';
import type { LoadProblem } from './model.js';
import { locate, pointerSegments, positionOf } from './yaml-locate.js';
import { frameworkIdList } from './registry/frameworks.js';

/** "/assert/all/0/op" -> "assert.all[0].op" */
export function dotted(pointer: string): string {
  let out = '';
  for (const seg of pointerSegments(pointer)) {
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `text ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text', number: 'a number', integer: 'a whole number', boolean: 'true or false',
  object: 'a mapping (key: value)', array: 'a list', null: 'null',
};

// propertyNames sub-errors repeat what the propertyNames error itself says
const COMBINATORS = ['/oneOf/', '/anyOf/', '/not/', '/propertyNames/'];

export function schemaProblems(errors: readonly ErrorObject[], file: string, doc: Document, lc: LineCounter): LoadProblem[] {
  // Sub-errors of a combinator are noise: the combinator's own error carries the wording.
  // `if` errors only say which branch failed; the branch's errors are reported themselves.
  let kept = errors.filter((e) => e.keyword !== 'if' && !COMBINATORS.some((c) => e.schemaPath.includes(c)));
  const specific = new Set(kept.filter((e) => !['oneOf', 'anyOf', 'not'].includes(e.keyword)).map((e) => e.instancePath));
  kept = kept.filter((e) => !(['oneOf', 'anyOf', 'not'].includes(e.keyword) && specific.has(e.instancePath)));
  const out: LoadProblem[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    const p = toProblem(e, file, doc, lc);
    const k = `${p.line}:${p.col}:${p.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(p);
  }
  return out;
}

function toProblem(e: ErrorObject, file: string, doc: Document, lc: LineCounter): LoadProblem {
  const where = dotted(e.instancePath);
  const at = where === '' ? 'at the top level' : `in ${where}`;
  const segs = pointerSegments(e.instancePath);
  const loc = locate(doc, segs);
  const custom: unknown = e.parentSchema?.['x-message'];
  const params = e.params as Record<string, unknown>;
  let node = loc.node ?? loc.nearest;
  let rule = 'schema';
  let message: string;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const k = locate(doc, [...segs, key]);
      node = k.key ?? node;
      if (where === 'frameworks') {
        rule = 'unknown-framework';
        message = `unknown framework "${key}"; known: ${frameworkIdList()}`;
      } else {
        const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        message = `unknown key "${key}" ${at}` + (allowed.length ? `; allowed keys: ${allowed.join(', ')}` : '');
      }
      break;
    }
    case 'required':
      message = `missing required field "${String(params['missingProperty'])}" ${at}`;
      break;
    case 'type': {
      const expected = String(params['type']).split(',').map((t) => TYPE_WORDS[t] ?? t).join(' or ');
      message = `${where || 'the file'} should be ${expected}, got ${typeName(e.data)}`;
      break;
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map((v) => String(v)).join(', ');
      if (where.endsWith('.op') || where === 'op') {
        rule = 'unknown-operator';
        message = `unknown operator ${JSON.stringify(e.data)} in ${where}; operators: ${allowed}`;
      } else {
        message = `${where} is ${JSON.stringify(e.data)}, expected one of: ${allowed}`;
      }
      break;
    }
    case 'const':
      message = `${where} must be ${JSON.stringify(params['allowedValue'])}`;
      break;
    case 'minItems':
      message = `${where} must list at least ${String(params['limit'])} item(s)`;
      break;
    case 'minLength':
      message = `${where} must not be empty`;
      break;
    case 'minProperties':
      message = typeof custom === 'string' ? `${where}: ${custom}` : `${where} must have at least ${String(params['limit'])} entries`;
      break;
    case 'uniqueItems':
      message = `${where} lists the same item twice (items ${String(params['j'])} and ${String(params['i'])})`;
      break;
    case 'minimum':
      message = `${where} must be at least ${String(params['limit'])}, got ${JSON.stringify(e.data)}`;
      break;
    case 'propertyNames': {
      const name = String(params['propertyName']);
      const k = locate(doc, [...segs, name]);
      node = k.key ?? node;
      const hint = (e.parentSchema as { propertyNames?: Record<string, unknown> } | undefined)?.propertyNames?.['x-message'];
      message = `${where} has an invalid name "${name}"` + (typeof hint === 'string' ? `: ${hint}` : '');
      break;
    }
    case 'pattern':
    case 'format':
      message = `${where} is ${JSON.stringify(e.data)}, which ${typeof custom === 'string' ? custom : `is not a valid ${String(params['format'] ?? 'value')}`}`;
      break;
    default:
      if (typeof custom === 'string') message = where ? `${where}: ${custom}` : custom;
      else message = `${where || 'the file'} ${e.message ?? 'is invalid'}`;
  }
  const pos = positionOf(node, lc);
  return { file, line: pos.line, col: pos.col, rule, message };
}
