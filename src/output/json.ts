// Results -> the `--format json` contract of docs/CONTRACTS.md (results JSON), with a fixed key order so the same
// results always print the same bytes whatever order the engine built them in (diffable in CI,
// hashable in the pack): contract keys in contract order, anything else sorted.
import { FRAMEWORK_IDS } from '../controls/model.js';
import { CONTROL_STATUSES, type ControlResult, type Finding, type Results } from '../engine/results.js';

type Obj = Record<string, unknown>;

/** Any JSON value with object keys sorted at every depth. */
function sortedDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedDeep);
  if (v === null || typeof v !== 'object') return v;
  return ordered(v, []);
}

/** `keys` first in that order, then any other keys sorted; values below sorted deep; undefined dropped. */
function ordered(obj: object, keys: readonly string[], own: Obj = {}): Obj {
  const src = obj as Obj;
  const out: Obj = {};
  const put = (k: string) => {
    if (src[k] === undefined) return;
    out[k] = k in own ? own[k] : sortedDeep(src[k]);
  };
  for (const k of keys) put(k);
  for (const k of Object.keys(src).filter((k) => !keys.includes(k)).sort()) put(k);
  return out;
}

function finding(f: Finding): Obj {
  return ordered(f, ['resource', 'account', 'region', 'status', 'reason', 'evidence', 'values', 'waiver'], {
    ...(f.waiver ? { waiver: ordered(f.waiver, ['id', 'reason', 'approver', 'approvedOn', 'expires']) } : {}),
  });
}

function control(c: ControlResult): Obj {
  return ordered(
    c,
    ['id', 'title', 'status', 'severity', 'kind', 'claim', 'asserts', 'parameters', 'frameworks', 'findings', 'attestation', 'reason', 'corroborates', 'corroboration'],
    {
      frameworks: ordered(c.frameworks, FRAMEWORK_IDS),
      findings: c.findings.map(finding),
      ...(c.attestation
        ? { attestation: ordered(c.attestation, ['attested_by', 'attested_at', 'document', 'copy', 'sha256', 'expires', 'current', 'notes', 'attach']) }
        : {}),
      ...(c.corroboration ? { corroboration: c.corroboration.map((x) => ordered(x, ['control', 'status', 'agrees'])) } : {}),
    },
  );
}

/** The Results object in contract order; every one of the six summary keys present. */
function resultsDocument(results: Results, findingsOf?: (c: ControlResult, i: number) => unknown): Obj {
  const summary: Obj = {};
  for (const s of CONTROL_STATUSES) summary[s] = results.summary[s] ?? 0;
  return ordered(results, ['tool', 'run', 'summary', 'warnings', 'controls', 'expiredWaivers'], {
    tool: ordered(results.tool, ['name', 'version']),
    run: ordered(results.run, ['id', 'startedAt', 'endedAt', 'evaluatedAt', 'accounts', 'regions', 'framework', 'asOf', 'source']),
    summary,
    controls: results.controls.map((c, i) => (findingsOf ? { ...control(c), findings: findingsOf(c, i) } : control(c))),
    ...(results.warnings ? { warnings: results.warnings.map((w) => ordered(w, ['kind', 'control', 'resource', 'message'])) } : {}),
    ...(results.expiredWaivers
      ? { expiredWaivers: results.expiredWaivers.map((w) => ordered(w, ['control', 'resource', 'expires', 'approver'])) }
      : {}),
  });
}

export function renderJson(results: Results): string {
  return `${JSON.stringify(resultsDocument(results), null, 2)}\n`;
}

/**
 * renderJson's text cut around each control's findings array: part i comes before the findings
 * of control i, the last part after the last control's. Joined with each control's array as
 * renderJson prints it (`findingsArray`), the parts give renderJson's bytes: the results file is
 * written by streaming the findings from disk between them (src/output/results-file.ts).
 */
export function renderJsonAround(results: Results): string[] {
  const mark = `\u0000findings-${Math.random().toString(36).slice(2)}:`;
  const marked = `${JSON.stringify(resultsDocument(results, (_c, i) => `${mark}${i}`), null, 2)}\n`;
  const parts: string[] = [];
  let from = 0;
  results.controls.forEach((_c, i) => {
    const token = `"findings": ${JSON.stringify(`${mark}${i}`)}`;
    const at = marked.indexOf(token, from);
    if (at < 0) throw new Error(`results JSON: control ${i} has no findings placeholder`);
    parts.push(marked.slice(from, at + '"findings": '.length));
    from = at + token.length;
  });
  parts.push(marked.slice(from));
  return parts;
}

/** Indentation of a finding inside the results document (root > controls > control > findings). */
const FINDING_INDENT = '        ';
const KEY = `\n${FINDING_INDENT}  "`;
const KNOWN_FINDING_KEYS = new Set(['resource', 'account', 'region', 'status', 'reason', 'evidence', 'values', 'waiver', 'owner']);

