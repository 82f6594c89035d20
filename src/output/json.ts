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
const KNOWN_FINDING_KEYS = new Set(['resource', 'account', 'region', 'status', 'reason', 'evidence', 'values', 'waiver', 'owner']);
/** values objects the engine shares between findings (frozen) -> their text */
const valuesText = new WeakMap<object, string>();

/**
 * One finding as an element of its control's findings array in renderJson's text (its lines
 * indented as there, no separator): the bytes renderJson prints for it, without building the
 * ordered copy renderJson goes through. 50 million findings go through here at estate size.
 */
export function findingJson(f: Finding): string {
  for (const k in f) if (!KNOWN_FINDING_KEYS.has(k)) return FINDING_INDENT + indentLines(JSON.stringify(finding(f), null, 2), FINDING_INDENT);
  const p = `\n${FINDING_INDENT}  `;
  let out = `${FINDING_INDENT}{`;
  let first = true;
  const key = (k: string, text: string) => {
    out += `${first ? '' : ','}${p}"${k}": ${text}`;
    first = false;
  };
  if (f.resource !== undefined) key('resource', JSON.stringify(f.resource));
  if (f.account !== undefined) key('account', JSON.stringify(f.account));
  if (f.region !== undefined) key('region', JSON.stringify(f.region));
  if (f.status !== undefined) key('status', JSON.stringify(f.status));
  if (f.reason !== undefined) key('reason', JSON.stringify(f.reason));
  if (f.evidence !== undefined) key('evidence', evidenceText(f.evidence));
  if (f.values !== undefined) key('values', valuesJson(f.values));
  if (f.waiver !== undefined) {
    key('waiver', indentLines(JSON.stringify(ordered(f.waiver, ['id', 'reason', 'approver', 'approvedOn', 'expires']), null, 2), `${FINDING_INDENT}  `));
  }
  if (f.owner !== undefined) key('owner', JSON.stringify(f.owner));
  return first ? `${out}}` : `${out}\n${FINDING_INDENT}}`;
}

function evidenceText(ids: readonly string[]): string {
  if (ids.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < ids.length; i++) out += `${i > 0 ? ',' : ''}\n${FINDING_INDENT}    ${JSON.stringify(ids[i] ?? null)}`;
  return `${out}\n${FINDING_INDENT}  ]`;
}

function valuesJson(v: unknown): string {
  const shared = v !== null && typeof v === 'object' && Object.isFrozen(v);
  if (shared) {
    const hit = valuesText.get(v);
    if (hit !== undefined) return hit;
  }
  const text = indentLines(JSON.stringify(sortedDeep(v), null, 2), `${FINDING_INDENT}  `);
  if (shared) valuesText.set(v, text);
  return text;
}

function indentLines(text: string, indent: string): string {
  return text.includes('\n') ? text.replaceAll('\n', `\n${indent}`) : text;
}
