// Small value helpers shared by the assertion operators: equality, display, time.

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** A value as a reader sees it in a reason: booleans and numbers bare, text quoted, long values cut. */
export function show(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds since the epoch for an ISO 8601 text (or a Date), else undefined. */
export function toTime(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v === 'string' && ISO_DATE.test(v)) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

export const DAY_MS = 86_400_000;

/**
 * Whole days unless that would hide the difference from the limit it is compared with: then as
 * many decimals as it takes to show on which side of the limit the age lies ("30.04 days old,
 * more than 30 days", never "30 days old, more than 30 days").
 */
export function showDays(days: number, limit: number): string {
  const whole = Math.floor(days);
  if (whole !== limit && whole !== Math.floor(limit)) return String(whole);
  for (let decimals = 1; decimals <= 6; decimals++) {
    const f = 10 ** decimals;
    const shown = Math.floor(days * f) / f;
    if (shown !== limit) return shown.toFixed(decimals);
  }
  return String(days);
}
