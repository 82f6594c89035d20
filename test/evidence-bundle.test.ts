import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError, bundleFiles, readBundle, writeBundle } from '../src/evidence/bundle.js';
import { recordId, sha256Hex, toRecord } from '../src/evidence/canonical.js';
import type { EvidenceBundle, EvidenceRecord } from '../src/evidence/model.js';

const T = '2026-11-28T23:30:00.000Z';
function rec(collector: string, name: string, data: unknown): EvidenceRecord {
  return toRecord({
    collector,
    source: { service: 'rds', operation: 'DescribeDBClusters', parameters: {}, region: 'us-east-1', account: '111122223333', time: T },
    resourceType: 'AWS::RDS::DBCluster', resource: `arn:aws:rds:us-east-1:111122223333:cluster:${name}`, data,
  });
}

function sampleBundle(): EvidenceBundle {
  const records = [
    rec('rds.db-clusters', 'a', { DBClusterIdentifier: 'a', StorageEncrypted: true, TagList: [{ Key: 'city', Value: 'Zürich' }] }),
    rec('rds.db-clusters', 'b', { DBClusterIdentifier: 'b', StorageEncrypted: false }),
    rec('rds.db-instances', 'a-1', { DBInstanceIdentifier: 'a-1' }),
  ];
  const col = (collector: string, n: number, status: 'ok' | 'error' = 'ok') => ({
    collector, account: '111122223333', region: 'us-east-1', status, calls: 1, records: n, startedAt: T, endedAt: T,
    ...(status === 'error' ? { error: { code: 'AccessDenied', message: 'no' } } : {}),
  });
  return {
    manifest: {
      formatVersion: 1, runId: '20261128T233000Z-ab12', tool: { name: 'trustpack', version: '0.1.0' },
      caller: { account: '111122223333', arn: 'arn:aws:sts::111122223333:assumed-role/trustpack-audit/nightly' },
      accounts: ['111122223333'], regions: ['us-east-1'], startedAt: T, endedAt: T,
      collections: [col('rds.db-clusters', 2), col('rds.db-instances', 1), col('rds.cluster-automated-backups', 0), col('kms.keys', 0, 'error')],
      files: [],
    },
    records,
  };
}

let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'trustpack-bundle-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

async function written(name: string): Promise<string> {
  const dir = join(root, name);
  await writeBundle(sampleBundle(), dir);
  return dir;
}

async function expectBundleError(dir: string, pattern: RegExp): Promise<BundleError> {
  const err = await readBundle(dir).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(BundleError);
  expect((err as Error).message).toMatch(pattern);
  expect((err as Error).message).not.toContain('\n');
  return err as BundleError;
}

describe('bundleFiles', () => {
  it('gives records files sorted by id, one canonical JSON record per line, and a manifest listing their hashes', () => {
    const files = bundleFiles(sampleBundle());
    expect(files.map((f) => f.path)).toEqual([
      'records/rds.cluster-automated-backups.jsonl', 'records/rds.db-clusters.jsonl', 'records/rds.db-instances.jsonl', 'manifest.json',
    ]);
    const clusters = files[1]!.bytes.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as EvidenceRecord);
    expect(clusters.map((r) => r.id)).toEqual(clusters.map((r) => r.id).sort());
    expect(files[0]!.bytes.length).toBe(0); // ran fine, found nothing: still evidence
    const manifest = JSON.parse(files[3]!.bytes.toString('utf8'));
    expect(manifest.files).toEqual(files.slice(0, 3).map((f, i) => ({
      path: f.path, sha256: sha256Hex(f.bytes), bytes: f.bytes.length, records: [0, 2, 1][i],
    })));
  });

  it('is deterministic: the same bundle, in any record order, gives the same bytes', () => {
    const a = sampleBundle();
    const b = sampleBundle();
    b.records.reverse();
    expect(bundleFiles(b)).toEqual(bundleFiles(a));
  });
});

