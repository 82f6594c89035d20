// Results -> the `--format json` contract of DESIGN.md, with a fixed key order so the same
// results always print the same bytes (diffable in CI, hashable in the pack).
import { CONTROL_STATUSES, type ControlResult, type Finding, type Results } from '../engine/results.js';

type Obj = Record<string, unknown>;

/** `keys` first in that order, then any other keys (extensions) sorted; undefined values dropped. */
function ordered(obj: object, keys: readonly string[]): Obj {
  const src = obj as Obj;
  const out: Obj = {};
  for (const k of keys) if (src[k] !== undefined) out[k] = src[k];
  for (const k of Object.keys(src).filter((k) => !keys.includes(k)).sort()) if (src[k] !== undefined) out[k] = src[k];
  return out;
}

function finding(f: Finding): Obj {
  return ordered(f, ['resource', 'account', 'region', 'status', 'reason', 'evidence', 'values', 'waiver']);
}

function control(c: ControlResult): Obj {
  return ordered(
    { ...c, findings: c.findings.map(finding) },
    ['id', 'title', 'status', 'severity', 'kind', 'claim', 'asserts', 'parameters', 'frameworks', 'findings', 'attestation', 'reason'],
  );
}

/** The Results object in contract order; every one of the six summary keys present. */
export function resultsDocument(results: Results): Obj {
  const summary: Obj = {};
  for (const s of CONTROL_STATUSES) summary[s] = results.summary[s] ?? 0;
  return ordered(
    {
      ...results,
      tool: ordered(results.tool, ['name', 'version']),
      run: ordered(results.run, ['id', 'startedAt', 'endedAt', 'evaluatedAt', 'accounts', 'regions', 'framework']),
      summary,
      controls: results.controls.map(control),
    },
    ['tool', 'run', 'summary', 'controls', 'expiredWaivers'],
  );
}

export function renderJson(results: Results): string {
  return `${JSON.stringify(resultsDocument(results), null, 2)}\n`;
}
