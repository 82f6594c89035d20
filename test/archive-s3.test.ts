// The S3 archive through the sandbox: the real SDK and the AWS CLI on loopback. Object Lock
// retention on every object, create-only writes (If-None-Match: *), ListObjectsV2 paging,
// CRC32 checksums in headers and aws-chunked trailers, concurrent create-only puts of one key,
// and racing writers (six in one process, two processes).
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../src/archive/index.js';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { decodeAwsChunked } from '../src/sandbox/services/s3.js';
import { SAMPLE, useSandboxEnv } from './collect-helpers.js';
import { appendInput, richNight } from './helpers/archive-bundles.js';
import { gunzipSync } from 'node:zlib';

const run = promisify(execFile);
let sb: Sandbox;

async function aws(...args: string[]): Promise<any> {
  const { stdout } = await run('/usr/bin/aws', [...args, '--endpoint-url', sb.url, '--region', 'us-east-1', '--output', 'json'], { env: process.env });
  return stdout.trim() ? JSON.parse(stdout) : {};
}

async function retentionOf(bucket: string, key: string) {
  const { S3Client, GetObjectRetentionCommand } = await import('@aws-sdk/client-s3');
  const c = new S3Client({ forcePathStyle: true, region: 'us-east-1' });
  try {
    return (await c.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: key }))).Retention;
  } finally {
    c.destroy();
  }
}

beforeAll(async () => {
  // a small page size, so every listing below crosses pages as a large archive would
  sb = await startSandbox({ fixture: loadFixture(SAMPLE), port: 0, s3MaxKeys: 7 });
  useSandboxEnv(sb.url);
  process.env['AWS_REGION'] = 'us-east-1';
  await aws('s3api', 'create-bucket', '--bucket', 'evidence-locked', '--object-lock-enabled-for-bucket');
  await aws('s3api', 'put-object-lock-configuration', '--bucket', 'evidence-locked', '--object-lock-configuration',
    JSON.stringify({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } } }));
  await aws('s3api', 'create-bucket', '--bucket', 'evidence-nodefault', '--object-lock-enabled-for-bucket');
  await aws('s3api', 'put-object-lock-configuration', '--bucket', 'evidence-nodefault', '--object-lock-configuration', JSON.stringify({ ObjectLockEnabled: 'Enabled' }));
  await aws('s3api', 'create-bucket', '--bucket', 'evidence-plain');
});
afterAll(async () => {
  await sb?.close();
});

