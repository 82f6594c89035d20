// A period's exceptions by control and account: what an estate's period pack prints instead of
// one row per streak once there are too many to list.
import { describe, expect, it } from 'vitest';
import { exceptionsByControlAndAccount } from '../src/history/by-account.js';

const e = (controlId: string, account: string | null, o: { open?: boolean; missing?: boolean; days?: number; runs?: number } = {}) => ({
  controlId, account, cause: o.missing ? 'missing-evidence' : 'resource', resolvedAt: o.open ? null : '2026-03-01T02:00:00Z', gone: false,
  daysOpen: o.days ?? 1, runs: o.runs ?? 1,
});

describe('exceptionsByControlAndAccount', () => {
  it('counts streaks, open ones, missing evidence, the longest and the runs per (control, account), sorted', () => {
    const groups = exceptionsByControlAndAccount([
      e('rds-b', '222', { open: true, days: 9, runs: 9 }),
      e('rds-a', '222', { days: 3, runs: 2 }),
      e('rds-a', '111', { open: true, days: 30, runs: 28 }),
      e('rds-a', '111', { missing: true, days: 2, runs: 2 }),
      e('rds-a', '111', { days: 5, runs: 5 }),
      e('manual-x', null, { open: true }),
    ]);
    expect(groups).toEqual([
      { controlId: 'manual-x', account: null, exceptions: 1, open: 1, missingEvidence: 0, maxDaysOpen: 1, runs: 1 },
      { controlId: 'rds-a', account: '111', exceptions: 3, open: 1, missingEvidence: 1, maxDaysOpen: 30, runs: 35 },
      { controlId: 'rds-a', account: '222', exceptions: 1, open: 0, missingEvidence: 0, maxDaysOpen: 3, runs: 2 },
      { controlId: 'rds-b', account: '222', exceptions: 1, open: 1, missingEvidence: 0, maxDaysOpen: 9, runs: 9 },
    ]);
  });
});
