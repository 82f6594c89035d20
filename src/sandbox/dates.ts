// Relative dates keep fixtures from going stale: "3 days ago" means three days before `now`.

const UNIT_MS: Record<string, number> = {
  second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000,
  month: 30 * 86_400_000, year: 365 * 86_400_000,
};

const AGO = /^(\d+(?:\.\d+)?)\s*(second|minute|hour|day|week|month|year)s?\s+ago$/i;
const IN = /^in\s+(\d+(?:\.\d+)?)\s*(second|minute|hour|day|week|month|year)s?$/i;
const ISO = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** Resolves "3 days ago", "in 60 days", "now" or an ISO 8601 date; undefined when it is none of these. */
export function resolveDate(text: string, now: Date): Date | undefined {
  const t = text.trim();
  if (/^now$/i.test(t)) return new Date(now.getTime());
  const ago = AGO.exec(t);
  if (ago) return new Date(now.getTime() - Number(ago[1]) * (UNIT_MS[ago[2]!.toLowerCase()] ?? 0));
  const later = IN.exec(t);
  if (later) return new Date(now.getTime() + Number(later[1]) * (UNIT_MS[later[2]!.toLowerCase()] ?? 0));
  if (ISO.test(t)) {
    // a bare date or a time without zone is UTC, so a fixture means the same everywhere
    const withZone = /[Zz]|[+-]\d{2}:?\d{2}$/.test(t.slice(10)) ? t : t.length === 10 ? `${t}T00:00:00Z` : `${t}Z`;
    const d = new Date(withZone.replace(' ', 'T'));
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

export const DATE_HINT = 'expected a date: "3 days ago", "in 60 days", "2 hours ago", "now" or ISO 8601';
