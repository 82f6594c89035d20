// Every row of the streak table (docs/CONTRACTS.md, "History JSON"), on synthetic stored
// results (one control, runs covering account 111122223333 in us-east-1 unless a row says
// otherwise). TABLE is the documented table word for word; each test is named by its cell.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildHistory, type RunRef } from '../src/history/build.js';
import type { ControlResult, Finding, Results } from '../src/engine/results.js';
import { ROOT } from './helpers/cli.js';

const TABLE = [
  ['the same status (FAIL, or ERROR)', 'continues', 'opens'],
  ['the other of FAIL and ERROR', 'ends this streak (`resolvedAt` null, `endedBy` the new status) and opens one of the new status', 'opens'],
  ['WAIVED', 'continues, counted in `waivedRuns`', 'opens, counted'],
  ['PASS, NOT_APPLICABLE or MANUAL (a current attestation)', 'resolves: `resolvedAt` = this run', 'nothing'],
  ['no finding (resource deleted or out of scope)', 'ends with `resolvedAt` null and `gone` true', 'nothing'],
  ['a run that did not cover the account or region, or a day without a run', 'neither continues nor breaks it; listed as a gap', 'nothing'],
] as const;
const open = (row: number) => `${TABLE[row]![0]} | open streak: ${TABLE[row]![1]}`;
const none = (row: number) => `${TABLE[row]![0]} | no streak open: ${TABLE[row]![2]}`;

const ACCOUNT = '111122223333';
const ARN = `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:orders`;
type F = Finding['status'] | 'NONE' | 'NA' | 'NOT_COVERED' | 'NO_CONTROL';

function run(day: number, what: F, source: 'live' | 'config-history' = 'live'): RunRef {
  const asOf = `2026-04-${String(day).padStart(2, '0')}T02:00:00.000Z`;
  const findings: Finding[] = [];
  if (what !== 'NONE' && what !== 'NA' && what !== 'NOT_COVERED' && what !== 'NO_CONTROL') {
    findings.push({ resource: ARN, account: ACCOUNT, region: 'us-east-1', status: what, reason: `${what} on day ${day}`, evidence: [] });
  }
  // another resource keeps the control evaluated when ours has no finding
  if (what === 'NONE') findings.push({ resource: `${ARN}-other`, account: ACCOUNT, region: 'us-east-1', status: 'PASS', reason: 'ok', evidence: [] });
  const status: ControlResult['status'] = what === 'NA' ? 'NOT_APPLICABLE' : findings.some((f) => f.status === 'FAIL') ? 'FAIL' : findings.some((f) => f.status === 'ERROR') ? 'ERROR' : findings.some((f) => f.status === 'WAIVED') ? 'WAIVED' : 'PASS';
  const control: ControlResult = {
    id: 'rds-cluster-tls-enforced', title: 'TLS', status, severity: 'high', kind: 'automated', frameworks: { soc2: ['CC6.7'] }, findings, reason: '',
  };
  const results: Results = {
    tool: { name: 'trustpack', version: '0' },
    run: { id: `r${day}`, startedAt: asOf, evaluatedAt: asOf, accounts: [ACCOUNT], regions: what === 'NOT_COVERED' ? ['eu-central-1'] : ['us-east-1'] },
    summary: { PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0, MANUAL: 0, WAIVED: 0 },
    controls: what === 'NO_CONTROL' ? [] : [control],
  };
  return { runId: `r${day}`, asOf, source, accounts: [ACCOUNT], regions: results.run.regions, load: async () => results };
}

async function exceptionsOf(...runs: RunRef[]) {
  const h = await buildHistory(runs, { period: { start: '2026-04-01', end: '2026-04-10' } });
  return h.controls.find((c) => c.id === 'rds-cluster-tls-enforced')?.exceptions ?? [];
}
const at = (day: number) => `2026-04-${String(day).padStart(2, '0')}T02:00:00.000Z`;

