// s3.buckets: every bucket the account owns, with the six configurations the controls judge
// (Object Lock, versioning, default encryption, lifecycle, replication, public access block).
//
// ListBuckets is global: one paginated listing per account, with MaxBuckets set so that S3
// returns each bucket's BucketRegion (GetBucketLocation answers null for us-east-1 and "EU" for
// old eu-west-1 buckets). Every per-bucket call goes to a client of the bucket's own region. S3's
// "not configured" answers are the value "not configured", never errors; any other failure of
// one call is an error record for that bucket naming the fields it could not read.
//
// Added field `ReplicationDestinations`: where each enabled replication rule copies to, with the
// destination bucket's region from its owner's ListBuckets in the same run (a join across the
// estate's accounts), else from the destination ARN; unknown: an error naming the destination.
import {
  GetBucketEncryptionCommand, GetBucketLifecycleConfigurationCommand, GetBucketReplicationCommand, GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand, GetPublicAccessBlockCommand, paginateListBuckets, S3Client, type Bucket,
} from '@aws-sdk/client-s3';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, errorDraft, makeDraft, mapConcurrent, partition, requireArray, requireString, sendOptions } from './common.js';

export const NOT_CONFIGURED = 'not configured';

/** S3's error codes meaning "this configuration was never set": a value, not missing evidence. */
const NOT_CONFIGURED_CODES = new Set([
  'ObjectLockConfigurationNotFoundError', 'NoSuchLifecycleConfiguration', 'ServerSideEncryptionConfigurationNotFoundError',
  'NoSuchPublicAccessBlockConfiguration', 'ReplicationConfigurationNotFoundError',
]);

function notConfigured(err: unknown): boolean {
  const e = err as { name?: string; Code?: string } | null;
  return NOT_CONFIGURED_CODES.has(e?.name ?? '') || NOT_CONFIGURED_CODES.has(e?.Code ?? '');
}

/** The SDK's answer without its $metadata: the record keeps AWS's fields only. */
function strip<T extends object>(answer: T): Omit<T, '$metadata'> {
  const { $metadata: _m, ...rest } = answer as T & { $metadata?: unknown };
  return JSON.parse(JSON.stringify(rest)) as Omit<T, '$metadata'>;
}

/** An S3 client addressed as the endpoint needs: path-style for an AWS-compatible endpoint. */
export function s3Client(ctx: CollectContext, region: string): S3Client {
  const custom = Boolean(process.env['AWS_ENDPOINT_URL_S3'] ?? process.env['AWS_ENDPOINT_URL']);
  return createClient({ ...ctx, clientConfig: { ...ctx.clientConfig, forcePathStyle: custom } }, S3Client, region);
}

interface Read { field: string; operation: string; run: (c: S3Client, bucket: string, o: { abortSignal?: AbortSignal }) => Promise<unknown> }

const READS: readonly Read[] = [
  { field: 'ObjectLockConfiguration', operation: 's3:GetObjectLockConfiguration',
    run: async (c, b, o) => (await c.send(new GetObjectLockConfigurationCommand({ Bucket: b }), o)).ObjectLockConfiguration ?? NOT_CONFIGURED },
  { field: 'Versioning', operation: 's3:GetBucketVersioning',
    run: async (c, b, o) => strip(await c.send(new GetBucketVersioningCommand({ Bucket: b }), o)) },
  { field: 'ServerSideEncryptionConfiguration', operation: 's3:GetBucketEncryption',
    run: async (c, b, o) => (await c.send(new GetBucketEncryptionCommand({ Bucket: b }), o)).ServerSideEncryptionConfiguration ?? NOT_CONFIGURED },
  { field: 'LifecycleConfiguration', operation: 's3:GetBucketLifecycleConfiguration',
    run: async (c, b, o) => {
      const { TransitionDefaultMinimumObjectSize: _size, ...rest } = strip(await c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b }), o));
      return rest;
    } },
  { field: 'ReplicationConfiguration', operation: 's3:GetBucketReplication',
    run: async (c, b, o) => (await c.send(new GetBucketReplicationCommand({ Bucket: b }), o)).ReplicationConfiguration ?? NOT_CONFIGURED },
  { field: 'PublicAccessBlockConfiguration', operation: 's3:GetPublicAccessBlock',
    run: async (c, b, o) => (await c.send(new GetPublicAccessBlockCommand({ Bucket: b }), o)).PublicAccessBlockConfiguration ?? NOT_CONFIGURED },
];

