// Layout 3: records stored as per-run recipes pointing into packs of record data shared across
// runs, every object gzip-compressed and named by its uncompressed sha256. Proves: unchanged data
// is stored once, and a night's new data is one pack, not one object per data; any run rebuilds
// byte for byte; a tampered pack is caught at every run referencing it, by verify and by reading;
// a gzip bomb is a verdict; layout-1 and layout-2 archives still read, verify and take new
// appends; an older writer after a newer one is a notice, not BROKEN; --since re-hashes what new
// entries reference wherever it was first stored.
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../src/archive/index.js';
import { packData } from '../src/archive/pack.js';
import type { DataLocation } from '../src/archive/recipe.js';
import { ACCOUNT, richNight as night } from './helpers/archive-bundles.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-archive-layout-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const objectsIn = async (location: string) => new Set(await readdir(join(location, 'objects')));

/** The pack run `n`'s recipe points into for cluster `cluster`'s data. */
async function packOf(a: Awaited<ReturnType<typeof openArchive>>, location: string, n: number, cluster = 0): Promise<string> {
  const e = JSON.parse(await readFile(join(location, 'entries', `${String(n).padStart(8, '0')}.json`), 'utf8'));
  const recipe = (await a.object(e.recipes['records/rds.db-clusters.jsonl'])).toString('utf8').split('\n');
  const line = recipe.find((l) => l.includes(`cluster:c${cluster}\\"`))!;
  return JSON.parse(recipe[0]!).packs[JSON.parse(line)[4]] as string;
}

describe('layout 3: storage that grows with change, in packs', () => {
  it('stores unchanged record data once, a night\'s new data as one pack, and rebuilds every run byte for byte', async () => {
    const location = join(dir, 'grow');
    const a = await openArchive(location, { forWriting: true });
    const inputs = [night(1), night(2), night(3, [4])];
    await a.append(inputs[0]!);
    const first = await objectsIn(location);
    // one pack of the ten distinct data texts + recipe + manifest + results, all gzip
    expect([...first].every((n) => /^[0-9a-f]{64}\.gz$/.test(n))).toBe(true);
    expect(first.size).toBe(4);
    const pack = await packOf(a, location, 1);
    const packText = gunzipSync(await readFile(join(location, 'objects', `${pack}.gz`)));
    expect(sha256(packText)).toBe(pack); // named by its uncompressed bytes
    expect(packText.toString('utf8').trimEnd().split('\n')).toHaveLength(10);
    await a.append(inputs[1]!);
    const second = await objectsIn(location);
    // night 2 shares every record's data: only its recipe, manifest and results are new
    expect(second.size - first.size).toBe(3);
    await a.append(inputs[2]!);
    expect((await objectsIn(location)).size - second.size).toBe(4); // a pack of the changed cluster's data + 3
    expect(await packOf(a, location, 3, 4)).not.toBe(pack);
    expect(await packOf(a, location, 3, 0)).toBe(pack);

    const entries = [];
    for await (const s of a.entries()) entries.push(s.entry);
    for (const [i, e] of entries.entries()) {
      expect(e.layout).toBe(3);
      const got = await a.bundleFiles(e);
      expect(got.map((f) => f.path)).toEqual(inputs[i]!.files.map((f) => f.path));
      got.forEach((f, j) => expect(f.bytes.equals(Buffer.from(inputs[i]!.files[j]!.bytes)), f.path).toBe(true));
      // the same record ids as the manifest's records: read back through the evidence layer's checks
      const bundle = await a.bundle(e);
      expect(bundle.records).toHaveLength(10);
    }
    expect((await a.verify()).intact).toBe(true);
  });

  it('a tampered pack is caught at every run that references it, and by reading any of them', async () => {
    const location = join(dir, 'tamper');
    const a = await openArchive(location, { forWriting: true });
    for (const n of [1, 2, 3]) await a.append(night(n, n === 3 ? [4] : []));
    const shared = await packOf(a, location, 1); // night 1's pack: cluster c0 is the same every night
    // same length, so every pointer into the pack still lands inside it
    const text = (await a.object(shared)).toString('utf8').replace('"DeletionProtection":true', '"DeletionProtection":fals!');
    await writeFile(join(location, 'objects', `${shared}.gz`), gzipSync(text));
    const r = await a.verify();
    expect(r.intact).toBe(false);
    const at = r.problems.filter((p) => p.message.includes(shared));
    expect(at.map((p) => p.position)).toEqual([1, 2, 3]);
    expect(at.every((p) => p.kind === 'altered' && /pack of record data/.test(p.message))).toBe(true);
    for await (const s of a.entries()) await expect(a.bundleFiles(s.entry)).rejects.toThrow(/altered/);
  });

  it('a gzip bomb is a verdict at its position, not an out-of-memory', async () => {
    const location = join(dir, 'bomb');
    const a = await openArchive(location, { forWriting: true });
    await a.append(night(1));
    const e1 = JSON.parse(await readFile(join(location, 'entries', '00000001.json'), 'utf8'));
    // 640 MiB of zeros, past the 512 MiB cap: ten gzip members of 64 MiB each (gunzip reads
    // concatenated members as one stream), about 640 KB on disk
    const member = gzipSync(Buffer.alloc(64 << 20), { level: 1 });
    await writeFile(join(location, 'objects', `${e1.results}.gz`), Buffer.concat(Array.from({ length: 10 }, () => member)));
    const before = process.memoryUsage().rss;
    const r = await a.verify();
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    expect(r.intact).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ position: 1, kind: 'malformed', message: expect.stringMatching(/stored results .* decompresses past/) })]);
  });

  it('--since from a pinned head re-hashes what the new entries reference, wherever first stored', async () => {
    const location = join(dir, 'since');
    const a = await openArchive(location, { forWriting: true });
    for (const n of [1, 2]) await a.append(night(n));
    const pinned = (await a.head())!;
    for (const n of [3, 4]) await a.append(night(n));
    expect((await a.verify({ since: pinned })).intact).toBe(true);
    // entry 1's results: referenced by no entry after the pin, so --since does not read it
    const e1 = JSON.parse(await readFile(join(location, 'entries', '00000001.json'), 'utf8'));
    await writeFile(join(location, 'objects', `${e1.results}.gz`), gzipSync('{"forged":true}\n'));
    expect((await a.verify({ since: pinned })).intact).toBe(true);
    expect((await a.verify()).intact).toBe(false);
    // the pack first stored by entry 1 and shared by entries 3 and 4: --since catches it at both
    const shared = await packOf(a, location, 1);
    expect(await packOf(a, location, 4)).toBe(shared);
    await writeFile(join(location, 'objects', `${shared}.gz`), gzipSync('{"forged":true}'));
    const r = await a.verify({ since: pinned });
    expect(r.intact).toBe(false);
    expect(r.problems.filter((p) => p.message.includes(shared)).map((p) => p.position)).toEqual([3, 4]);
    // a pin that is not the archive's entry (altered, or another archive's) is caught
    const wrong = await a.verify({ since: { n: 2, sha256: 'f'.repeat(64) } });
    expect(wrong.problems[0]).toMatchObject({ position: 2, kind: 'altered' });
  });
});

