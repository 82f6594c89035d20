// The archive under attack (red team, second round): a malformed entry or object is a BROKEN
// verdict at its position, never a crash; an absurd entry number is one problem, not a loop to
// it; a symbolic link inside a folder archive is refused before anything is written; a bundle
// already in the chain is not appended again and history counts each run once.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../src/archive/index.js';
import { writeBundle } from '../src/evidence/bundle.js';
import { toRecord } from '../src/evidence/canonical.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import { appendInput } from './helpers/archive-bundles.js';
import { ROOT, runCli } from './helpers/cli.js';

const PROJECT = ['--project', join(ROOT, 'examples', 'sample', 'trustpack.yaml')];
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-archive-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A folder archive of `n` genuine runs. */
async function archiveOf(name: string, n: number): Promise<string> {
  const location = join(dir, name);
  const a = await openArchive(location, { forWriting: true });
  for (let i = 1; i <= n; i++) await a.append(appendInput(`run-${i}`, `2026-03-0${i}T02:00:00.000Z`, i));
  return location;
}

/** Appends a hand-made entry N+1 chained onto the head, naming `bundle` as its manifest object. */
async function forgeEntry(location: string, bundleBytes: Buffer): Promise<void> {
  const a = await openArchive(location);
  const head = (await a.head())!;
  const bundle = sha256(bundleBytes);
  await writeFile(join(location, 'objects', bundle), bundleBytes);
  const results = Buffer.from('{}\n');
  await writeFile(join(location, 'objects', sha256(results)), results);
  const entry = {
    formatVersion: 1, n: head.n + 1, runId: 'forged', asOf: '2026-03-09T02:00:00.000Z', source: 'live', accounts: [], regions: [],
    bundle, results: sha256(results), catalog: 'c'.repeat(64), previous: head.sha256, appendedAt: '2026-03-09T02:00:00.000Z', tool: 'x',
  };
  await writeFile(join(location, 'entries', `${String(head.n + 1).padStart(8, '0')}.json`), JSON.stringify(entry));
}

function syntheticBundle(runId: string): EvidenceBundle {
  const asOf = '2026-03-01T02:00:00.000Z';
  const record = toRecord({
    collector: 'rds.db-clusters',
    source: { service: 'rds', operation: 'DescribeDBClusters', parameters: {}, region: 'us-east-1', account: '111122223333', time: asOf },
    resourceType: 'AWS::RDS::DBCluster', resource: 'arn:aws:rds:us-east-1:111122223333:cluster:orders', data: { StorageEncrypted: true },
  });
  return {
    manifest: {
      formatVersion: 1, runId, tool: { name: 'trustpack', version: '0.1.0' }, accounts: ['111122223333'], regions: ['us-east-1'],
      startedAt: asOf, endedAt: asOf, files: [],
      collections: [{ collector: 'rds.db-clusters', account: '111122223333', region: 'us-east-1', status: 'ok', calls: 1, records: 1, startedAt: asOf, endedAt: asOf }],
    },
    records: [record],
  };
}

