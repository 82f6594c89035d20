// Waivers turn a FAIL into WAIVED while they are in force at the run's time: from approved_on
// to expires. A run is judged by the waivers in force at its asOf (a backfilled past day by
// that day's, never today's); expired ones cover nothing.
import { createHash } from 'node:crypto';
import type { Waiver } from '../controls/model.js';
import { globPattern, type LinearPattern } from '../util/pattern.js';

export interface ActiveWaiver { waiver: Waiver; re: LinearPattern }

/** A date-only expiry means the start of that day (UTC): the conservative reading. */
function isCurrent(w: Waiver, now: Date): boolean {
  const t = Date.parse(w.expires);
  return !Number.isNaN(t) && t > now.getTime();
}

/**
 * Whether the waiver was approved by the run's time. A date-only approval means the start of that
 * day, so a run later that day is covered. Without `approved_on` nothing says when it was
 * granted: it covers live runs (judged now, as before the field existed) and no rebuilt past day.
 */
function isApproved(w: Waiver, now: Date, source: 'live' | 'config-history'): boolean {
  if (w.approved_on === undefined) return source === 'live';
  const t = Date.parse(w.approved_on);
  return !Number.isNaN(t) && t <= now.getTime();
}

/** A waiver's stable id, stored on the findings it covered: its own words, hashed. */
export function waiverId(w: Waiver): string {
  const text = [w.control, w.resource, w.approver, w.approved_on ?? '', w.expires].join('\n');
  return `W-${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 10)}`;
}

/**
 * The waivers in force at `now` (the run's asOf for a backfilled run), by control; `expired` are
 * those past their expiry, reported so they get renewed. One approved after `now` is neither:
 * it did not exist yet for that run.
 */
export function splitWaivers(waivers: readonly Waiver[], now: Date, source: 'live' | 'config-history' = 'live'): { active: Map<string, ActiveWaiver[]>; expired: Waiver[] } {
  const active = new Map<string, ActiveWaiver[]>();
  const expired: Waiver[] = [];
  for (const w of waivers) {
    if (!isCurrent(w, now)) {
      expired.push(w);
      continue;
    }
    if (!isApproved(w, now, source)) continue;
    const list = active.get(w.control) ?? [];
    list.push({ waiver: w, re: globPattern(w.resource) });
    active.set(w.control, list);
  }
  return { active, expired };
}

/**
 * Current waivers of evaluated controls whose pattern matches no resource of their control in
 * this run: a typo in an ARN, a resource long deleted, or a control with no findings at all.
 * They waive nothing, and saying nothing would let the mistake stand.
 */
export function unmatchedWaivers(active: ReadonlyMap<string, readonly ActiveWaiver[]>,
  unmatchedIn: (control: string) => ((a: ActiveWaiver) => boolean) | undefined): Waiver[] {
  const out: Waiver[] = [];
  for (const [control, list] of active) {
    const isUnmatched = unmatchedIn(control);
    if (isUnmatched === undefined) continue; // not evaluated in this run (another framework)
    for (const a of list) if (isUnmatched(a)) out.push(a.waiver);
  }
  return out;
}

export function findWaiver(active: readonly ActiveWaiver[] | undefined, resource: string): Waiver | undefined {
  return active?.find((a) => a.re.test(resource))?.waiver;
}