describe('packs', () => {
  it('close at the size cap; every location names the pack holding the text, at its offset and length', () => {
    const texts = Array.from({ length: 25 }, (_, i) => Buffer.from(JSON.stringify({ cluster: `c${i}`, pad: 'x'.repeat(i * 7) })));
    const located = new Map<string, DataLocation>();
    const packs = [...packData(texts.map((t) => [sha256(t), t] as [string, Buffer]), located, 400)];
    expect(packs.length).toBeGreaterThan(3);
    for (const p of packs) {
      expect(sha256(p.bytes)).toBe(p.sha256);
      // a pack over the cap holds one text only (a text larger than the cap is never split)
      if (p.bytes.length > 400) expect(p.bytes.toString('utf8').trimEnd().split('\n')).toHaveLength(1);
    }
    const byName = new Map(packs.map((p) => [p.sha256, p.bytes]));
    for (const t of texts) {
      const [pack, offset, length] = located.get(sha256(t))!;
      expect(byName.get(pack)!.subarray(offset, offset + length).equals(t)).toBe(true);
    }
  });
});

describe('layout 1 archives keep working', () => {
  /** A layout-1 archive as trustpack wrote it before: every file whole, uncompressed, under objects/<sha256>. */
  async function layoutOne(location: string, nights: number[], previous: string | null = null, from = 1): Promise<string | null> {
    await mkdir(join(location, 'objects'), { recursive: true });
    await mkdir(join(location, 'entries'), { recursive: true });
    let prev = previous;
    for (const [i, n] of nights.entries()) {
      const input = night(n);
      for (const f of input.files) await writeFile(join(location, 'objects', sha256(Buffer.from(f.bytes))), f.bytes);
      await writeFile(join(location, 'objects', sha256(Buffer.from(input.results))), input.results);
      const manifest = input.files.at(-1)!.bytes;
      const entry = {
        formatVersion: 1, n: from + i, runId: `run-${n}`, asOf: `2026-03-${String(n).padStart(2, '0')}T02:00:00.000Z`, source: 'live',
        accounts: [ACCOUNT], regions: ['us-east-1'], bundle: sha256(Buffer.from(manifest)), results: sha256(Buffer.from(input.results)),
        catalog: 'c'.repeat(64), previous: prev, appendedAt: '2026-03-01T03:00:00.000Z', tool: '0.1.0',
      };
      const bytes = Buffer.from(JSON.stringify(entry, null, 2) + '\n');
      await writeFile(join(location, 'entries', `${String(from + i).padStart(8, '0')}.json`), bytes);
      prev = sha256(bytes);
    }
    return prev;
  }

  it('reads and verifies a layout-1 archive, appends layout 3 onto it, and rebuilds both', async () => {
    const location = join(dir, 'old');
    await layoutOne(location, [1, 2]);
    const a = await openArchive(location, { forWriting: true });
    expect((await a.verify()).intact).toBe(true);
    await a.append(night(3, [1]));
    const r = await a.verify();
    expect(r).toMatchObject({ intact: true, notices: [], orphans: [] });
    for await (const s of a.entries()) {
      const want = night(Number(s.entry.runId.slice(4)), s.entry.n === 3 ? [1] : []);
      expect(s.entry.layout).toBe(s.entry.n === 3 ? 3 : undefined);
      const got = await a.bundleFiles(s.entry);
      got.forEach((f, j) => expect(f.bytes.equals(Buffer.from(want.files[j]!.bytes))).toBe(true));
    }
    // an altered layout-1 bundle file is still caught
    const e1 = JSON.parse(await readFile(join(location, 'entries', '00000001.json'), 'utf8'));
    const m1 = JSON.parse(await readFile(join(location, 'objects', e1.bundle), 'utf8'));
    await writeFile(join(location, 'objects', m1.files[0].sha256), '{}\n');
    expect((await a.verify()).problems).toEqual([expect.objectContaining({ position: 1, kind: 'altered' })]);
  });

  it('an older writer after a newer one is a notice, not BROKEN; a newer layout is not verified here', async () => {
    const location = join(dir, 'mixed');
    const a = await openArchive(location, { forWriting: true });
    await a.append(night(1));
    const head = (await a.head())!;
    await layoutOne(location, [2], head.sha256, 2);
    const r = await a.verify();
    expect(r.intact).toBe(true);
    expect(r.notices).toEqual([expect.stringMatching(/entry 2 \(run run-2\) was written by an older trustpack \(layout 1 after layout 3\): upgrade every writer/)]);

    const h2 = (await a.head())!;
    const future = { ...JSON.parse(await readFile(join(location, 'entries', '00000002.json'), 'utf8')), n: 3, layout: 4, previous: h2.sha256 };
    await writeFile(join(location, 'entries', '00000003.json'), JSON.stringify(future));
    const f = await a.verify();
    expect(f.intact).toBe(false);
    expect(f.problems).toEqual([expect.objectContaining({ position: 3, kind: 'newer-layout', message: expect.stringMatching(/written by a newer trustpack \(layout 4/) })]);
  });
});

describe('layout 2 archives keep working', () => {
  // test/fixtures/archive-layout2: nights 1, 2 and 3 (cluster 4 changed) as the layout-2 writer
  // stored them, one object per record data
  const FIXTURE = join(import.meta.dirname, 'fixtures', 'archive-layout2');

  it('reads, verifies and rebuilds a layout-2 archive byte for byte, and takes layout-3 appends', async () => {
    const location = join(dir, 'layout2');
    await cp(FIXTURE, location, { recursive: true });
    const a = await openArchive(location, { forWriting: true });
    expect(await a.verify()).toMatchObject({ intact: true, notices: [], orphans: [] });
    await a.append(night(4, [4]));
    await a.append(night(5, [4]));
    const r = await a.verify();
    expect(r).toMatchObject({ intact: true, notices: [], orphans: [] });
    const layouts: (number | undefined)[] = [];
    for await (const s of a.entries()) {
      layouts.push(s.entry.layout);
      const n = Number(s.entry.runId.slice(4));
      const want = night(n, n >= 3 ? [4] : []);
      const got = await a.bundleFiles(s.entry);
      got.forEach((f, j) => expect(f.bytes.equals(Buffer.from(want.files[j]!.bytes)), `${s.entry.runId} ${f.path}`).toBe(true));
    }
    expect(layouts).toEqual([2, 2, 2, 3, 3]);
    // the first layout-3 run packs what layout 2 stored one by one; the next one shares that pack
    expect(await packOf(a, location, 5)).toBe(await packOf(a, location, 4));

    // a tampered layout-2 data object is still caught at each layout-2 run naming it
    const e1 = JSON.parse(await readFile(join(location, 'entries', '00000001.json'), 'utf8'));
    const recipe = (await a.object(e1.recipes['records/rds.db-clusters.jsonl'])).toString('utf8');
    const shared = JSON.parse(recipe.split('\n')[1]!)[1] as string;
    await writeFile(join(location, 'objects', `${shared}.gz`), gzipSync('{"forged":true}'));
    const t = await a.verify();
    expect(t.problems.filter((p) => p.message.includes(shared)).map((p) => p.position)).toEqual([1, 2, 3]);
  });
});
