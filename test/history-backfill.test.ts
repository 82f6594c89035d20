// `trustpack backfill` through the sandbox's Config history: a defect that lasted three weeks
// two months ago is found as exactly that streak in `history`; items Config did not record are
// ERROR; each resource's history is read once for the whole backfill; a rerun appends nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, loadFixture, type Sandbox } from '../src/sandbox/index.js';
import type { Fixture } from '../src/sandbox/model.js';
import type { Timeline } from '../src/sandbox/history-model.js';
import { runBackfill, type BackfillOutcome } from '../src/app/backfill.js';
import { historyOf } from '../src/app/history.js';
import { historyTable } from '../src/history/format.js';
import { collectEvidence } from '../collectors/run.js';
import { openArchive } from '../src/archive/index.js';
import type { History } from '../src/history/model.js';
import { ROOT } from './helpers/cli.js';
import { useSandboxEnv } from './collect-helpers.js';

const DAY = 86_400_000;
const SEVEN_DAYS = 7 * DAY;
const now = new Date();
const day = (msAgo: number) => new Date(now.getTime() - msAgo).toISOString().slice(0, 10);
/** the daily step (23:59:59Z) of the UTC day that `t` falls in */
const stepOf = (t: Date) => `${t.toISOString().slice(0, 10)}T23:59:59.000Z`;

/** Types whose normalisers read tags: BatchGetResourceConfig returns none, so one history call fetches them. */
const TAGGED = new Set(['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::RDS::DBClusterSnapshot']);

/**
 * The fewest Config calls a backfill over [from, to] can make, from the fixture's item times:
 * one BatchGetResourceConfig per 100 live resources of each type; a live resource whose current
 * item was captured by `from` costs no history call (one for its tags when its type needs them);
 * any other resource alive at `from` walks back (newest first without earlierTime, each page
 * spanning seven days back from the last, until the window holding the newest item captured by
 * then; one empty page when there is none), then one call per seven days to the end or deletion.
 */
function minimumCalls(timelines: Timeline[], from: number, to: number): { history: number; batch: number; walkBacks: number } {
  let history = 0;
  let walkBacks = 0;
  const live = new Map<string, number>();
  for (const t of timelines) {
    const gone = t.deletedAt?.getTime() ?? Infinity;
    if ((t.items[0]?.captureTime.getTime() ?? Infinity) > now.getTime()) continue;
    const current = t.items.filter((i) => i.captureTime.getTime() <= now.getTime()).at(-1)!;
    const alive = gone > now.getTime() && !/^ResourceDeleted/.test(current.status);
    if (alive) live.set(t.resourceType, (live.get(t.resourceType) ?? 0) + 1);
    if (gone <= from) continue;
    if (alive && current.captureTime.getTime() <= from) {
      history += TAGGED.has(t.resourceType) ? 1 : 0;
      continue;
    }
    const before = t.items.filter((i) => i.captureTime.getTime() <= from).at(-1);
    const walkBack = before ? Math.floor((from - before.captureTime.getTime()) / SEVEN_DAYS) + 1 : 1;
    walkBacks += walkBack;
    history += walkBack + Math.ceil((Math.min(to, gone) - from) / SEVEN_DAYS);
  }
  let batch = 0;
  for (const n of live.values()) batch += Math.ceil(n / 100);
  return { history, batch, walkBacks };
}

const START = day(80 * DAY);
const END = day(30 * DAY);
let sandbox: Sandbox;
let fixture: Fixture;
let archiveDir: string;
let first: BackfillOutcome;
let history: History;

const args = () => ({
  archive: archiveDir, period: `${START}..${END}`, every: '1d', regions: ['us-east-1'],
  project: join(ROOT, 'examples', 'sample', 'trustpack.yaml'), log: () => {}, tty: false,
});

beforeAll(async () => {
  fixture = loadFixture(join(ROOT, 'test/fixtures/history/account.yaml'), now);
  sandbox = await startSandbox({ fixture, port: 0 });
  useSandboxEnv(sandbox.url);
  archiveDir = join(mkdtempSync(join(tmpdir(), 'trustpack-backfill-')), 'archive');
  first = await runBackfill(args(), now);
  const archive = await openArchive(archiveDir);
  try {
    history = await historyOf(archive, { period: { start: START, end: END } });
  } finally {
    archive.close();
  }
}, 120_000);
afterAll(async () => {
  await sandbox?.close();
});

