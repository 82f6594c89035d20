// S3 for the evidence archive, as the SDK and the AWS CLI speak it: REST over path-style URLs
// (/bucket/key), XML answers in the 2006-03-01 namespace, and the parts the archive relies on:
//   CreateBucket (x-amz-bucket-object-lock-enabled), Put/GetObjectLockConfiguration,
//   PutObject with If-None-Match: * (412 PreconditionFailed when the key exists), Object Lock
//   headers (retention required to come with Content-MD5 or an x-amz-checksum-*), the SDK's
//   CRC32 checksums (header or aws-chunked trailer, both checked), GetObject, HeadObject,
//   GetObjectRetention, ListObjectsV2 with continuation tokens.
// Objects are kept in memory; every write is recorded so tests can show nothing was overwritten.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import type { Account, Fixture } from '../model.js';
import { BUCKET_READS, findFixtureBucket, listBuckets, readBucketConfig, S3ReadError } from './s3-buckets.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const MAX_OBJECT = 64 << 20;

interface Retention { mode: 'COMPLIANCE' | 'GOVERNANCE'; until: Date }
interface StoredObject {
  body: Buffer;
  etag: string;
  crc32?: string;
  lastModified: Date;
  versionId: string;
  retention?: Retention;
}
interface Bucket {
  name: string;
  region: string;
  objectLock: boolean;
  defaultRetention?: { mode: 'COMPLIANCE' | 'GOVERNANCE'; days?: number; years?: number };
  /** every version of every key, oldest first (Object Lock buckets are versioned) */
  objects: Map<string, StoredObject[]>;
}

export interface S3Options {
  /** the most keys one ListObjectsV2 page returns (AWS: 1000); smaller to exercise paging */
  maxKeys?: number;
  now: () => Date;
  /** the fixture whose accounts' buckets ListBuckets and the bucket Get* calls answer (s3-buckets.ts) */
  fixture?: Fixture;
}

