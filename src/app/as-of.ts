// Times of the past a run describes: `--as-of DATE|TIMESTAMP`, `--period START..END`, `--every Nd|Nh`.
import { UsageError } from './errors.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function validDate(text: string, d: Date): boolean {
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text.slice(0, 10);
}

/** DATE means the end of that UTC day (23:59:59Z); a timestamp with a zone is exact. */
export function parseAsOf(text: string, now: Date = new Date(), flag = '--as-of'): Date {
  let d: Date;
  if (DATE.test(text)) {
    d = new Date(`${text}T23:59:59Z`);
    if (!validDate(text, d)) throw new UsageError(`${flag}: ${text} is not a calendar date`);
  } else if (STAMP.test(text)) {
    d = new Date(text);
    if (Number.isNaN(d.getTime())) throw new UsageError(`${flag}: ${text} is not a valid timestamp`);
  } else {
    throw new UsageError(`${flag}: expected a UTC date YYYY-MM-DD or a timestamp with its zone (2026-07-01T12:00:00Z), got '${text}'`);
  }
  if (d.getTime() > now.getTime()) throw new UsageError(`${flag}: ${d.toISOString()} is in the future; history only covers the past`);
  return d;
}

export interface Period { from: Date; to: Date }

/**
 * START..END (UTC dates, both included; parsed by `history`'s parser, so every command reads a
 * period the same way) as times: from START 00:00:00Z to END 23:59:59Z.
 */
export async function periodTimes(text: string): Promise<Period & { start: string; end: string }> {
  const { parsePeriod } = await import('./history.js');
  const { start, end } = parsePeriod(text);
  return { start, end, from: new Date(`${start}T00:00:00Z`), to: new Date(`${end}T23:59:59Z`) };
}

/** Nd or Nh, in milliseconds. */
export function parseStep(text: string): number {
  const m = /^([1-9]\d{0,3})([dh])$/.exec(text);
  if (!m) throw new UsageError(`--every: expected Nd or Nh (1d, 12h), got '${text}'`);
  return Number(m[1]) * (m[2] === 'd' ? 86_400_000 : 3_600_000);
}

/**
 * The as-of times of a backfill: with daily steps the end of each day (23:59:59Z), with hourly
 * ones the end of each step (hh:59:59Z), within the period and not after `now`.
 */
export function stepTimes(period: Period, stepMs: number, now: Date = new Date()): Date[] {
  const out: Date[] = [];
  for (let t = period.from.getTime() + stepMs - 1000; t <= period.to.getTime() && t <= now.getTime(); t += stepMs) out.push(new Date(t));
  return out;
}