describe('trustpack backfill from AWS Config history', () => {
  it('appends one config-history run per day of the period', () => {
    expect(first.appended).toBe(51);
    expect(history.runs).toHaveLength(51);
    expect(history.runs.every((r) => r.source === 'config-history')).toBe(true);
    expect(history.runs[0]!.asOf).toBe(`${START}T23:59:59.000Z`);
    expect(history.runs.at(-1)!.asOf).toBe(`${END}T23:59:59.000Z`);
    expect(history.days.missing).toEqual([]);
    // the table shows them apart from live runs, and says what the mark means
    const table = historyTable(history);
    expect(table).toContain('51 runs (0 live, 51 rebuilt from AWS Config history)');
    expect(table).toMatch(/legend: \[history\] = rebuilt after the fact from AWS Config's configuration history/);
    expect(table).toMatch(/FAIL arn:aws:rds:us-east-1:111122223333:cluster:orders-prod .*\[history\]/);
  });

  it('finds exactly the three-week deletion-protection streak, two months ago, and when it was fixed', () => {
    const broke = new Date(now.getTime() - 63 * DAY);
    const fixed = new Date(now.getTime() - 42 * DAY);
    const c = history.controls.find((x) => x.id === 'rds-cluster-deletion-protection')!;
    expect(c.exceptions).toHaveLength(1);
    const e = c.exceptions[0]!;
    expect(e.resource).toBe('arn:aws:rds:us-east-1:111122223333:cluster:orders-prod');
    expect(e.status).toBe('FAIL');
    expect(e.firstSeen).toBe(stepOf(broke));
    expect(e.lastSeen).toBe(stepOf(new Date(fixed.getTime() - DAY)));
    expect(e.resolvedAt).toBe(stepOf(fixed));
    expect(e.runs).toBe(21);
    expect(e.source).toBe('config-history');
    expect(c.runs.FAIL).toBe(21);
    expect(c.runs.PASS).toBe(30);
  });

  it('makes an item Config did not record an ERROR for those days, never a pass', () => {
    const c = history.controls.find((x) => x.id === 'rds-instance-encrypted-at-rest')!;
    const e = c.exceptions.find((x) => x.resource.endsWith(':db:orders-prod-instance-2'))!;
    expect(e.status).toBe('ERROR');
    expect(e.firstSeen).toBe(stepOf(new Date(now.getTime() - 50 * DAY)));
    expect(e.resolvedAt).toBe(stepOf(new Date(now.getTime() - 48 * DAY)));
    expect(e.runs).toBe(2);
    expect(e.reason).toMatch(/ResourceNotRecorded/);
    expect(c.exceptions).toHaveLength(1);
  });

  it('rebuilds a Config rule\'s past verdicts from the ResourceCompliance history, not from today\'s', () => {
    const c = history.controls.find((x) => x.id === 'config-rule-rds-storage-encrypted')!;
    expect(c.exceptions).toHaveLength(1);
    const e = c.exceptions[0]!;
    expect(e.status).toBe('FAIL');
    expect(e.firstSeen).toBe(stepOf(new Date(now.getTime() - 60 * DAY)));
    expect(e.resolvedAt).toBe(stepOf(new Date(now.getTime() - 55 * DAY)));
    expect(e.runs).toBe(5);
  });

  it('sees a snapshot while it existed and not after Config recorded its deletion', () => {
    const c = history.controls.find((x) => x.id === 'rds-cluster-snapshot-encrypted')!;
    expect(c.runs.PASS).toBe(51);
    expect(c.exceptions).toEqual([]);
  });

  it('reads each resource\'s history once for the whole backfill, and only for resources changed since its start', () => {
    const from = new Date(`${START}T23:59:59Z`).getTime();
    const to = new Date(`${END}T23:59:59Z`).getTime();
    const timelines = fixture.accounts[0]!.regions['us-east-1']!.history!.timelines;
    const minimum = minimumCalls(timelines, from, to);
    expect(first.configCalls['GetResourceConfigHistory']).toBe(minimum.history);
    expect(first.configCalls['BatchGetResourceConfig']).toBe(minimum.batch);
    // the walk back is paid at most once per resource for the whole backfill: 51 steps that each
    // looked up the item in force would pay it 51 times
    expect(minimum.history).toBeLessThan(51 * minimum.walkBacks);
  });

  it('is ERROR for every recorded type while the configuration recorder was off, never "no resources"', async () => {
    const off = await collectEvidence({ regions: ['us-east-1'], toolVersion: 'test', asOf: new Date(now.getTime() - 24.5 * DAY) });
    const failed = off.manifest.collections.filter((c) => c.status === 'error');
    for (const id of ['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots', 'config.rule-evaluations']) {
      const c = failed.find((x) => x.collector === id);
      expect(c?.error?.code, id).toBe('NotInConfigHistory');
      expect(c?.error?.message).toMatch(/was not recording AWS::/);
    }
    expect(off.records.filter((r) => r.collector === 'rds.db-clusters')).toEqual([]);
    const on = await collectEvidence({ regions: ['us-east-1'], toolVersion: 'test', asOf: new Date(now.getTime() - 23.5 * DAY) });
    expect(on.manifest.collections.find((x) => x.collector === 'rds.db-clusters')?.status).toBe('ok');
  });

  it('a rerun appends nothing twice', async () => {
    const again = await runBackfill(args(), now);
    expect(again.appended).toBe(0);
    expect(again.skipped).toBe(51);
    const archive = await openArchive(archiveDir);
    try {
      let n = 0;
      for await (const _ of archive.entries()) n++;
      expect(n).toBe(51);
    } finally {
      archive.close();
    }
  });
});
