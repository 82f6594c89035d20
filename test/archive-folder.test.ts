// The folder archive: append, the chain, and what verify catches (removed, reordered, altered,
// truncated at the head), plus two processes racing to append.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openArchive, type Archive } from '../src/archive/index.js';
import { sha256Hex } from '../src/evidence/canonical.js';
import { appendInput } from './helpers/archive-bundles.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-archive-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fiveNights(skipDay?: number): Promise<Archive> {
  const a = await openArchive(dir, { forWriting: true });
  for (let i = 1; i <= 5; i++) {
    const day = i >= (skipDay ?? 99) ? i + 1 : i;
    await a.append(appendInput(`run-${i}`, `2026-01-0${day}T02:00:00.000Z`, i));
  }
  return a;
}

const entry = (n: number) => join(dir, 'entries', `${String(n).padStart(8, '0')}.json`);

describe('folder archive', () => {
  it('appends a chain: each entry names the sha256 of the one before, objects by content', async () => {
    const a = await fiveNights();
    const stored = [];
    for await (const s of a.entries()) stored.push(s);
    expect(stored.map((s) => s.entry.n)).toEqual([1, 2, 3, 4, 5]);
    expect(stored[0]!.entry.previous).toBeNull();
    for (let i = 1; i < 5; i++) {
      expect(stored[i]!.entry.previous).toBe(sha256Hex(await readFile(entry(i))));
    }
    // the bundle is named by the sha256 of its manifest, stored gzip-compressed under that name
    const manifest = gunzipSync(await readFile(join(dir, 'objects', `${stored[2]!.entry.bundle}.gz`)));
    expect(sha256Hex(manifest)).toBe(stored[2]!.entry.bundle);
    expect(JSON.parse(manifest.toString()).runId).toBe('run-3');
    expect(await a.head()).toEqual({ n: 5, sha256: sha256Hex(await readFile(entry(5))) });
    const r = await a.verify();
    expect(r.intact).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.orphans).toEqual([]);
    expect(r.immutable).toBe(false);
    // the whole bundle reads back with every record checked
    const bundle = await a.bundle(stored[1]!.entry);
    expect(bundle.manifest.runId).toBe('run-2');
    expect(bundle.records).toHaveLength(1);
  });

  it('lists days without a run as gaps, not failures', async () => {
    const a = await fiveNights(3);
    const r = await a.verify();
    expect(r.intact).toBe(true);
    expect(r.gaps).toEqual(['2026-01-03']);
  });

  it('catches a removed entry at its position', async () => {
    const a = await fiveNights();
    await unlink(entry(3));
    const r = await a.verify();
    expect(r.intact).toBe(false);
    expect(r.problems).toContainEqual(expect.objectContaining({ position: 3, kind: 'removed' }));
  });

  it('catches reordered entries at their positions', async () => {
    const a = await fiveNights();
    const two = await readFile(entry(2));
    const three = await readFile(entry(3));
    await unlink(entry(2));
    await unlink(entry(3));
    await writeFile(entry(2), three);
    await writeFile(entry(3), two);
    const r = await a.verify();
    expect(r.intact).toBe(false);
    expect(r.problems.filter((p) => p.kind === 'reordered').map((p) => p.position)).toEqual([2, 3]);
  });

  it('catches an altered entry (the next one no longer follows it) and an altered records recipe', async () => {
    const a = await fiveNights();
    const e2 = JSON.parse(await readFile(entry(2), 'utf8'));
    e2.asOf = '2026-01-09T02:00:00.000Z';
    await unlink(entry(2));
    await writeFile(entry(2), JSON.stringify(e2, null, 2) + '\n');
    let r = await a.verify();
    expect(r.problems).toEqual([expect.objectContaining({ position: 3, kind: 'altered' })]);
    expect(r.problems[0]!.message).toContain('entry 2 was altered');

    await rm(dir, { recursive: true });
    const b = await fiveNights();
    const objects = await readdir(join(dir, 'objects'));
    const e4 = JSON.parse(await readFile(entry(4), 'utf8'));
    const recipeSha = e4.recipes['records/rds.db-clusters.jsonl'] as string;
    expect(objects).toContain(`${recipeSha}.gz`);
    await writeFile(join(dir, 'objects', `${recipeSha}.gz`), gzipSync('{"changed":true}\n'));
    r = await b.verify();
    expect(r.intact).toBe(false);
    expect(r.problems).toContainEqual(expect.objectContaining({ position: 4, kind: 'altered' }));
    expect(r.problems.find((p) => p.position === 4)!.message).toContain('the recipe of records/rds.db-clusters.jsonl');
  });

  it('catches entries removed from the head only against the recorded head', async () => {
    const a = await fiveNights();
    const head = (await a.head())!;
    await unlink(entry(5));
    await unlink(entry(4));
    // without the head recorded elsewhere a truncated folder archive looks intact: say so
    expect((await a.verify()).intact).toBe(true);
    const r = await a.verify({ expectHead: head });
    expect(r.intact).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ position: 4, kind: 'truncated' })]);
    expect(r.problems[0]!.message).toContain('entries 4..5 were removed');
  });

  it('reports the objects of a crashed append as orphans, not failures', async () => {
    const a = await fiveNights();
    // a crash after the objects and before the entry: objects nobody names
    const input = appendInput('crashed', '2026-01-06T02:00:00.000Z', 6);
    for (const f of input.files) await a.store.create(`objects/${sha256Hex(f.bytes)}`, f.bytes);
    const r = await a.verify();
    expect(r.intact).toBe(true);
    expect(r.orphans.length).toBe(2); // its records file and its manifest
  });

  it('never overwrites: a create on an existing key keeps the first bytes', async () => {
    const a = await openArchive(dir, { forWriting: true });
    expect(await a.store.create('entries/00000001.json', Buffer.from('first'))).toBe('created');
    expect(await a.store.create('entries/00000001.json', Buffer.from('second'))).toBe('exists');
    expect(await readFile(entry(1), 'utf8')).toBe('first');
  });

  it('refuses to read a folder that does not exist (exit 2)', async () => {
    await expect(openArchive(join(dir, 'nope'))).rejects.toMatchObject({ exitCode: 2 });
  });

  it('two processes released together, 50 appends each: one linear chain of 100 entries', async () => {
    const startAt = String(Date.now() + 1500);
    const child = (tag: string) => new Promise<{ tag: string; lost: number }>((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'helpers', 'archive-append-child.ts'), dir, tag, '50', startAt], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child ${tag} exit ${code}`))));
    });
    const [x, y] = await Promise.all([child('x'), child('y')]);
    const a = await openArchive(dir);
    const runs: string[] = [];
    for await (const s of a.entries()) runs.push(s.entry.runId);
    expect(runs).toHaveLength(100);
    expect(new Set(runs).size).toBe(100);
    for (const tag of ['x', 'y']) {
      // each writer's own runs appear in its order
      const mine = runs.filter((r) => r.startsWith(`${tag}-`));
      expect(mine).toEqual(Array.from({ length: 50 }, (_, i) => `${tag}-${i}`));
    }
    const r = await a.verify();
    expect(r.problems).toEqual([]);
    expect(r.intact).toBe(true);
    expect(r.entries).toBe(100);
    expect(r.orphans).toEqual([]);
    // they did race (a lost race retries as N+1), and nothing was left behind
    expect(x.lost + y.lost).toBeGreaterThan(0);
  });
});
