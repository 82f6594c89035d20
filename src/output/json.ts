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
function resultsDocument(results: Results): Obj {
  const summary: Obj = {};
  for (const s of CONTROL_STATUSES) summary[s] = results.summary[s] ?? 0;
  return ordered(results, ['tool', 'run', 'summary', 'warnings', 'controls', 'expiredWaivers'], {
    tool: ordered(results.tool, ['name', 'version']),
    run: ordered(results.run, ['id', 'startedAt', 'endedAt', 'evaluatedAt', 'accounts', 'regions', 'framework', 'asOf', 'source']),
    summary,
    controls: results.controls.map(control),
    ...(results.warnings ? { warnings: results.warnings.map((w) => ordered(w, ['kind', 'control', 'resource', 'message'])) } : {}),
    ...(results.expiredWaivers
      ? { expiredWaivers: results.expiredWaivers.map((w) => ordered(w, ['control', 'resource', 'expires', 'approver'])) }
      : {}),
  });
}

export function renderJson(results: Results): string {
  return `${JSON.stringify(resultsDocument(results), null, 2)}\n`;
}
