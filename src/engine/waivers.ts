// Waivers turn a FAIL into WAIVED while they are current; expired ones cover nothing.
import type { Waiver } from '../controls/model.js';

export interface ActiveWaiver { waiver: Waiver; re: RegExp }

/** `*` matches any run of characters, including ':' and '/'; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 's');
}

/** A date-only expiry means the start of that day (UTC): the conservative reading. */
function isCurrent(w: Waiver, now: Date): boolean {
  const t = Date.parse(w.expires);
  return !Number.isNaN(t) && t > now.getTime();
}

export function splitWaivers(waivers: readonly Waiver[], now: Date): { active: Map<string, ActiveWaiver[]>; expired: Waiver[] } {
  const active = new Map<string, ActiveWaiver[]>();
  const expired: Waiver[] = [];
  for (const w of waivers) {
    if (!isCurrent(w, now)) {
      expired.push(w);
      continue;
    }
    const list = active.get(w.control) ?? [];
    list.push({ waiver: w, re: globToRegExp(w.resource) });
    active.set(w.control, list);
  }
  return { active, expired };
}

/**
 * Current waivers of evaluated controls whose pattern matches no resource of their control in
 * this run: a typo in an ARN, a resource long deleted, or a control with no findings at all.
 * They waive nothing, and saying nothing would let the mistake stand.
 */
export function unmatchedWaivers(active: ReadonlyMap<string, readonly ActiveWaiver[]>, resourcesOf: (control: string) => readonly string[] | undefined): Waiver[] {
  const out: Waiver[] = [];
  for (const [control, list] of active) {
    const resources = resourcesOf(control);
    if (resources === undefined) continue; // not evaluated in this run (another framework)
    for (const a of list) if (!resources.some((r) => a.re.test(r))) out.push(a.waiver);
  }
  return out;
}

export function findWaiver(active: readonly ActiveWaiver[] | undefined, resource: string): Waiver | undefined {
  return active?.find((a) => a.re.test(resource))?.waiver;
}