describe('S3 archive on the sandbox', () => {
  it('writes every object with the bucket default retention (COMPLIANCE) and verifies the chain', async () => {
    const a = await openArchive('s3://evidence-locked/nightly', { forWriting: true });
    for (let i = 1; i <= 4; i++) await a.append(appendInput(`run-${i}`, `2026-02-0${i}T02:00:00.000Z`, i));
    const report = await a.verify({ expectHead: (await a.head())! });
    a.close();
    expect(report.problems).toEqual([]);
    expect(report.intact).toBe(true);
    expect(report.immutable).toBe(true);
    expect(report.entries).toBe(4);

    // the AWS CLI lists what the SDK wrote (following its pages) and reads every retention
    const listed = await aws('s3api', 'list-objects-v2', '--bucket', 'evidence-locked', '--prefix', 'nightly/');
    const keys: string[] = listed.Contents.map((c: { Key: string }) => c.Key);
    expect(keys.filter((k) => k.startsWith('nightly/entries/'))).toHaveLength(4);
    expect(keys.length).toBeGreaterThan(7); // more than one page
    // every object, through the SDK; an entry and an object through the AWS CLI as well
    for (const key of keys) {
      const r = await retentionOf('evidence-locked', key);
      expect(r?.Mode).toBe('COMPLIANCE');
      const days = (r!.RetainUntilDate!.getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29);
      expect(days).toBeLessThanOrEqual(30);
    }
    for (const key of [keys.find((k) => k.includes('/entries/'))!, keys.find((k) => k.includes('/objects/'))!]) {
      const r = await aws('s3api', 'get-object-retention', '--bucket', 'evidence-locked', '--key', key);
      expect(r.Retention.Mode).toBe('COMPLIANCE');
    }
    // and the CLI sees the lock configuration the archive read
    const lock = await aws('s3api', 'get-object-lock-configuration', '--bucket', 'evidence-locked');
    expect(lock.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } } });
  });

  it('layout 3 on S3: shared data written once, in packs, with retention, every run read back byte for byte', async () => {
    const a = await openArchive('s3://evidence-locked/layout3', { forWriting: true });
    const nights = [richNight(1), richNight(2), richNight(3, [2])];
    for (const n of nights) await a.append(n);
    const report = await a.verify();
    expect(report).toMatchObject({ intact: true, problems: [], orphans: [], immutable: true });
    let i = 0;
    for await (const s of a.entries()) {
      expect(s.entry.layout).toBe(3);
      const got = await a.bundleFiles(s.entry);
      got.forEach((f, j) => expect(f.bytes.equals(Buffer.from(nights[i]!.files[j]!.bytes)), f.path).toBe(true));
      i++;
    }
    a.close();
    const listed = await aws('s3api', 'list-objects-v2', '--bucket', 'evidence-locked', '--prefix', 'layout3/objects/');
    const keys: string[] = listed.Contents.map((c: { Key: string }) => c.Key);
    // a pack of the 10 data texts, a pack of the 1 changed, and per night a recipe, a manifest and results
    expect(keys).toHaveLength(2 + 3 * 3);
    // an object fetched by the AWS CLI: gzip, named by the sha256 of its uncompressed bytes, retained
    const key = keys[0]!;
    const file = join(tmpdir(), `tp-s3-object-${process.pid}.gz`);
    await aws('s3api', 'get-object', '--bucket', 'evidence-locked', '--key', key, file);
    expect(createHash('sha256').update(gunzipSync(readFileSync(file))).digest('hex')).toBe(/([0-9a-f]{64})\.gz$/.exec(key)![1]);
    rmSync(file);
    expect((await retentionOf('evidence-locked', key))?.Mode).toBe('COMPLIANCE');
  });

  it('refuses a locked bucket without a default retention unless --retain-until is given', async () => {
    await expect(openArchive('s3://evidence-nodefault/a', { forWriting: true })).rejects.toMatchObject({
      exitCode: 2, message: expect.stringContaining('no default retention'),
    });
    const until = new Date(Date.now() + 10 * 86_400_000);
    const a = await openArchive('s3://evidence-nodefault/a', { forWriting: true, retainUntil: until, retainMode: 'GOVERNANCE' });
    await a.append(appendInput('run-1', '2026-02-01T02:00:00.000Z', 1));
    a.close();
    const listed = await aws('s3api', 'list-objects-v2', '--bucket', 'evidence-nodefault');
    expect(listed.Contents.length).toBe(4); // records file, manifest, results, entry
    for (const c of listed.Contents as { Key: string }[]) {
      const r = await retentionOf('evidence-nodefault', c.Key);
      expect(r).toEqual({ Mode: 'GOVERNANCE', RetainUntilDate: until });
    }
  });

  it('works on a bucket without Object Lock, and says it is not immutable', async () => {
    const a = await openArchive('s3://evidence-plain/x', { forWriting: true });
    await a.append(appendInput('run-1', '2026-02-01T02:00:00.000Z', 1));
    const r = await a.verify();
    a.close();
    expect(r.intact).toBe(true);
    expect(r.immutable).toBe(false);
    await expect(openArchive('s3://evidence-plain/x', { forWriting: true, retainUntil: new Date(Date.now() + 86_400_000) }))
      .rejects.toMatchObject({ exitCode: 2 });
  });

  it('an unreadable location (no such bucket) is exit 2', async () => {
    await expect(openArchive('s3://no-such-bucket/x')).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('NoSuchBucket') });
  });

  it('PutObject with If-None-Match: * never replaces an object (412), with or without aws-chunked', async () => {
    const { S3Client, PutObjectCommand, GetObjectCommand } = await import('@aws-sdk/client-s3');
    const before = { ...sb.s3.seen };
    const c = new S3Client({ forcePathStyle: true, region: 'us-east-1' });
    await c.send(new PutObjectCommand({ Bucket: 'evidence-plain', Key: 'k/one', Body: 'first', IfNoneMatch: '*' }));
    // a stream of unknown length: the SDK sends it aws-chunked with a CRC32 trailer
    const stream = Readable.from([Buffer.from('second ', 'utf8'), Buffer.from('body', 'utf8')]);
    await expect(c.send(new PutObjectCommand({ Bucket: 'evidence-plain', Key: 'k/one', Body: stream, IfNoneMatch: '*', ContentLength: 11 })))
      .rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await c.send(new PutObjectCommand({ Bucket: 'evidence-plain', Key: 'k/two', Body: Readable.from([Buffer.from('streamed '), Buffer.from('body')]), ContentLength: 13 }));
    const got = await c.send(new GetObjectCommand({ Bucket: 'evidence-plain', Key: 'k/one', ChecksumMode: 'ENABLED' }));
    expect(await got.Body!.transformToString()).toBe('first');
    const two = await c.send(new GetObjectCommand({ Bucket: 'evidence-plain', Key: 'k/two', ChecksumMode: 'ENABLED' }));
    expect(await two.Body!.transformToString()).toBe('streamed body');
    expect(two.ChecksumCRC32).toBeTruthy();
    expect(sb.s3.writesPerKey('evidence-plain').get('k/one')).toBe(1);
    // the two streams came aws-chunked, and every body carried a CRC32 the sandbox checked
    expect(sb.s3.seen.awsChunked - before.awsChunked).toBe(2);
    expect(sb.s3.seen.crc32Checked - before.crc32Checked).toBe(3);
    c.destroy();
  });

  it('decodes aws-chunked bodies with signed chunks and trailers; a wrong CRC32 is BadDigest', async () => {
    const raw = Buffer.from('5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    expect(decodeAwsChunked(raw)).toEqual({ body: Buffer.from('hello world'), trailers: { 'x-amz-checksum-crc32': 'DUoRhQ==' } });
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const c = new S3Client({ forcePathStyle: true, region: 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED' });
    await expect(c.send(new PutObjectCommand({ Bucket: 'evidence-plain', Key: 'k/bad', Body: 'abc', ChecksumCRC32: 'AAAAAA==' })))
      .rejects.toMatchObject({ name: 'BadDigest' });
    c.destroy();
  });

  it('the sandbox answers concurrent create-only puts of one key atomically: one 200, every other 412', async () => {
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    // one client (and so one connection pool) per writer, all released together
    const clients = Array.from({ length: 16 }, () => new S3Client({ forcePathStyle: true, region: 'us-east-1' }));
    const settled = await Promise.allSettled(clients.map((c, i) => c.send(new PutObjectCommand({ Bucket: 'evidence-plain', Key: 'race/one-key', Body: `writer ${i}`, IfNoneMatch: '*' }))));
    for (const c of clients) c.destroy();
    const won = settled.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of settled) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    }
    expect(sb.s3.writesPerKey('evidence-plain').get('race/one-key')).toBe(1);
    // the AWS CLI reads the winner's bytes
    const out = join(tmpdir(), `trustpack-race-${process.pid}`);
    await aws('s3api', 'get-object', '--bucket', 'evidence-plain', '--key', 'race/one-key', out);
    expect(readFileSync(out, 'utf8')).toBe(`writer ${won[0]}`);
    rmSync(out, { force: true });
  });

  it('six appenders in one process released together: lost races retry onto the next position, one chain', async () => {
    const archives = await Promise.all(Array.from({ length: 6 }, () => openArchive('s3://evidence-plain/inproc', { forWriting: true })));
    const outcomes = await Promise.all(archives.map((a, i) => a.append(appendInput(`inproc-${i}`, `2026-04-0${i + 1}T02:00:00.000Z`, i))));
    for (const a of archives) a.close();
    // every appender stored its own run, each at its own position; at least one lost a race first
    expect(outcomes.map((o) => o.stored.entry.n).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(outcomes.every((o) => !o.alreadyArchived)).toBe(true);
    expect(outcomes.reduce((n, o) => n + o.lostRaces, 0)).toBeGreaterThan(0);
    for (const o of outcomes) expect(o.stored.entry.n).toBeGreaterThan(o.lostRaces);
    // read back by the AWS CLI: entries 1..6, each naming the sha256 of the one before
    const listed = await aws('s3api', 'list-objects-v2', '--bucket', 'evidence-plain', '--prefix', 'inproc/entries/');
    const keys = (listed.Contents as { Key: string }[]).map((o) => o.Key);
    expect(keys).toEqual(Array.from({ length: 6 }, (_, i) => `inproc/entries/${String(i + 1).padStart(8, '0')}.json`));
    let previous: string | null = null;
    const out = join(tmpdir(), `trustpack-chain-${process.pid}`);
    // one CLI process downloads them all (a CLI start costs seconds on a loaded machine)
    await run('/usr/bin/aws', ['s3', 'cp', 's3://evidence-plain/inproc/entries/', out, '--recursive', '--endpoint-url', sb.url, '--region', 'us-east-1', '--only-show-errors'], { env: process.env });
    for (const [i, key] of keys.entries()) {
      const bytes = readFileSync(join(out, key.slice('inproc/entries/'.length)));
      const entry = JSON.parse(bytes.toString('utf8')) as { n: number; previous: string | null; runId: string };
      expect(entry.n).toBe(i + 1);
      expect(entry.previous).toBe(previous);
      previous = createHash('sha256').update(bytes).digest('hex');
    }
    rmSync(out, { recursive: true, force: true });
    const a = await openArchive('s3://evidence-plain/inproc');
    const r = await a.verify();
    a.close();
    expect(r.problems).toEqual([]);
    expect(r.entries).toBe(6);
  });

  it('two processes released together, 50 appends each: one chain of 100 entries, no object written twice', async () => {
    const startAt = String(Date.now() + 2500);
    const child = (tag: string) => new Promise<{ lost: number }>((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'helpers', 'archive-append-child.ts'), 's3://evidence-locked/race', tag, '50', startAt], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child ${tag} exit ${code}`))));
    });
    const [x, y] = await Promise.all([child('x'), child('y')]);
    expect(x.lost + y.lost).toBeGreaterThan(0);
    const a = await openArchive('s3://evidence-locked/race');
    const runs: string[] = [];
    for await (const s of a.entries()) runs.push(s.entry.runId);
    const r = await a.verify();
    a.close();
    expect(runs).toHaveLength(100);
    expect(new Set(runs).size).toBe(100);
    expect(r.problems).toEqual([]);
    expect(r.orphans).toEqual([]);
    const writes = [...sb.s3.writesPerKey('evidence-locked')].filter(([k]) => k.startsWith('race/'));
    expect(writes.filter(([k]) => k.startsWith('race/entries/'))).toHaveLength(100);
    // an independent reader: the AWS CLI lists exactly entries 1..100 under the prefix
    const listed = await aws('s3api', 'list-objects-v2', '--bucket', 'evidence-locked', '--prefix', 'race/entries/');
    expect((listed.Contents as { Key: string }[]).map((o) => o.Key)).toEqual(Array.from({ length: 100 }, (_, i) => `race/entries/${String(i + 1).padStart(8, '0')}.json`));
    expect(writes.every(([, n]) => n === 1)).toBe(true);
    // the losers' create-only writes were answered 412 and changed nothing
    expect(sb.stats().byOperation['s3:PutObject']).toBeGreaterThan(writes.length);
  });
});