/**
 * One finding as an element of its control's findings array in renderJson's text (its lines
 * indented as there, no separator): the bytes renderJson prints for it, without building the
 * ordered copy renderJson goes through. Tens of millions of findings go through here at estate
 * size, so the text of what findings share is kept: the record's resource, account and region
 * and its evidence (the engine offers one record to every control in turn), each control's
 * reasons and shared values objects.
 */
export class FindingText {
  private head = { resource: undefined as unknown, account: undefined as unknown, region: undefined as unknown, text: '' };
  private evidence: { ids: readonly string[] | undefined; text: string } = { ids: undefined, text: '' };
  private readonly reasons = new Map<string, string>();

  /** `valuesText`: the caller's cache of a control's shared values objects -> text */
  of(f: Finding, valuesText?: Map<object, string>): string {
    for (const k in f) if (!KNOWN_FINDING_KEYS.has(k)) return FINDING_INDENT + indentLines(JSON.stringify(finding(f), null, 2), FINDING_INDENT);
    let out = this.headOf(f);
    if (f.status !== undefined) out += `,${KEY}status": ${JSON.stringify(f.status)}`;
    if (f.reason !== undefined) out += `,${KEY}reason": ${this.reasonOf(f.reason)}`;
    if (f.evidence !== undefined) {
      if (f.evidence !== this.evidence.ids) this.evidence = { ids: f.evidence, text: evidenceText(f.evidence) };
      out += `,${KEY}evidence": ${this.evidence.text}`;
    }
    if (f.values !== undefined) out += `,${KEY}values": ${valuesJson(f.values, valuesText)}`;
    if (f.waiver !== undefined) {
      out += `,${KEY}waiver": ${indentLines(JSON.stringify(ordered(f.waiver, ['id', 'reason', 'approver', 'approvedOn', 'expires']), null, 2), `${FINDING_INDENT}  `)}`;
    }
    if (f.owner !== undefined) out += `,${KEY}owner": ${JSON.stringify(f.owner)}`;
    // the first key's comma is dropped
    return out === '' ? `${FINDING_INDENT}{}` : `${FINDING_INDENT}{${out.slice(1)}\n${FINDING_INDENT}}`;
  }

  private headOf(f: Finding): string {
    const h = this.head;
    if (f.resource === h.resource && f.account === h.account && f.region === h.region) return h.text;
    let text = '';
    if (f.resource !== undefined) text += `,${KEY}resource": ${JSON.stringify(f.resource)}`;
    if (f.account !== undefined) text += `,${KEY}account": ${JSON.stringify(f.account)}`;
    if (f.region !== undefined) text += `,${KEY}region": ${JSON.stringify(f.region)}`;
    this.head = { resource: f.resource, account: f.account, region: f.region, text };
    return text;
  }

  private reasonOf(reason: string): string {
    const hit = this.reasons.get(reason);
    if (hit !== undefined) return hit;
    const text = JSON.stringify(reason);
    if (this.reasons.size < VALUES_CACHE_CAP) this.reasons.set(reason, text);
    return text;
  }
}

function evidenceText(ids: readonly string[]): string {
  if (ids.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < ids.length; i++) out += `${i > 0 ? ',' : ''}\n${FINDING_INDENT}    ${JSON.stringify(ids[i] ?? null)}`;
  return `${out}\n${FINDING_INDENT}  ]`;
}

/** a cache of values texts stops growing here (the engine shares at most ~1,000 per control) */
const VALUES_CACHE_CAP = 4096;

function valuesJson(v: unknown, cache: Map<object, string> | undefined): string {
  // only frozen values objects are shared (src/engine/intern.ts): others are the finding's own
  const shared = cache !== undefined && v !== null && typeof v === 'object' && Object.isFrozen(v);
  if (shared) {
    const hit = cache.get(v);
    if (hit !== undefined) return hit;
  }
  const text = indentLines(JSON.stringify(flat(v) ? v : sortedDeep(v), null, 2), `${FINDING_INDENT}  `);
  if (shared && cache.size < VALUES_CACHE_CAP) cache.set(v, text);
  return text;
}

/**
 * Whether sortedDeep would give `v` back as it is: keys in order, every value a primitive or a
 * list of primitives (the usual values object, {"AvailabilityZones": [...]}), nothing undefined.
 */
function flat(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  let prev: string | undefined;
  for (const k in v) {
    if (prev !== undefined && !(prev < k)) return false;
    prev = k;
    const x = (v as Obj)[k];
    if (x === undefined || typeof x === 'function') return false;
    if (x !== null && typeof x === 'object') {
      if (!Array.isArray(x)) return false;
      for (const e of x as unknown[]) if (e === undefined || (e !== null && typeof e === 'object') || typeof e === 'function') return false;
    }
  }
  return true;
}

function indentLines(text: string, indent: string): string {
  return text.includes('\n') ? text.replaceAll('\n', `\n${indent}`) : text;
}
