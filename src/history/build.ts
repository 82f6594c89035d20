// Runs -> history: per control the count of runs in each status and its exceptions (streaks).
// Results are loaded one run at a time and dropped after use, so memory grows with the number
// of open exceptions and controls, not with the number of runs.
import { CONTROL_STATUSES, type ControlResult, type ControlStatus, type Results } from '../engine/results.js';
import { daysBetween, missingDays, utcDay } from '../archive/days.js';
import type { History, HistoryControl, HistoryRun, RunSource } from './model.js';
import { ControlStreaks, type RunView } from './streaks.js';

/** A run known by its archive entry; its stored results are read only when its turn comes. */
export interface RunRef {
  runId: string;
  asOf: string;
  source: RunSource;
  accounts: string[];
  regions: string[];
  load(): Promise<Results>;
}

export interface HistoryOptions {
  /** UTC dates, both included; default: the days of the first and the last run */
  period?: { start: string; end: string };
  framework?: string;
  /** called for every control result of every run in the period, in asOf order (population) */
  onResult?: (run: HistoryRun, control: ControlResult) => void;
}

const PREFETCH = 4;

interface ControlState {
  id: string;
  title: string;
  frameworks: Record<string, string[]>;
  runs: Record<ControlStatus, number>;
  streaks: ControlStreaks;
}

export async function buildHistory(refs: readonly RunRef[], opts: HistoryOptions = {}): Promise<History> {
  const ordered = [...refs].sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : 0));
  const period = opts.period ?? (ordered.length > 0
    ? { start: utcDay(ordered[0]!.asOf), end: utcDay(ordered.at(-1)!.asOf) }
    : { start: utcDay(new Date().toISOString()), end: utcDay(new Date().toISOString()) });
  const inPeriod = ordered.filter((r) => {
    const d = utcDay(r.asOf);
    return d >= period.start && d <= period.end;
  });

  const controls = new Map<string, ControlState>();
  const runs: HistoryRun[] = [];
  // a few runs are read ahead (on S3 each is a round trip); at most PREFETCH are held at once
  const pending: Promise<Results>[] = [];
  const fetchRun = (i: number): void => {
    const p = inPeriod[i]!.load();
    p.catch(() => undefined); // awaited in turn below; not unhandled meanwhile
    pending.push(p);
  };
  for (let i = 0; i < Math.min(PREFETCH, inPeriod.length); i++) fetchRun(i);
  for (const [i, ref] of inPeriod.entries()) {
    const results = await pending.shift()!;
    if (i + PREFETCH < inPeriod.length) fetchRun(i + PREFETCH);
    const run: HistoryRun = {
      id: ref.runId, startedAt: results.run.startedAt, asOf: ref.asOf, source: ref.source,
      accounts: [...ref.accounts], regions: [...ref.regions],
    };
    runs.push(run);
    const accounts = new Set(ref.accounts);
    const regions = new Set(ref.regions);
    const view: RunView = {
      asOf: ref.asOf, source: ref.source,
      covers: (account, region) => accounts.has(account) && (region === 'global' || regions.has(region)),
    };
    const seen = new Set<string>();
    for (const c of results.controls) {
      if (opts.framework && (c.frameworks[opts.framework as keyof typeof c.frameworks] ?? []).length === 0) continue;
      seen.add(c.id);
      let st = controls.get(c.id);
      if (!st) {
        st = {
          id: c.id, title: c.title, frameworks: c.frameworks,
          runs: Object.fromEntries(CONTROL_STATUSES.map((s) => [s, 0])) as Record<ControlStatus, number>,
          streaks: new ControlStreaks(),
        };
        // a control first seen now still has the earlier runs as gaps for nothing: no streak to gap
        controls.set(c.id, st);
      }
      st.title = c.title; // the latest run's words
      st.frameworks = c.frameworks;
      st.runs[c.status]++;
      st.streaks.step(view, c);
      opts.onResult?.(run, c);
    }
    for (const st of controls.values()) if (!seen.has(st.id)) st.streaks.step(view, undefined);
  }

  const all = daysBetween(period.start, period.end);
  const missing = missingDays(period.start, period.end, runs.map((r) => r.asOf));
  const out: HistoryControl[] = [...controls.values()].map((st) => ({
    id: st.id, title: st.title, frameworks: st.frameworks, runs: st.runs, exceptions: st.streaks.finish(),
  }));
  return { period, runs, days: { total: all.length, withEvidence: all.length - missing.length, missing }, controls: out };
}