const OPERATION = ['ListBuckets', ...READS.map((r) => r.operation.slice(3))].join('+');

/** Every bucket of the account as ListBuckets returns it (BucketRegion included), all pages. */
export async function listAllBuckets(ctx: CollectContext, client: S3Client, prefix?: string): Promise<Bucket[]> {
  const out: Bucket[] = [];
  for await (const page of paginateListBuckets({ client, pageSize: 1000 }, { MaxBuckets: 1000, ...(prefix ? { Prefix: prefix } : {}) }, sendOptions(ctx))) {
    out.push(...requireArray(page.Buckets, 'Buckets'));
  }
  return out;
}

/** Where one replication rule's copies land, as the controls judge it (residency by region and account). */
export interface ReplicationDestination {
  Rule: string | null;
  Bucket: string;
  Account: string | null;
  /** whether the destination is in the source bucket's own account (null: the owner is not known) */
  SameAccount: boolean | null;
  Region: string;
  /** which answer gave the region: `ListBuckets of ACCOUNT` or `the destination ARN` */
  RegionFrom: string;
}

class ReplicationDestinationUnknownError extends Error {
  readonly code = 'ReplicationDestinationNotInRun';
  constructor(message: string) {
    super(message);
    this.name = 'ReplicationDestinationNotInRun';
  }
}

/**
 * The region (and owner) of every enabled replication rule's destination bucket. The region is
 * the destination owner's own ListBuckets BucketRegion, read in the account of the run that owns
 * the bucket (the estate's memo shares that listing with the trail's bucket search); else a region
 * the destination ARN states; else the destination is unknown and the error names it and the
 * accounts searched (ERROR, never a guess).
 */
