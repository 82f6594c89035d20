// The times a backfill asks for: --as-of, --period, --every.
import { describe, expect, it } from 'vitest';
import { parseAsOf, parseStep, periodTimes, stepTimes } from '../src/app/as-of.js';

const now = new Date('2026-11-29T12:00:00Z');

describe('--as-of', () => {
  it('a date is the end of that UTC day; a timestamp with its zone is exact', () => {
    expect(parseAsOf('2026-07-31', now).toISOString()).toBe('2026-07-31T23:59:59.000Z');
    expect(parseAsOf('2026-07-31T08:15:00+02:00', now).toISOString()).toBe('2026-07-31T06:15:00.000Z');
  });
  it('refuses what is not a date, a time without a zone, and the future (exit 2)', () => {
    expect(() => parseAsOf('2026-02-29', now)).toThrow(/not a calendar date/);
    expect(() => parseAsOf('2026-07-31T08:15:00', now)).toThrow(/timestamp with its zone/);
    expect(() => parseAsOf('2026-11-29', now)).toThrow(/in the future/);
    let thrown: unknown;
    try {
      parseAsOf('yesterday', now);
    } catch (e) {
      thrown = e;
    }
    expect((thrown as { exitCode?: number } | undefined)?.exitCode).toBe(2);
  });
});

describe('--every and the steps of a period', () => {
  it('daily steps end each day at 23:59:59Z, both ends of the period included', async () => {
    const t = stepTimes(await periodTimes('2026-07-01..2026-07-03'), parseStep('1d'), now);
    expect(t.map((d) => d.toISOString())).toEqual(['2026-07-01T23:59:59.000Z', '2026-07-02T23:59:59.000Z', '2026-07-03T23:59:59.000Z']);
  });
  it('hourly steps end each step; none after now', async () => {
    const t = stepTimes(await periodTimes('2026-11-28..2026-11-29'), parseStep('12h'), now);
    expect(t.map((d) => d.toISOString())).toEqual(['2026-11-28T11:59:59.000Z', '2026-11-28T23:59:59.000Z', '2026-11-29T11:59:59.000Z']);
  });
  it('refuses other steps and periods', async () => {
    for (const s of ['1w', '0d', 'd', '1.5d']) expect(() => parseStep(s), s).toThrow(/Nd or Nh/);
    await expect(periodTimes('2026-07-03..2026-07-01')).rejects.toThrow(/--period/);
    await expect(periodTimes('2026-07-01')).rejects.toThrow(/--period/);
  });
});