describe('streak table', () => {
  it('the table in docs/CONTRACTS.md is, row by row, the one these tests pin', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'CONTRACTS.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## History JSON'));
    const body = section.slice(section.indexOf('| --- |'));
    const rows = body.split('\n').slice(1).filter((l) => l.startsWith('|')).map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
    expect(rows).toEqual(TABLE.map((r) => [...r]));
  });

  it(none(0), async () => {
    const [e] = await exceptionsOf(run(1, 'PASS'), run(2, 'ERROR'));
    expect(e).toMatchObject({ status: 'ERROR', firstSeen: at(2), lastSeen: at(2), resolvedAt: null, gone: false, runs: 1 });
  });

  it(open(0), async () => {
    const fail = await exceptionsOf(run(1, 'FAIL'), run(2, 'FAIL'), run(3, 'FAIL'));
    expect(fail).toHaveLength(1);
    expect(fail[0]).toMatchObject({ status: 'FAIL', firstSeen: at(1), lastSeen: at(3), runs: 3, reason: 'FAIL on day 3' });
    const error = await exceptionsOf(run(1, 'ERROR'), run(2, 'ERROR'));
    expect(error).toHaveLength(1);
    expect(error[0]).toMatchObject({ status: 'ERROR', runs: 2 });
  });

  it(open(1), async () => {
    // ERROR then FAIL: evidence came back and showed a failure. Not "resolved".
    const ex = await exceptionsOf(run(1, 'ERROR'), run(2, 'FAIL'), run(3, 'ERROR'));
    expect(ex).toEqual([
      expect.objectContaining({ status: 'ERROR', firstSeen: at(1), lastSeen: at(1), resolvedAt: null, gone: false, endedBy: 'FAIL', runs: 1 }),
      expect.objectContaining({ status: 'FAIL', firstSeen: at(2), lastSeen: at(2), resolvedAt: null, gone: false, endedBy: 'ERROR', runs: 1 }),
      expect.objectContaining({ status: 'ERROR', firstSeen: at(3), resolvedAt: null, gone: false, runs: 1 }),
    ]);
    expect(ex[2]!.endedBy).toBeUndefined();
  });

  it(none(2), async () => {
    const [e] = await exceptionsOf(run(1, 'WAIVED'));
    expect(e).toMatchObject({ firstSeen: at(1), waivedRuns: 1, runs: 1, resolvedAt: null });
  });

  it(open(2), async () => {
    const ex = await exceptionsOf(run(1, 'FAIL'), run(2, 'WAIVED'), run(3, 'WAIVED'));
    expect(ex).toHaveLength(1);
    expect(ex[0]).toMatchObject({ status: 'FAIL', firstSeen: at(1), lastSeen: at(3), waivedRuns: 2, runs: 3 });
  });

  it(open(3), async () => {
    const ex = await exceptionsOf(run(1, 'FAIL'), run(2, 'FAIL'), run(3, 'PASS'), run(4, 'PASS'));
    expect(ex).toEqual([expect.objectContaining({ firstSeen: at(1), lastSeen: at(2), resolvedAt: at(3), gone: false, runs: 2 })]);
  });

  it(`${open(3)} (a NOT_APPLICABLE finding)`, async () => {
    const na = run(3, 'PASS');
    const results = await na.load();
    results.controls[0]!.findings[0]!.status = 'NOT_APPLICABLE' as Finding['status'];
    const ex = await exceptionsOf(run(1, 'FAIL'), { ...na, load: async () => results });
    expect(ex[0]).toMatchObject({ resolvedAt: at(3), gone: false });
  });

  it(none(3), async () => {
    expect(await exceptionsOf(run(1, 'PASS'), run(2, 'NA'), run(3, 'PASS'))).toEqual([]);
  });

  it(open(4), async () => {
    const ex = await exceptionsOf(run(1, 'FAIL'), run(2, 'NONE'), run(3, 'FAIL'));
    expect(ex).toEqual([
      expect.objectContaining({ firstSeen: at(1), lastSeen: at(1), resolvedAt: null, gone: true, runs: 1 }),
      expect.objectContaining({ firstSeen: at(3), resolvedAt: null, gone: false }),
    ]);
    // the control NOT_APPLICABLE (no resource in scope at all) is also "no finding"
    const na = await exceptionsOf(run(1, 'FAIL'), run(2, 'NA'));
    expect(na[0]).toMatchObject({ gone: true, resolvedAt: null });
  });

  it(none(4), async () => {
    expect(await exceptionsOf(run(1, 'NONE'), run(2, 'NONE'))).toEqual([]);
  });

  it(open(5), async () => {
    const ex = await exceptionsOf(run(1, 'FAIL'), run(2, 'NOT_COVERED'), run(3, 'NO_CONTROL'), run(4, 'FAIL'), run(5, 'PASS'));
    expect(ex).toHaveLength(1);
    expect(ex[0]).toMatchObject({ firstSeen: at(1), lastSeen: at(4), resolvedAt: at(5), runs: 2, gaps: [at(2), at(3)] });
  });

  it('a scope-wide ERROR (the region unreadable) is a gap for the resources in it, and its own exception', async () => {
    const unreadable = run(2, 'NONE');
    const r = await unreadable.load();
    r.controls[0]!.findings = [{ resource: `arn:aws:rds:us-east-1:${ACCOUNT}:*`, account: ACCOUNT, region: 'us-east-1', status: 'ERROR', reason: 'AccessDenied', evidence: [] }];
    const ex = await exceptionsOf(run(1, 'FAIL'), { ...unreadable, load: async () => r }, run(3, 'FAIL'));
    expect(ex.find((e) => e.resource === ARN)).toMatchObject({ runs: 2, gaps: [at(2)], resolvedAt: null, gone: false, lastSeen: at(3) });
    // read again the next night: the collection error resolves there
    expect(ex.find((e) => e.resource.endsWith(':*'))).toMatchObject({ status: 'ERROR', cause: 'missing-evidence', firstSeen: at(2), resolvedAt: at(3), gone: false });
    expect(ex.find((e) => e.resource === ARN)!.cause).toBe('resource');
  });

  it(`${open(5)} (a day without a run: days.missing)`, async () => {
    const h = await buildHistory([run(1, 'FAIL'), run(4, 'FAIL'), run(5, 'PASS')], { period: { start: '2026-04-01', end: '2026-04-05' } });
    expect(h.days).toEqual({ total: 5, withEvidence: 3, missing: ['2026-04-02', '2026-04-03'] });
    expect(h.controls[0]!.exceptions).toEqual([expect.objectContaining({ firstSeen: at(1), lastSeen: at(4), resolvedAt: at(5), runs: 2 })]);
  });

  it(none(1), async () => {
    const ex = await exceptionsOf(run(1, 'FAIL'), run(2, 'PASS'), run(3, 'ERROR'));
    expect(ex).toEqual([
      expect.objectContaining({ status: 'FAIL', resolvedAt: at(2) }),
      expect.objectContaining({ status: 'ERROR', firstSeen: at(3), resolvedAt: null, runs: 1 }),
    ]);
  });

  it(none(5), async () => {
    expect(await exceptionsOf(run(1, 'PASS'), run(2, 'NOT_COVERED'), run(3, 'NO_CONTROL'))).toEqual([]);
  });

  it(`${open(3)} (MANUAL: a manual control's current attestation; its failures are exceptions on attestation:<id>)`, async () => {
    const manual = (day: number, status: 'FAIL' | 'MANUAL'): RunRef => {
      const r = run(day, 'NA');
      return {
        ...r,
        load: async () => {
          const res = await r.load();
          res.controls = [{
            id: 'manual-backup-restore-test', title: 'Restore test', status, severity: 'high', kind: 'manual', frameworks: { soc2: ['A1.3'] },
            findings: [], reason: status === 'FAIL' ? `no current attestation (day ${day})` : 'attested',
          }];
          return res;
        },
      };
    };
    const h = await buildHistory([manual(1, 'FAIL'), manual(2, 'FAIL'), manual(3, 'MANUAL'), manual(4, 'FAIL')], { period: { start: '2026-04-01', end: '2026-04-10' } });
    expect(h.controls[0]!.exceptions).toEqual([
      expect.objectContaining({ resource: 'attestation:manual-backup-restore-test', account: null, region: null, cause: 'attestation', status: 'FAIL', firstSeen: at(1), lastSeen: at(2), resolvedAt: at(3), runs: 2, reason: 'no current attestation (day 2)' }),
      expect.objectContaining({ resource: 'attestation:manual-backup-restore-test', firstSeen: at(4), resolvedAt: null, gone: false }),
    ]);
  });

  it('source is mixed when a streak spans live and backfilled runs; counts per status; period bounds', async () => {
    const h = await buildHistory([run(1, 'FAIL', 'config-history'), run(2, 'FAIL'), run(3, 'PASS'), run(9, 'FAIL')], { period: { start: '2026-04-01', end: '2026-04-03' } });
    expect(h.runs.map((r) => r.id)).toEqual(['r1', 'r2', 'r3']);
    expect(h.controls[0]!.runs).toMatchObject({ FAIL: 2, PASS: 1 });
    expect(h.controls[0]!.exceptions).toEqual([expect.objectContaining({ source: 'mixed', resolvedAt: at(3) })]);
  });
});
