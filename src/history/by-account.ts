// A period's exceptions aggregated by control and account: what a period pack prints when an
// estate has too many exceptions to list one row each (a year of 1,000 accounts is thousands of
// streaks; every one stays in the pack's attached history and criteria JSON).
import { isOpenStreak } from './streaks.js';

interface Aggregable {
  controlId: string;
  account: string | null;
  cause: string;
  resolvedAt: string | null;
  gone: boolean;
  endedBy?: 'FAIL' | 'ERROR';
  daysOpen: number;
  runs: number;
}

export interface ExceptionGroup {
  controlId: string;
  /** null: an attestation or a finding without an account */
  account: string | null;
  exceptions: number;
  /** still open at the end of the period */
  open: number;
  /** streaks of missing evidence (not failures of resources) */
  missingEvidence: number;
  /** the longest streak, in days open */
  maxDaysOpen: number;
  /** runs summed over the streaks */
  runs: number;
}

/** Per (control, account), in control then account order. */
export function exceptionsByControlAndAccount(exceptions: readonly Aggregable[]): ExceptionGroup[] {
  const groups = new Map<string, ExceptionGroup>();
  for (const e of exceptions) {
    const key = `${e.controlId}\u0000${e.account ?? ''}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { controlId: e.controlId, account: e.account, exceptions: 0, open: 0, missingEvidence: 0, maxDaysOpen: 0, runs: 0 }));
    g.exceptions++;
    if (isOpenStreak(e)) g.open++;
    if (e.cause === 'missing-evidence') g.missingEvidence++;
    g.maxDaysOpen = Math.max(g.maxDaysOpen, e.daysOpen);
    g.runs += e.runs;
  }
  return [...groups.values()].sort((a, b) => (a.controlId !== b.controlId ? (a.controlId < b.controlId ? -1 : 1)
    : (a.account ?? '') < (b.account ?? '') ? -1 : (a.account ?? '') > (b.account ?? '') ? 1 : 0));
}
