// The streak index (docs/CONTRACTS.md, "The archive's guarantees"): with each append the archive
// stores, beside the run's full results, what history reads of them: per control its status,
// words and per finding the resource, where, the status and (for an exception) the reason;
// never the evidence ids or values. Each index object names the sha256 of the one before, and
// entry N names its own, so the chain covers it; nothing is ever rewritten. `history
// --rebuild-index` recomputes every object from the stored results and must find the same bytes.
import type { ControlResult, Finding, Results } from '../engine/results.js';

/** [resource, account, region, status, reason (exceptions only, else null)] */
type IndexFinding = [string, string | null, string | null, string, string | null];

interface IndexControl {
  id: string;
  title: string;
  frameworks: ControlResult['frameworks'];
  status: ControlResult['status'];
  kind: ControlResult['kind'];
  /** a manual or inherited control's own reason: its attestation's verdict is a streak of its own */
  reason?: string;
  findings: IndexFinding[];
}

interface RunIndex {
  index: 1;
  /** the sha256 of the previous run's index object; null for the first */
  previous: string | null;
  runId: string;
  startedAt: string;
  controls: IndexControl[];
}

const EXCEPTION = new Set(['FAIL', 'ERROR', 'WAIVED']);

/** The index object of one run, exact bytes, from its stored results and the previous index's sha256. */
export function runIndexBytes(resultsBytes: Uint8Array, previous: string | null): Buffer {
  const r = JSON.parse(Buffer.from(resultsBytes).toString('utf8')) as Results;
  const idx: RunIndex = {
    index: 1,
    previous,
    runId: r.run.id,
    startedAt: r.run.startedAt,
    controls: r.controls.map((c) => ({
      id: c.id, title: c.title, frameworks: c.frameworks, status: c.status, kind: c.kind,
      ...(typeof c.reason === 'string' && (c.kind === 'manual' || c.kind === 'inherited') ? { reason: c.reason } : {}),
      findings: c.findings.map((f): IndexFinding => [f.resource, f.account ?? null, f.region ?? null, f.status, EXCEPTION.has(f.status) ? f.reason : null]),
    })),
  };
  return Buffer.from(JSON.stringify(idx) + '\n', 'utf8');
}

/** An index object read back as the part of Results that history reads (no evidence ids, no values). */
export function resultsOfIndex(bytes: Buffer): Results {
  const idx = JSON.parse(bytes.toString('utf8')) as RunIndex;
  if (idx?.index !== 1 || !Array.isArray(idx.controls)) throw new Error('not a streak index object');
  return {
    run: { id: idx.runId, startedAt: idx.startedAt },
    controls: idx.controls.map((c) => ({
      id: c.id, title: c.title, frameworks: c.frameworks, status: c.status, kind: c.kind,
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      findings: c.findings.map(([resource, account, region, status, reason]) => ({ resource, account, region, status, reason: reason ?? '', evidence: [] }) as unknown as Finding),
    })),
  } as unknown as Results;
}