async function replicationDestinations(
  ctx: CollectContext, config: unknown, ownBuckets: readonly Bucket[], home: string,
): Promise<ReplicationDestination[]> {
  if (config === NOT_CONFIGURED || config === null || typeof config !== 'object') return [];
  const rules = (config as { Rules?: { ID?: string; Status?: string; Destination?: { Bucket?: string; Account?: string } }[] }).Rules ?? [];
  const out: ReplicationDestination[] = [];
  for (const rule of rules) {
    if (rule.Status !== 'Enabled') continue;
    const arn = requireString(rule.Destination?.Bucket, 'ReplicationRule.Destination.Bucket');
    const parts = arn.split(':');
    const name = (parts[5] ?? '').replace(/^bucket\//, '');
    const stated = rule.Destination?.Account ?? (parts[4] || undefined) ?? null;
    const candidates = stated ? [stated] : [...new Set([ctx.account, ...(ctx.estate?.accounts?.() ?? [])])];
    const searched: string[] = [];
    let found: { account: string; region: string } | undefined;
    for (const account of candidates) {
      const listed = await bucketsOf(ctx, account, ownBuckets, home);
      if (!listed) continue;
      searched.push(account);
      const b = listed.find((x) => x.Name === name);
      if (b?.BucketRegion) {
        found = { account, region: b.BucketRegion };
        break;
      }
    }
    if (found) {
      out.push({ Rule: rule.ID ?? null, Bucket: arn, Account: found.account, SameAccount: found.account === ctx.account, Region: found.region, RegionFrom: `ListBuckets of ${found.account}` });
    } else if (parts[3]) {
      out.push({ Rule: rule.ID ?? null, Bucket: arn, Account: stated, SameAccount: stated === null ? null : stated === ctx.account, Region: parts[3], RegionFrom: 'the destination ARN' });
    } else {
      throw new ReplicationDestinationUnknownError(`the region of replication destination ${arn}${stated ? ` (account ${stated})` : ''} is unknown: `
        + `no account of this run owns it (searched ${searched.join(', ') || 'none'}) and its ARN states no region; add the account that owns it to the run`);
    }
  }
  return out;
}

/** An account's buckets: this account's own listing, another account's through the estate's memo, or undefined outside the run. */
async function bucketsOf(ctx: CollectContext, account: string, own: readonly Bucket[], home: string): Promise<readonly Bucket[] | undefined> {
  if (account === ctx.account) return own;
  const credentials = await ctx.estate?.credentialsFor(account)?.catch(() => undefined);
  if (!credentials || !ctx.estate) return undefined;
  return ctx.estate.shared(`s3:ListBuckets:${account}`, async () => {
    const c = s3Client({ ...ctx, account, credentials, clientConfig: { ...ctx.clientConfig, credentials } }, home);
    try {
      return await listAllBuckets(ctx, c);
    } finally {
      c.destroy();
    }
  });
}

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const home = String(ctx.clientConfig['region'] ?? 'us-east-1');
  const clients = new Map<string, S3Client>();
  const clientIn = (region: string): S3Client => {
    let c = clients.get(region);
    if (!c) clients.set(region, (c = s3Client(ctx, region)));
    return c;
  };
  try {
    const buckets = await listAllBuckets(ctx, clientIn(home));
    const part = partition(home);
    const drafts = await mapConcurrent(buckets, async (bucket) => {
      const name = requireString(bucket.Name, 'Bucket.Name');
      const region = requireString(bucket.BucketRegion, `BucketRegion of ${name} (ListBuckets answered without it)`);
      const client = clientIn(region);
      const data: Record<string, unknown> = {
        Name: name, CreationDate: bucket.CreationDate instanceof Date ? bucket.CreationDate.toISOString() : bucket.CreationDate ?? null, BucketRegion: region,
      };
      const failures: { operation: string; err: unknown; field: string }[] = [];
      await Promise.all(READS.map(async (r) => {
        try {
          data[r.field] = await r.run(client, name, sendOptions(ctx));
        } catch (err) {
          if (notConfigured(err)) data[r.field] = NOT_CONFIGURED;
          else failures.push({ operation: r.operation, err, field: r.field });
        }
      }));
      if (failures.some((f) => f.field === 'ReplicationConfiguration')) {
        failures.push({ operation: 's3:GetBucketReplication', err: failures.find((f) => f.field === 'ReplicationConfiguration')!.err, field: 'ReplicationDestinations' });
      } else {
        try {
          data['ReplicationDestinations'] = await replicationDestinations(ctx, data['ReplicationConfiguration'], buckets, home);
        } catch (err) {
          failures.push({ operation: err instanceof ReplicationDestinationUnknownError ? 's3:ListBuckets' : 's3:GetBucketReplication', err, field: 'ReplicationDestinations' });
        }
      }
      const common = {
        service: 's3', operation: OPERATION, parameters: { MaxBuckets: 1000, Bucket: name },
        resourceType: 'AWS::S3::Bucket', resource: `arn:${part}:s3:::${name}`, region,
      };
      if (failures.length === 0) return makeDraft(ctx, 's3.buckets', { ...common, data });
      // the first failure names the call; every field that could not be read is listed
      const first = failures.sort((a, b) => (a.field < b.field ? -1 : 1))[0]!;
      return errorDraft(ctx, 's3.buckets', { ...common, data, failed: { operation: first.operation, err: first.err, fields: failures.map((f) => f.field) } });
    });
    yield* drafts;
  } finally {
    for (const c of clients.values()) c.destroy();
  }
}
