// An S3 archive (s3://bucket/prefix): what a CI job uses, since its runners are thrown away.
// Every write is PutObject with If-None-Match: * (create-only; 412 when the key exists). When
// the bucket has Object Lock, every object carries its retention: the bucket default's mode and
// period, or --retain-until. The SDK is imported lazily: only archive commands pay for it.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { clientConfig, defaultCredentials } from '../aws/session.js';
import { ArchiveAccessError, type ArchiveStore, type Retention } from './store.js';
import { UsageError } from '../util/errors.js';

export interface S3StoreOptions {
  /** explicit retention end; required on a locked bucket without a default retention */
  retainUntil?: Date;
  /** mode used with retainUntil when the bucket has no default (default COMPLIANCE) */
  retainMode?: 'COMPLIANCE' | 'GOVERNANCE';
  profile?: string;
  /** the clock for "now + the bucket's default period" (tests) */
  now?: () => Date;
}

function parseS3Location(location: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(location);
  if (!m) throw new UsageError(`--archive ${location}: not s3://bucket/prefix (bucket names are 3-63 lowercase letters, digits, dots and hyphens)`);
  const prefix = (m[2] ?? '').replace(/\/+$/, '');
  return { bucket: m[1]!, prefix: prefix === '' ? '' : `${prefix}/` };
}

interface AwsError { name?: string; $metadata?: { httpStatusCode?: number }; message?: string }
const statusOf = (e: unknown) => (e as AwsError).$metadata?.httpStatusCode;
const nameOf = (e: unknown) => (e as AwsError).name ?? 'Error';

/** The bucket's Object Lock default as a retention for an object written now. */
function defaultRetention(rule: { Mode?: string; Days?: number; Years?: number }, now: Date): Retention | undefined {
  if (rule.Mode !== 'COMPLIANCE' && rule.Mode !== 'GOVERNANCE') return undefined;
  const until = new Date(now.getTime());
  if (rule.Days) until.setUTCDate(until.getUTCDate() + rule.Days);
  else if (rule.Years) until.setUTCFullYear(until.getUTCFullYear() + rule.Years);
  else return undefined;
  return { mode: rule.Mode, retainUntil: until };
}

export class S3Store implements ArchiveStore {
  immutable = false;
  private client!: S3Client;
  private sdk!: typeof import('@aws-sdk/client-s3');
  private readonly bucket: string;
  private readonly prefix: string;
  /** how each new object is retained; undefined on a bucket without Object Lock */
  private retention: { mode: Retention['mode']; fixed?: Date; rule?: { Mode?: string; Days?: number; Years?: number } } | undefined;

  constructor(readonly location: string, private readonly opts: S3StoreOptions = {}) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Location(location));
  }

  private fail(what: string, e: unknown): never {
    throw new ArchiveAccessError(`${this.location}: ${what} failed: ${nameOf(e)}: ${(e as AwsError).message ?? ''}`.trim());
  }

  /** Creates the client and reads the bucket's Object Lock configuration. */
  async open(forWriting: boolean): Promise<void> {
    this.sdk = await import('@aws-sdk/client-s3');
    const region = process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
    const config = clientConfig(region, await defaultCredentials(this.opts.profile), this.opts.profile ? { profile: this.opts.profile } : {});
    // An AWS-compatible endpoint (the sandbox, MinIO) is addressed path-style: bucket in the path.
    const custom = Boolean(process.env['AWS_ENDPOINT_URL_S3'] ?? process.env['AWS_ENDPOINT_URL']);
    this.client = new this.sdk.S3Client({ ...config, forcePathStyle: custom });
    let lock: { ObjectLockEnabled?: string; Rule?: { DefaultRetention?: { Mode?: string; Days?: number; Years?: number } } } | undefined;
    try {
      const r = await this.client.send(new this.sdk.GetObjectLockConfigurationCommand({ Bucket: this.bucket }));
      lock = r.ObjectLockConfiguration;
    } catch (e) {
      if (nameOf(e) !== 'ObjectLockConfigurationNotFoundError') this.fail(`reading the bucket's Object Lock configuration (s3:GetBucketObjectLockConfiguration)`, e);
    }
    if (lock?.ObjectLockEnabled !== 'Enabled') {
      if (this.opts.retainUntil && forWriting) throw new UsageError(`--retain-until: the bucket ${this.bucket} has no Object Lock, so objects cannot be retained`);
      this.retention = undefined;
      return;
    }
    this.immutable = true;
    const rule = lock.Rule?.DefaultRetention;
    if (this.opts.retainUntil) {
      const mode = (rule?.Mode === 'GOVERNANCE' || rule?.Mode === 'COMPLIANCE' ? rule.Mode : undefined) ?? this.opts.retainMode ?? 'COMPLIANCE';
      this.retention = { mode, fixed: this.opts.retainUntil };
    } else if (rule && defaultRetention(rule, new Date())) {
      this.retention = { mode: rule.Mode as Retention['mode'], rule };
    } else if (forWriting) {
      throw new UsageError(`${this.location}: the bucket has Object Lock but no default retention; give --retain-until DATE so every object is retained`);
    }
  }

  private retentionNow(): Retention | undefined {
    const r = this.retention;
    if (!r) return undefined;
    if (r.fixed) return { mode: r.mode, retainUntil: r.fixed };
    return defaultRetention(r.rule ?? {}, this.opts.now?.() ?? new Date());
  }

  async create(key: string, bytes: Uint8Array): Promise<'created' | 'exists'> {
    const retention = this.retentionNow();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new this.sdk.PutObjectCommand({
          Bucket: this.bucket, Key: this.prefix + key, Body: bytes, IfNoneMatch: '*',
          ChecksumAlgorithm: 'CRC32',
          ...(retention ? { ObjectLockMode: retention.mode, ObjectLockRetainUntilDate: retention.retainUntil } : {}),
        }));
        return 'created';
      } catch (e) {
        if (statusOf(e) === 412 || nameOf(e) === 'PreconditionFailed') return 'exists';
        // 409 ConditionalRequestConflict: another conditional write of this key is in flight;
        // its outcome decides, so ask again (a 412 follows when it succeeded)
        if (statusOf(e) === 409 && attempt < 20) {
          await new Promise((r) => setTimeout(r, 50 * attempt));
          continue;
        }
        this.fail(`writing ${this.prefix + key} (s3:PutObject)`, e);
      }
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const r = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (e) {
      if (nameOf(e) === 'NoSuchKey' || statusOf(e) === 404) return undefined;
      this.fail(`reading ${this.prefix + key} (s3:GetObject)`, e);
    }
  }

  async read(key: string): Promise<Readable | undefined> {
    try {
      const r = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return r.Body as Readable;
    } catch (e) {
      if (nameOf(e) === 'NoSuchKey' || statusOf(e) === 404) return undefined;
      this.fail(`reading ${this.prefix + key} (s3:GetObject)`, e);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      let r;
      try {
        r = await this.client.send(new this.sdk.ListObjectsV2Command({
          Bucket: this.bucket, Prefix: this.prefix + prefix, ...(token ? { ContinuationToken: token } : {}),
        }));
      } catch (e) {
        this.fail(`listing ${this.prefix + prefix} (s3:ListBucket)`, e);
      }
      for (const o of r.Contents ?? []) if (o.Key) keys.push(o.Key.slice(this.prefix.length));
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  destroy(): void {
    this.client?.destroy();
  }
}
