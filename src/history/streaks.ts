// Exceptions as streaks per (control, resource), exactly per DESIGN.md's table:
//
// | the next run's finding        | the open streak                                   | no streak open  |
// | FAIL or ERROR                 | continues (FAIL if any run in it failed, else ERROR) | opens         |
// | WAIVED                        | continues, counted in waivedRuns                  | opens, counted  |
// | PASS or NOT_APPLICABLE        | resolves: resolvedAt = this run                   | nothing         |
//   (NOT_APPLICABLE here is a finding's status; a resource with no finding at all is the next row)
// | no finding (deleted/out of scope) | ends, resolvedAt null and gone true           | nothing         |
// | run not covering the account or region, or a day without a run | neither continues nor breaks it; a gap | nothing |
import type { ControlResult, Finding } from '../engine/results.js';
import type { HistoryException, RunSource } from './model.js';

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
    const byResource = new Map<string, Finding>();
    const unreadable = new Set<string>(); // account|region whose evidence this run could not read
    for (const f of result.findings) {
      byResource.set(f.resource, f);
      if (f.status === 'ERROR' && isScopeWide(f.resource)) unreadable.add(`${f.account}|${f.region}`);
    }

    for (const [resource, o] of this.open) {
      const e = o.e;
      const covered = run.covers(e.account, e.region) && (isScopeWide(resource) || !unreadable.has(`${e.account}|${e.region}`));
      if (!covered) {
        e.gaps.push(run.asOf);
        continue;
      }
      const f = byResource.get(resource);
      if (f && (f.status === 'FAIL' || f.status === 'ERROR' || f.status === 'WAIVED')) {
        this.extend(o, run, f);
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
    for (const f of result.findings) {
      if (this.open.has(f.resource)) continue;
      if (f.status !== 'FAIL' && f.status !== 'ERROR' && f.status !== 'WAIVED') continue;
      const o: Open = {
        e: {
          resource: f.resource, account: f.account, region: f.region,
          status: f.status === 'ERROR' ? 'ERROR' : 'FAIL',
          firstSeen: run.asOf, lastSeen: run.asOf, resolvedAt: null, gone: false,
          waivedRuns: f.status === 'WAIVED' ? 1 : 0, source: run.source, runs: 1, reason: f.reason, gaps: [],
        },
        sources: new Set([run.source]),
      };
      this.open.set(f.resource, o);
    }
  }

  private extend(o: Open, run: RunView, f: Finding): void {
    const e = o.e;
    e.runs++;
    e.lastSeen = run.asOf;
    e.reason = f.reason;
    if (f.status === 'WAIVED') e.waivedRuns++;
    if (f.status === 'FAIL' || f.status === 'WAIVED') e.status = 'FAIL';
    o.sources.add(run.source);
  }

  // A run that closes a streak has no FAIL, ERROR or WAIVED finding on that resource, so it
  // never reopens it in the same step.
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
