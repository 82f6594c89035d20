// History over an archive of nightly runs of the sample account (through the sandbox): a defect
// fixed on night 3 and one still open, with exact streak dates; and the CLI on that archive.
import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyOf, rebuildIndex, runHistory } from '../src/app/history.js';
import { buildHistory } from '../src/history/build.js';
import type { Results } from '../src/engine/results.js';
import { gzipSync } from 'node:zlib';
import { openArchive } from '../src/archive/index.js';
import { loadFixture, startSandbox, type Fixture, type Sandbox } from '../src/sandbox/index.js';
import { SAMPLE, useSandboxEnv } from './collect-helpers.js';
import { archiveNights, legacyKey, NIGHTS } from './helpers/archive-nights.js';
import { ROOT, runCli } from './helpers/cli.js';

let sb: Sandbox;
let dir: string;
let fixture: Fixture;
/** D6's key, fixed on night 3 (read before archiveNights turns its rotation on). */
let fixed: string;
const PROJECT = join(ROOT, 'examples', 'sample', 'trustpack.yaml');

beforeAll(async () => {
  fixture = loadFixture(SAMPLE);
  sb = await startSandbox({ fixture, port: 0 });
  useSandboxEnv(sb.url);
  dir = await mkdtemp(join(tmpdir(), 'tp-history-'));
  fixed = legacyKey(fixture).metadata.Arn;
  await archiveNights(fixture, join(dir, 'archive'), PROJECT);
});
afterAll(async () => {
  await sb?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('history over archived nights', () => {
  it('a defect fixed on night 3 resolves there; one never fixed stays open; the missing day is a gap', async () => {
    const archive = await openArchive(join(dir, 'archive'));
    const h = await historyOf(archive, { period: { start: '2026-03-01', end: '2026-03-06' } });
    expect(h.runs.map((r) => r.asOf)).toEqual(NIGHTS);
    expect(h.runs.every((r) => r.source === 'live')).toBe(true);
    expect(h.days).toEqual({ total: 6, withEvidence: 5, missing: ['2026-03-04'] });

    // D6 (legacy-reporting's key, rotation off) is fixed on night 3. Any other customer key of the
    // fixture that still breaks the control (D9: orders-data rotates every 730 days, more than the
    // default max_rotation_period_days of 365) keeps the control failing on every night, with an
    // exception of its own that never resolves.
    const stillFailing = ['us-east-1', 'eu-central-1'].flatMap((region) => fixture.accounts[0]!.regions[region]!.keys)
      .filter((k) => k.metadata.Arn !== fixed && k.metadata.KeyManager === 'CUSTOMER' && k.metadata.Origin === 'AWS_KMS')
      .filter((k) => !k.rotationEnabled || (k.rotationPeriodInDays ?? 365) > 365)
      .map((k) => k.metadata.Arn).sort();
    const rotation = h.controls.find((c) => c.id === 'kms-cmk-rotation-enabled')!;
    expect(rotation.runs).toMatchObject(stillFailing.length > 0 ? { FAIL: 5, PASS: 0 } : { FAIL: 2, PASS: 3 });
    expect(rotation.exceptions.map((e) => e.resource).sort()).toEqual([fixed, ...stillFailing].sort());
    expect(rotation.exceptions.find((e) => e.resource === fixed)).toEqual(expect.objectContaining({
      status: 'FAIL', firstSeen: NIGHTS[0], lastSeen: NIGHTS[1], resolvedAt: NIGHTS[2], gone: false, runs: 2, source: 'live',
    }));
    expect(fixed).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
    for (const arn of stillFailing) {
      expect(rotation.exceptions.find((e) => e.resource === arn)).toEqual(expect.objectContaining({
        status: 'FAIL', firstSeen: NIGHTS[0], lastSeen: NIGHTS[4], resolvedAt: null, gone: false, runs: 5,
      }));
    }

    const tls = h.controls.find((c) => c.id === 'rds-cluster-tls-enforced')!;
    expect(tls.runs.FAIL).toBe(5);
    const open = tls.exceptions.find((e) => e.resource.includes('legacy-reporting'))!;
    expect(open).toMatchObject({ firstSeen: NIGHTS[0], lastSeen: NIGHTS[4], resolvedAt: null, gone: false, runs: 5 });
    expect(open.reason).toBe('TlsParameterValue is "OFF", expected one of ["ON","1"]');
  });

  it('the streak index: history from it equals history from the full results; --rebuild-index gives the same bytes', async () => {
    const location = join(dir, 'archive');
    const archive = await openArchive(location);
    const refs = [];
    const entries = [];
    for await (const s of archive.entries()) {
      entries.push(s.entry);
      expect(s.entry.index).toMatch(/^[0-9a-f]{64}$/);
      const e = s.entry;
      refs.push({ runId: e.runId, asOf: e.asOf, source: e.source, accounts: e.accounts, regions: e.regions, load: () => archive.results<Results>(e) });
    }
    const fromResults = await buildHistory(refs, {});
    expect(await historyOf(archive, {})).toEqual(fromResults);
    // an index object is much smaller than the results it stands for
    const e5 = entries.at(-1)!;
    expect((await archive.object(e5.index!)).length * 2).toBeLessThan((await archive.object(e5.results)).length);

    // every index object rebuilt from the runs is byte-identical; a lost one is written again
    const copy = join(dir, 'index-lost');
    await cp(location, copy, { recursive: true });
    await unlink(join(copy, 'objects', `${e5.index}.gz`));
    const c = await openArchive(copy);
    await expect(historyOf(c, {})).rejects.toThrow(/missing/);
    expect(await rebuildIndex(c)).toEqual({ checked: 5, written: 1, differing: [] });
    expect(await historyOf(c, {})).toEqual(fromResults);
    const cli = await runCli(['history', '--archive', copy, '--rebuild-index', '--format', 'json']);
    expect(cli.code).toBe(0);
    expect(cli.stderr).toContain('5 runs, byte-identical 5, written again 0');
    // altered stored results cannot rebuild the index: refused, naming the object
    const bytes = (await c.object(e5.results)).toString('utf8').replace('"FAIL"', '"PASS"');
    await writeFile(join(copy, 'objects', `${e5.results}.gz`), gzipSync(bytes));
    const bad = await runCli(['history', '--archive', copy, '--rebuild-index', '--format', 'json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`object ${e5.results} was altered`);
  });

  it('history reads the results stored at archive time, not today\'s catalog', async () => {
    const archive = await openArchive(join(dir, 'archive'));
    const h = await historyOf(archive, { framework: 'pci-dss-4.0.1' });
    expect(h.period).toEqual({ start: '2026-03-01', end: '2026-03-06' });
    expect(h.controls.every((c) => (c.frameworks['pci-dss-4.0.1'] ?? []).length > 0)).toBe(true);
    expect(h.controls.length).toBeGreaterThan(0);
  });

  it('--reevaluate applies today\'s catalog (a waiver added later) and says so; without it the stored results stand', async () => {
    const project = join(dir, 'later.yaml');
    await writeFile(join(dir, 'later-waivers.yaml'), [
      'waivers:',
      '  - control: rds-cluster-tls-enforced',
      '    resource: "arn:aws:rds:us-east-1:111122223333:cluster:legacy-reporting"',
      '    reason: accepted later',
      '    approver: "Dana Whitfield, CTO"',
      '    expires: "2027-12-31"',
    ].join('\n') + '\n');
    await writeFile(project, `controls: ${join(ROOT, 'controls')}\nregions: [us-east-1, eu-central-1]\nwaivers: later-waivers.yaml\n`);
    const tlsOf = (text: string) => {
      const h = JSON.parse(text);
      return { h, e: h.controls.find((c: { id: string }) => c.id === 'rds-cluster-tls-enforced').exceptions.find((x: { resource: string }) => x.resource.includes('legacy-reporting')) };
    };
    const stored = tlsOf((await runHistory({ archive: join(dir, 'archive'), format: 'json', project })).text);
    expect(stored.h.reevaluated).toBeUndefined();
    expect(stored.e.waivedRuns).toBe(0);
    const again = tlsOf((await runHistory({ archive: join(dir, 'archive'), format: 'json', project, reevaluate: true })).text);
    expect(again.h.reevaluated.note).toContain("today's catalog");
    expect(again.e).toMatchObject({ waivedRuns: 5, runs: 5, firstSeen: NIGHTS[0], resolvedAt: null });
  });

  it('CLI: archive list prints the head, verify checks it (0), history formats; tampering is 1, a missing folder 2', async () => {
    const location = join(dir, 'archive');
    const list = await runCli(['archive', 'list', '--archive', location, '--format', 'json']);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout);
    expect(listed.entries).toHaveLength(5);
    const head = `${listed.head.sha256}:${listed.head.n}`;

    const ok = await runCli(['archive', 'verify', '--archive', location, '--expect-head', head, '--format', 'table']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('INTACT');
    expect(ok.stdout).toContain('gaps (days without a run, not failures): 2026-03-04');
    expect(ok.stdout).toContain('no Object Lock');

    const json = await runCli(['history', '--archive', location, '--period', '2026-03-01..2026-03-06', '--format', 'json']);
    expect(json.code).toBe(0);
    const h = JSON.parse(json.stdout);
    expect(h.days.missing).toEqual(['2026-03-04']);
    const csv = await runCli(['history', '--archive', location, '--format', 'csv']);
    expect(csv.stdout.split('\r\n')[0]).toBe('control_id,control_title,runs_PASS,runs_FAIL,runs_ERROR,runs_NOT_APPLICABLE,runs_MANUAL,runs_WAIVED,resource,account,region,status,first_seen,last_seen,resolved_at,gone,waived_runs,source,runs,reason,cause,ended_by');
    const table = await runCli(['history', '--archive', location, '--format', 'table']);
    expect(table.stdout).toContain('5 of 6 days with evidence');

    expect((await runCli(['history', '--archive', location, '--period', '2026-03-06..2026-03-01'])).code).toBe(2);
    expect((await runCli(['archive', 'verify', '--archive', location, '--expect-head', 'nope'])).code).toBe(2);

    const copy = join(dir, 'tampered');
    await cp(location, copy, { recursive: true });
    await unlink(join(copy, 'entries', '00000005.json'));
    const truncated = await runCli(['archive', 'verify', '--archive', copy, '--expect-head', head, '--format', 'json']);
    expect(truncated.code).toBe(1);
    expect(JSON.parse(truncated.stdout).problems).toEqual([expect.objectContaining({ kind: 'truncated', position: 5 })]);
    const missing = await runCli(['archive', 'verify', '--archive', join(dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no archive there');
  });
});