describe('archive verify never crashes and stays linear', () => {
  for (const [what, bytes] of [['null', 'null'], ['not JSON', '{"files": ['], ['files not a list', '{"files": 7}'], ['a file without a sha256', '{"files": [{"path": "x"}]}']] as const) {
    it(`a bundle manifest object that is ${what} is BROKEN at its position (exit 1, no stack)`, async () => {
      const location = await archiveOf(`malformed-${what.replace(/\W/g, '-')}`, 2);
      await forgeEntry(location, Buffer.from(bytes));
      const r = await runCli(['archive', 'verify', '--archive', location, '--format', 'json']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      const report = JSON.parse(r.stdout);
      expect(report.intact).toBe(false);
      expect(report.problems).toEqual([expect.objectContaining({ position: 3, kind: 'malformed' })]);
    });
  }

  it('one file entries/99999999.json is one problem, answered at once (was a loop to 99,999,999)', async () => {
    const location = await archiveOf('absurd', 3);
    await writeFile(join(location, 'entries', '99999999.json'), await readFile(join(location, 'entries', '00000003.json')));
    const r = await runCli(['archive', 'verify', '--archive', location, '--format', 'json'], { timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    // the range, and the entry found at 99999999 (it says it is entry 3)
    expect(report.problems).toEqual([
      expect.objectContaining({ position: 4, kind: 'removed', message: expect.stringMatching(/entries 4\.\.99999998 are missing/) }),
      expect.objectContaining({ position: 99999999, message: expect.stringMatching(/position 99999999 holds entry 3/) }),
    ]);
  });

  it('an entry number past 2^53 is a foreign name, not a position', async () => {
    const location = await archiveOf('huge', 2);
    await writeFile(join(location, 'entries', `${'9'.repeat(30)}.json`), '{}');
    const a = await openArchive(location);
    const r = await a.verify();
    expect(r.problems).toEqual([expect.objectContaining({ position: 0, kind: 'foreign' })]);
    expect(r.head?.n).toBe(2);
  });
});

describe('a folder archive never leaves its folder', () => {
  it('objects/ replaced by a symbolic link: archive add is refused (exit 2) and writes nothing, there or outside', async () => {
    const location = await archiveOf('linked', 1);
    const outside = join(dir, 'outside');
    await mkdir(outside);
    await rm(join(location, 'objects'), { recursive: true });
    await symlink(outside, join(location, 'objects'));
    const bundle = join(dir, 'bundle-linked');
    await writeBundle(syntheticBundle('20260301T020000Z-aaaa'), bundle);
    const r = await runCli(['archive', 'add', ...PROJECT, bundle, '--archive', location]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/objects: a symbolic link inside the archive; refused/);
    expect(await readdir(outside)).toEqual([]);
    expect(await readdir(join(location, 'entries'))).toEqual(['00000001.json']);
    // verify refuses to read through it too (unreadable: exit 2)
    expect((await runCli(['archive', 'verify', '--archive', location])).code).toBe(2);
  });
});

describe('a retried job appends nothing twice', () => {
  it('archive add of a bundle already in the chain appends nothing (exit 0, says so); history counts the run once', async () => {
    const location = join(dir, 'retried');
    const bundle = join(dir, 'bundle-retried');
    await writeBundle(syntheticBundle('20260301T020000Z-bbbb'), bundle);
    const first = await runCli(['archive', 'add', ...PROJECT, bundle, '--archive', location]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('as entry 1 of');
    const again = await runCli(['archive', 'add', ...PROJECT, bundle, '--archive', location]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already archived as entry 1 of .*nothing appended/);
    expect(await readdir(join(location, 'entries'))).toEqual(['00000001.json']);
    const h = await runCli(['history', ...PROJECT, '--archive', location, '--format', 'json']);
    expect(h.code, h.stderr).toBe(0);
    expect(JSON.parse(h.stdout).runs).toHaveLength(1);
  });

  it('history counts a bundle archived twice by an older version once', async () => {
    const location = join(dir, 'doubled');
    const bundle = join(dir, 'bundle-doubled');
    await writeBundle(syntheticBundle('20260301T020000Z-cccc'), bundle);
    expect((await runCli(['archive', 'add', ...PROJECT, bundle, '--archive', location])).code).toBe(0);
    const a = await openArchive(location);
    const head = (await a.head())!;
    const first = JSON.parse(await readFile(join(location, 'entries', '00000001.json'), 'utf8'));
    // entry 2 as an older trustpack wrote it: the same bundle, chained onto entry 1
    await writeFile(join(location, 'entries', '00000002.json'), JSON.stringify({ ...first, n: 2, previous: head.sha256 }, null, 2) + '\n');
    expect((await a.verify()).intact).toBe(true);
    const h = await runCli(['history', ...PROJECT, '--archive', location, '--format', 'json']);
    expect(h.code, h.stderr).toBe(0);
    expect(JSON.parse(h.stdout).runs).toHaveLength(1);
  });
});
