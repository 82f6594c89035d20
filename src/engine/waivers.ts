// Waivers turn a FAIL into WAIVED while they are current; expired ones cover nothing.
import type { Waiver } from '../controls/model.js';

export interface ActiveWaiver { waiver: Waiver; re: RegExp }

/** `*` matches any run of characters, including ':' and '/'; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 's');
}

/** A date-only expiry means the start of that day (UTC): the conservative reading. */
export function isCurrent(w: Waiver, now: Date): boolean {
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

export function findWaiver(active: readonly ActiveWaiver[] | undefined, resource: string): Waiver | undefined {
  return active?.find((a) => a.re.test(resource))?.waiver;
}