describe('writeBundle / readBundle', () => {
  it('round-trips: what is read equals what was written, ids verified, files byte-identical', async () => {
    const dir = await written('roundtrip');
    const back = await readBundle(dir);
    const original = sampleBundle();
    expect([...back.records].sort((x, y) => x.id.localeCompare(y.id))).toEqual([...original.records].sort((x, y) => x.id.localeCompare(y.id)));
    expect(back.manifest.runId).toBe(original.manifest.runId);
    expect(back.manifest.collections).toEqual(original.manifest.collections);
    for (const r of back.records) expect(recordId(r)).toBe(r.id);
    // what the pack embeds is exactly what is on disk
    for (const f of bundleFiles(back)) expect(f.bytes.equals(await readFile(join(dir, f.path)))).toBe(true);
  });

  it('names the file when one byte of a records file changes', async () => {
    const dir = await written('tamper');
    const path = join(dir, 'records/rds.db-clusters.jsonl');
    const bytes = await readFile(path);
    bytes[20] = bytes[20]! ^ 1;
    await writeFile(path, bytes);
    await expectBundleError(dir, /records\/rds\.db-clusters\.jsonl: sha256 does not match the manifest/);
  });

  it('finds a changed record even when the manifest hash was updated to match', async () => {
    const dir = await written('reid');
    const path = join(dir, 'records/rds.db-clusters.jsonl');
    const text = (await readFile(path, 'utf8')).replace('"StorageEncrypted":false', '"StorageEncrypted":true ');
    await writeFile(path, text);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const entry = manifest.files.find((f: { path: string }) => f.path === 'records/rds.db-clusters.jsonl');
    entry.sha256 = sha256Hex(Buffer.from(text));
    entry.bytes = Buffer.byteLength(text);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await expectBundleError(dir, /rds\.db-clusters\.jsonl:\d: record id mismatch at line \d/);
  });

  it('proves ids from the canonical line and still reads a record written another way', async () => {
    const rewrite = async (name: string, edit: (line: string) => string) => {
      const dir = await written(name);
      const path = join(dir, 'records/rds.db-clusters.jsonl');
      const text = (await readFile(path, 'utf8')).split('\n').map((l) => (l ? edit(l) : l)).join('\n');
      await writeFile(path, text);
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      Object.assign(manifest.files.find((f: { path: string }) => f.path === 'records/rds.db-clusters.jsonl'), { sha256: sha256Hex(Buffer.from(text)), bytes: Buffer.byteLength(text) });
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
      return dir;
    };
    // the same records, pretty-printed on one line with the id first: not the canonical text, so
    // the id is proven by canonicalising, and the bundle reads as before
    const reordered = await rewrite('reordered', (l) => { const { id, ...rest } = JSON.parse(l); return JSON.stringify({ id, ...rest }, null, 1).replace(/\n\s*/g, ' '); });
    expect((await readBundle(reordered)).records.map((r) => r.id)).toEqual((await readBundle(await written('plain'))).records.map((r) => r.id));
    // a canonical line whose data changed: neither the line nor its canonical form hash to the id
    await expectBundleError(await rewrite('flipped', (l) => l.replace('"StorageEncrypted":false', '"StorageEncrypted":true')), /record id mismatch at line \d/);
  });

  it('reports bad JSON with its line, a missing manifest, wrong types and unlisted files', async () => {
    const bad = await written('badjson');
    const path = join(bad, 'records/rds.db-instances.jsonl');
    const text = '{"not json\n';
    await writeFile(path, text);
    const manifest = JSON.parse(await readFile(join(bad, 'manifest.json'), 'utf8'));
    const entry = manifest.files.find((f: { path: string }) => f.path === 'records/rds.db-instances.jsonl');
    Object.assign(entry, { sha256: sha256Hex(Buffer.from(text)), bytes: Buffer.byteLength(text) });
    await writeFile(join(bad, 'manifest.json'), JSON.stringify(manifest));
    await expectBundleError(bad, /rds\.db-instances\.jsonl:1: bad JSON at line 1/);

    const empty = join(root, 'not-a-bundle');
    await mkdir(empty);
    await expectBundleError(empty, /manifest\.json: missing manifest/);

    const types = await written('types');
    const m = JSON.parse(await readFile(join(types, 'manifest.json'), 'utf8'));
    m.collections[0].status = 'fine';
    await writeFile(join(types, 'manifest.json'), JSON.stringify(m));
    await expectBundleError(types, /manifest\.json: wrong types: collections\[0\]/);

    const escape = await written('escape');
    const e = JSON.parse(await readFile(join(escape, 'manifest.json'), 'utf8'));
    e.files[0].path = '../../etc/passwd';
    await writeFile(join(escape, 'manifest.json'), JSON.stringify(e));
    await expectBundleError(escape, /is not records\/<collector>\.jsonl/);

    const extra = await written('extra');
    await writeFile(join(extra, 'records/kms.keys.jsonl'), '');
    await expectBundleError(extra, /kms\.keys\.jsonl: not listed in the manifest/);
  });

  it('refuses a non-empty folder unless told to overwrite; accepts an empty one', async () => {
    const dir = await written('exists');
    await expect(writeBundle(sampleBundle(), dir)).rejects.toThrow(/already exists and is not empty/);
    const b = sampleBundle();
    b.manifest.runId = 'second';
    await writeBundle(b, dir, { overwrite: true });
    expect((await readBundle(dir)).manifest.runId).toBe('second');
    const emptyDir = join(root, 'empty');
    await mkdir(emptyDir);
    await writeBundle(sampleBundle(), emptyDir);
    expect((await readBundle(emptyDir)).records).toHaveLength(3);
  });

  it('leaves nothing at the final path when aborted half-way', async () => {
    const dir = join(root, 'aborted');
    const ac = new AbortController();
    await expect(writeBundle(sampleBundle(), dir, { signal: ac.signal, onFileWritten: () => ac.abort() })).rejects.toThrow();
    expect(existsSync(dir)).toBe(false);
    expect((await readdir(root)).filter((n) => n.includes('aborted'))).toEqual([]); // temp folder removed too
  });

  it('leaves nothing at the final path when the process is killed half-way', async () => {
    const dir = join(root, 'killed');
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'evidence-writer-child.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('written')) resolve(); });
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(dir)).toBe(false);
    // the half-written temporary folder is a hidden sibling, never the bundle
    expect((await readdir(root)).filter((n) => n.includes('killed')).every((n) => n.startsWith('.killed.tmp-'))).toBe(true);
  });
});
