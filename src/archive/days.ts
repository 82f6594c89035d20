// UTC calendar days: the unit of gaps in an audit period.

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** YYYY-MM-DD of an ISO time, in UTC. */
export const utcDay = (iso: string) => new Date(iso).toISOString().slice(0, 10);

/** Whether `s` is a real calendar date written YYYY-MM-DD. */
export function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Every day from start to end, both included. */
export function daysBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += DAY_MS) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** The days of [start, end] on which no run was observed. */
export function missingDays(start: string, end: string, observed: Iterable<string>): string[] {
  const seen = new Set<string>();
  for (const iso of observed) seen.add(utcDay(iso));
  return daysBetween(start, end).filter((d) => !seen.has(d));
}

/** Whole days from one ISO time to another (rounded down, never negative). */
export function daysOpen(from: string, to: string): number {
  return Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / DAY_MS));
}
