// Exceptions as streaks per (control, resource), exactly per docs/ARCHITECTURE.md's streak
// table (test/history-streaks.test.ts pins it row by row):
//
// | the next run's finding            | the open streak                                          | no streak open |
// | the same status (FAIL, or ERROR)  | continues                                                | opens          |
// | the other of FAIL and ERROR       | ends it (resolvedAt null, endedBy the new status) and opens one of the new status | opens |
// | WAIVED                            | continues, counted in waivedRuns                         | opens, counted |
// | PASS, NOT_APPLICABLE or MANUAL (a current attestation) | resolves: resolvedAt = this run | nothing        |
// | no finding (deleted/out of scope) | ends, resolvedAt null and gone true                      | nothing        |
// | run not covering the account or region, or a day without a run | neither continues nor breaks it; a gap | nothing |
//
// A manual or inherited control's own verdict (no attestation, expired, hash mismatch) is a
// finding on `attestation:<control id>` with account and region null. An ERROR on a whole
// account and region (`arn:...:*`) stands for missing evidence: its streak has cause
// `missing-evidence`, apart from failures of resources.
import type { ControlResult, Finding } from '../engine/results.js';
import type { ExceptionCause, HistoryException, RunSource } from './model.js';

/** What a run says about one control, reduced to what the streaks need. */
export interface RunView {
  asOf: string;
  source: RunSource;
  /** does this run cover (account, region)? region `global` needs the account only */
  covers(account: string, region: string): boolean;
}

interface Open {
  e: HistoryException;
  sources: Set<RunSource>;
}

/** A scope-wide ERROR (`arn:...:*`): the run could not read that account and region at all. */
const isScopeWide = (resource: string) => resource.endsWith(':*');

const ATTESTATION_PREFIX = 'attestation:';
const attestationResource = (controlId: string) => `${ATTESTATION_PREFIX}${controlId}`;
const isAttestationResource = (resource: string) => resource.startsWith(ATTESTATION_PREFIX);

/** Findings on real resources: what a population counts and a sample may draw. */
export const isRealResource = (resource: string) => !isScopeWide(resource) && !isAttestationResource(resource);

/** Still open at the end of the period: not resolved, not gone, not turned into the other kind. */
export const isOpenStreak = (e: Pick<HistoryException, 'resolvedAt' | 'gone' | 'endedBy'>) => e.resolvedAt === null && !e.gone && e.endedBy === undefined;

function causeOf(resource: string): ExceptionCause {
  return isAttestationResource(resource) ? 'attestation' : isScopeWide(resource) ? 'missing-evidence' : 'resource';
}

type StreakFinding = Pick<Finding, 'resource' | 'status' | 'reason'> & { account: string | null; region: string | null };

/**
 * The findings a streak reads: an automated control's own, or a manual or inherited control's
 * verdict on its attestation (FAIL without a current one; MANUAL with one, which resolves).
 */
function streakFindings(result: ControlResult): StreakFinding[] {
  if (result.kind !== 'manual' && result.kind !== 'inherited') return result.findings;
  const resource = attestationResource(result.id);
  if (result.status === 'MANUAL') return [{ resource, account: null, region: null, status: 'PASS', reason: result.reason }];
  if (result.status === 'FAIL' || result.status === 'ERROR') return [{ resource, account: null, region: null, status: result.status, reason: result.reason }];
  return [];
}

const kindOf = (s: Finding['status']): 'FAIL' | 'ERROR' => (s === 'ERROR' ? 'ERROR' : 'FAIL');

export class ControlStreaks {
  private readonly open = new Map<string, Open>();
  readonly closed: HistoryException[] = [];

  /** One run's result for this control (undefined: the control was not in that run's results). */
  step(run: RunView, result: ControlResult | undefined): void {
    if (!result) {
      // the run did not evaluate this control: like a run that did not cover it
      for (const o of this.open.values()) o.e.gaps.push(run.asOf);
      return;
    }
    const findings = streakFindings(result);
    const byResource = new Map<string, StreakFinding>();
    const unreadable = new Set<string>(); // account|region whose evidence this run could not read
    for (const f of findings) {
      byResource.set(f.resource, f);
      if (f.status === 'ERROR' && isScopeWide(f.resource)) unreadable.add(`${f.account}|${f.region}`);
    }

    for (const [resource, o] of this.open) {
      const e = o.e;
      const covered = e.account === null || e.region === null
        ? true
        : run.covers(e.account, e.region) && (isScopeWide(resource) || !unreadable.has(`${e.account}|${e.region}`));
      if (!covered) {
        e.gaps.push(run.asOf);
        continue;
      }
      const f = byResource.get(resource);
      if (f && f.status === 'WAIVED') {
        this.extend(o, run, f);
      } else if (f && (f.status === 'FAIL' || f.status === 'ERROR')) {
        if (kindOf(f.status) === e.status) {
          this.extend(o, run, f);
        } else {
          // FAIL <-> ERROR: what happened changed; one streak ends, the other kind opens
          // (the loop below opens the new one: this resource is no longer open)
          e.endedBy = kindOf(f.status);
          this.close(resource, o);
        }
      } else if (f && (f.status === 'PASS' || f.status === 'MANUAL' || (f.status as string) === 'NOT_APPLICABLE')) {
        e.resolvedAt = run.asOf;
        this.close(resource, o);
      } else if (isScopeWide(resource)) {
        // the account and region were read again: the collection error is over
        e.resolvedAt = run.asOf;
        this.close(resource, o);
      } else {
        e.gone = true;
        this.close(resource, o);
      }
    }
    for (const f of findings) {
      if (this.open.has(f.resource)) continue;
      if (f.status !== 'FAIL' && f.status !== 'ERROR' && f.status !== 'WAIVED') continue;
      this.open.set(f.resource, {
        e: {
          resource: f.resource, account: f.account, region: f.region, cause: causeOf(f.resource),
          status: kindOf(f.status),
          firstSeen: run.asOf, lastSeen: run.asOf, resolvedAt: null, gone: false,
          waivedRuns: f.status === 'WAIVED' ? 1 : 0, source: run.source, runs: 1, reason: f.reason, gaps: [],
        },
        sources: new Set([run.source]),
      });
    }
  }

  private extend(o: Open, run: RunView, f: StreakFinding): void {
    const e = o.e;
    e.runs++;
    e.lastSeen = run.asOf;
    e.reason = f.reason;
    if (f.status === 'WAIVED') e.waivedRuns++;
    o.sources.add(run.source);
  }

  // A streak closed by PASS or by the resource's absence has no FAIL, ERROR or WAIVED finding in
  // this run, so only a FAIL<->ERROR change opens a new one in the same step.
  private close(resource: string, o: Open): void {
    o.e.source = o.sources.size > 1 ? 'mixed' : o.e.source;
    this.closed.push(o.e);
    this.open.delete(resource);
  }

  /** All streaks, the open ones last seen in the period still open (resolvedAt null, gone false). */
  finish(): HistoryException[] {
    const all = [...this.closed];
    for (const o of this.open.values()) {
      o.e.source = o.sources.size > 1 ? 'mixed' : o.e.source;
      all.push(o.e);
    }
    return all.sort((a, b) => (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  }
}