export class S3Error extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly extra: Record<string, string> = {}, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
const xml = (root: string, inner: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${inner}</${root}>`;
const el = (name: string, value: string | number | boolean) => `<${name}>${esc(String(value))}</${name}>`;
const crc32Base64 = (b: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b) >>> 0);
  return out.toString('base64');
};
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_OBJECT) reject(new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Decodes an aws-chunked body: `<hex size>[;chunk-signature=...]\r\n<data>\r\n` ... `0\r\n`
 * then trailing headers (`x-amz-checksum-crc32:<base64>\r\n`) and an empty line.
 */
export function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) throw new S3Error(400, 'IncompleteBody', 'The aws-chunked body ended inside a chunk header');
    const size = parseInt(raw.subarray(pos, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isInteger(size) || size < 0) throw new S3Error(400, 'InvalidChunkSizeError', 'Bad aws-chunked chunk size');
    pos = eol + 2;
    if (size === 0) break;
    if (pos + size > raw.length) throw new S3Error(400, 'IncompleteBody', 'The aws-chunked body is shorter than its chunks say');
    parts.push(raw.subarray(pos, pos + size));
    pos += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(pos).toString('latin1').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) trailers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

export class S3Service {
  private readonly buckets = new Map<string, Bucket>();
  /** how bodies arrived: aws-chunked uploads and CRC32 checksums checked (tests assert the SDK's paths) */
  readonly seen = { awsChunked: 0, crc32Checked: 0 };
  constructor(private readonly opts: S3Options) {}

  /** Every key of a bucket with how many times it was written (1 = never overwritten). */
  writesPerKey(bucket: string): Map<string, number> {
    const b = this.buckets.get(bucket);
    return new Map([...(b?.objects ?? new Map<string, StoredObject[]>())].map(([k, v]) => [k, v.length]));
  }

  /**
   * Answers one request. `admit`, when given, is asked once the operation is known and before it
   * runs: the server's latency, rate limits and fault plan apply to S3 as to every other service
   * (an S3Error to answer instead, or 'hold' to never answer, as a timeout).
   */
  async handle(req: IncomingMessage, res: ServerResponse, region: string, account?: Account,
    admit?: (operation: string) => Promise<S3Error | 'hold' | undefined>): Promise<string> {
    const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, bucketName = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const bucket = decodeURIComponent(bucketName);
    let operation = 'Unknown';
    try {
      let raw = await readRaw(req);
      let trailers: Record<string, string> = {};
      if (String(req.headers['content-encoding'] ?? '').split(',').map((x) => x.trim()).includes('aws-chunked')) {
        ({ body: raw, trailers } = decodeAwsChunked(raw));
        this.seen.awsChunked++;
        const declared = req.headers['x-amz-decoded-content-length'];
        if (declared !== undefined && Number(declared) !== raw.length) {
          throw new S3Error(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header');
        }
      }
      const q = url.searchParams;
      const method = req.method ?? 'GET';
      type Answer = { status: number; headers?: Record<string, string>; body?: Buffer | string };
      // the request is routed to its operation first: the operation is named (and admitted) before
      // it runs, so an error answer is counted under it too
      let route: readonly [string, () => Answer];
      const op = (name: string, f: () => Answer) => [name, f] as const;
      const fixtureBucket = bucket && this.opts.fixture ? findFixtureBucket(this.opts.fixture, bucket) : undefined;
      const sub = key === '' && method === 'GET' ? Object.keys(BUCKET_READS).find((k) => q.has(k)) : undefined;
      if (!bucket && method === 'GET' && account) {
        route = op('ListBuckets', () => listBuckets(account, q));
      } else if (!bucket) {
        throw new S3Error(400, 'InvalidRequest', 'The sandbox serves path-style requests only: /bucket/key');
      } else if (fixtureBucket && sub && account) {
        route = op(BUCKET_READS[sub]!, () => readBucketConfig(fixtureBucket, account, region, sub));
      } else if (key === '') {
        if (method === 'PUT' && q.has('object-lock')) route = op('PutObjectLockConfiguration', () => this.putLockConfig(bucket, req, raw, trailers));
        else if (method === 'PUT') route = op('CreateBucket', () => this.createBucket(bucket, req, region));
        else if (method === 'GET' && q.has('object-lock')) route = op('GetObjectLockConfiguration', () => this.getLockConfig(bucket));
        else if (method === 'GET' && q.get('list-type') === '2') route = op('ListObjectsV2', () => this.list(bucket, q));
        else if (method === 'HEAD') route = op('HeadBucket', () => (this.bucket(bucket), { status: 200 }));
        else throw new S3Error(501, 'NotImplemented', `The sandbox does not implement ${method} ${url.pathname}${url.search}`);
      } else if (method === 'PUT' && !q.has('retention') && !q.has('legal-hold') && !q.has('tagging') && !q.has('acl')) {
        route = op('PutObject', () => this.putObject(bucket, key, req, raw, trailers));
      } else if (method === 'GET' && q.has('retention')) {
        route = op('GetObjectRetention', () => this.getRetention(bucket, key));
      } else if (method === 'GET' || method === 'HEAD') {
        route = op(method === 'GET' ? 'GetObject' : 'HeadObject', () => this.getObject(bucket, key, req, method === 'HEAD'));
      } else {
        throw new S3Error(501, 'NotImplemented', `The sandbox does not implement ${method} ${url.pathname}${url.search}`);
      }
      operation = route[0];
      const gate = await admit?.(operation);
      if (gate === 'hold') return operation; // never answered: the client times out
      if (gate) throw gate;
      let answer: Answer;
      try {
        answer = route[1]();
      } catch (e) {
        if (e instanceof S3ReadError) throw new S3Error(e.status, e.code, e.message, e.extra, e.headers);
        throw e;
      }
      const body = answer.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(answer.body) ? answer.body : Buffer.from(answer.body, 'utf8');
      res.writeHead(answer.status, {
        'x-amz-request-id': requestId,
        ...(typeof answer.body === 'string' ? { 'Content-Type': 'application/xml' } : {}),
        ...answer.headers,
        ...(answer.headers?.['Content-Length'] ? {} : { 'Content-Length': String(body.length) }),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      const err = e instanceof S3Error ? e : new S3Error(500, 'InternalError', `sandbox error: ${(e as Error).message}`);
      const extra = Object.entries(err.extra).map(([k, v]) => el(k, v)).join('');
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${el('Code', err.code)}${el('Message', err.message)}${extra}${el('RequestId', requestId)}</Error>`;
      if (!res.headersSent) res.writeHead(err.status, { ...err.headers, 'Content-Type': 'application/xml', 'x-amz-request-id': requestId, 'Content-Length': String(req.method === 'HEAD' ? 0 : Buffer.byteLength(body)) });
      res.end(req.method === 'HEAD' ? undefined : body);
    }
    return operation;
  }

  private bucket(name: string): Bucket {
    const b = this.buckets.get(name);
    if (!b) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name });
    return b;
  }

  private createBucket(name: string, req: IncomingMessage, region: string) {
    if (!BUCKET_NAME.test(name)) throw new S3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name });
    if (this.buckets.has(name)) throw new S3Error(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', { BucketName: name });
    const objectLock = String(req.headers['x-amz-bucket-object-lock-enabled'] ?? '').toLowerCase() === 'true';
    this.buckets.set(name, { name, region, objectLock, objects: new Map() });
    return { status: 200, headers: { Location: `/${name}` } };
  }

  private putLockConfig(name: string, req: IncomingMessage, raw: Buffer, trailers: Record<string, string>) {
    const b = this.bucket(name);
    requireIntegrity(req, raw, trailers);
    const text = raw.toString('utf8');
    const tag = (t: string) => new RegExp(`<${t}>([^<]*)</${t}>`).exec(text)?.[1];
    if (tag('ObjectLockEnabled') !== 'Enabled') throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    if (!b.objectLock) throw new S3Error(409, 'InvalidBucketState', 'Object Lock configuration cannot be enabled on existing buckets');
    const mode = tag('Mode');
    const days = tag('Days');
    const years = tag('Years');
    if (mode !== undefined) {
      if (mode !== 'COMPLIANCE' && mode !== 'GOVERNANCE') throw new S3Error(400, 'MalformedXML', `Unknown retention mode ${mode}`);
      if ((days === undefined) === (years === undefined)) throw new S3Error(400, 'MalformedXML', 'A default retention names either Days or Years');
      b.defaultRetention = { mode, ...(days ? { days: Number(days) } : {}), ...(years ? { years: Number(years) } : {}) };
    } else {
      delete b.defaultRetention;
    }
    return { status: 200 };
  }

  private getLockConfig(name: string) {
    const b = this.bucket(name);
    if (!b.objectLock) throw new S3Error(404, 'ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket', { BucketName: name });
    const d = b.defaultRetention;
    const rule = d ? `<Rule><DefaultRetention>${el('Mode', d.mode)}${d.days ? el('Days', d.days) : el('Years', d.years ?? 0)}</DefaultRetention></Rule>` : '';
    return { status: 200, body: xml('ObjectLockConfiguration', `${el('ObjectLockEnabled', 'Enabled')}${rule}`) };
  }

  private putObject(name: string, key: string, req: IncomingMessage, body: Buffer, trailers: Record<string, string>) {
    const b = this.bucket(name);
    const h = req.headers;
    const checksum = String(h['x-amz-checksum-crc32'] ?? trailers['x-amz-checksum-crc32'] ?? '') || undefined;
    if (checksum !== undefined && checksum !== crc32Base64(body)) {
      throw new S3Error(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
    }
    if (checksum !== undefined) this.seen.crc32Checked++;
    const md5 = h['content-md5'];
    if (md5 !== undefined && md5 !== createHash('md5').update(body).digest('base64')) {
      throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    const mode = h['x-amz-object-lock-mode'] as string | undefined;
    const until = h['x-amz-object-lock-retain-until-date'] as string | undefined;
    let retention: Retention | undefined;
    if (mode !== undefined || until !== undefined) {
      if (!b.objectLock) throw new S3Error(400, 'InvalidRequest', 'Bucket is missing Object Lock Configuration');
      if (mode === undefined || until === undefined) throw new S3Error(400, 'InvalidArgument', 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied');
      if (mode !== 'COMPLIANCE' && mode !== 'GOVERNANCE') throw new S3Error(400, 'InvalidArgument', 'Unknown wormMode directive.');
      const d = new Date(until);
      if (Number.isNaN(d.getTime()) || d.getTime() <= this.opts.now().getTime()) throw new S3Error(400, 'InvalidArgument', 'The retain until date must be in the future!');
      if (md5 === undefined && checksum === undefined && !Object.keys(h).some((k) => k.startsWith('x-amz-checksum-')) && !String(h['x-amz-trailer'] ?? '').startsWith('x-amz-checksum-')) {
        throw new S3Error(400, 'InvalidRequest', 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters');
      }
      retention = { mode, until: d };
    } else if (b.defaultRetention) {
      const d = new Date(this.opts.now().getTime());
      if (b.defaultRetention.days) d.setUTCDate(d.getUTCDate() + b.defaultRetention.days);
      else d.setUTCFullYear(d.getUTCFullYear() + (b.defaultRetention.years ?? 0));
      retention = { mode: b.defaultRetention.mode, until: d };
    }
    const versions = b.objects.get(key);
    const ifNoneMatch = h['if-none-match'];
    if (ifNoneMatch !== undefined) {
      if (ifNoneMatch !== '*') throw new S3Error(501, 'NotImplemented', 'A header you provided implies functionality that is not implemented', { Header: 'If-None-Match' });
      if (versions && versions.length > 0) throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
    }
    const obj: StoredObject = {
      body, etag: `"${createHash('md5').update(body).digest('hex')}"`, lastModified: this.opts.now(),
      versionId: randomUUID().replace(/-/g, ''), ...(retention ? { retention } : {}),
      ...(checksum ? { crc32: checksum } : {}),
    };
    if (versions) versions.push(obj);
    else b.objects.set(key, [obj]);
    return {
      status: 200,
      headers: {
        ETag: obj.etag,
        ...(checksum ? { 'x-amz-checksum-crc32': checksum } : {}),
        ...(b.objectLock ? { 'x-amz-version-id': obj.versionId } : {}),
      },
    };
  }

  private latest(name: string, key: string): StoredObject {
    const o = this.bucket(name).objects.get(key)?.at(-1);
    if (!o) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    return o;
  }

  private getObject(name: string, key: string, req: IncomingMessage, head: boolean) {
    const o = this.latest(name, key);
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(o.body.length),
      ETag: o.etag,
      'Last-Modified': o.lastModified.toUTCString(),
      'Accept-Ranges': 'bytes',
    };
    if (o.retention) {
      headers['x-amz-object-lock-mode'] = o.retention.mode;
      headers['x-amz-object-lock-retain-until-date'] = o.retention.until.toISOString();
    }
    if (String(req.headers['x-amz-checksum-mode'] ?? '').toUpperCase() === 'ENABLED' && o.crc32) {
      headers['x-amz-checksum-crc32'] = o.crc32;
      headers['x-amz-checksum-type'] = 'FULL_OBJECT';
    }
    return { status: 200, headers, ...(head ? {} : { body: o.body }) };
  }

  private getRetention(name: string, key: string) {
    const o = this.latest(name, key);
    if (!this.bucket(name).objectLock) throw new S3Error(400, 'InvalidRequest', 'Bucket is missing Object Lock Configuration');
    if (!o.retention) throw new S3Error(404, 'NoSuchObjectLockConfiguration', 'The specified object does not have a ObjectLock configuration');
    return { status: 200, body: xml('Retention', el('Mode', o.retention.mode) + el('RetainUntilDate', o.retention.until.toISOString())) };
  }

  private list(name: string, q: URLSearchParams) {
    const b = this.bucket(name);
    const prefix = q.get('prefix') ?? '';
    const cap = this.opts.maxKeys ?? 1000;
    const asked = q.has('max-keys') ? Number(q.get('max-keys')) : 1000;
    if (!Number.isInteger(asked) || asked < 0) throw new S3Error(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range');
    const maxKeys = Math.min(asked, cap);
    const token = q.get('continuation-token');
    let after = q.get('start-after') ?? '';
    if (token) {
      after = Buffer.from(token, 'base64url').toString('utf8');
      if (!after) throw new S3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect');
    }
    const urlEncode = q.get('encoding-type') === 'url';
    const enc = (s: string) => (urlEncode ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
    const keys = [...b.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const contents = page.map((k) => {
      const o = b.objects.get(k)!.at(-1)!;
      return `<Contents>${el('Key', enc(k))}${el('LastModified', o.lastModified.toISOString())}${el('ETag', o.etag)}${el('Size', o.body.length)}${el('StorageClass', 'STANDARD')}</Contents>`;
    }).join('');
    const inner = el('Name', name) + el('Prefix', enc(prefix)) + el('KeyCount', page.length) + el('MaxKeys', maxKeys)
      + (urlEncode ? el('EncodingType', 'url') : '') + el('IsTruncated', truncated)
      + (token ? el('ContinuationToken', token) : '')
      + (truncated ? el('NextContinuationToken', Buffer.from(page.at(-1)!, 'utf8').toString('base64url')) : '')
      + (q.get('start-after') ? el('StartAfter', enc(q.get('start-after')!)) : '')
      + contents;
    return { status: 200, body: xml('ListBucketResult', inner) };
  }
}

/** Object Lock requests must prove their body's integrity (Content-MD5 or a checksum). */
function requireIntegrity(req: IncomingMessage, raw: Buffer, trailers: Record<string, string>): void {
  const md5 = req.headers['content-md5'];
  const sum = (req.headers['x-amz-checksum-crc32'] as string | undefined) ?? trailers['x-amz-checksum-crc32'];
  if (md5 === undefined && sum === undefined && !String(req.headers['x-amz-trailer'] ?? '').startsWith('x-amz-checksum-')) {
    throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*');
  }
  if (md5 !== undefined && md5 !== createHash('md5').update(raw).digest('base64')) throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  if (sum !== undefined && sum !== crc32Base64(raw)) throw new S3Error(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
}
