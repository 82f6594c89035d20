// cloudtrail.trails: every trail whose home region is this region (its own, and an organization's
// trail seen from a member account), as DescribeTrails returns it (shadow trails included, so an
// organization trail is seen), with GetTrailStatus and GetEventSelectors read on the trail's ARN in
// its home region, and the trail's own S3 bucket's Object Lock and versioning read in the account
// that owns the bucket.
//
// Added fields: `Status` (GetTrailStatus), `EventSelectors` / `AdvancedEventSelectors`
// (GetEventSelectors), `ManagementEvents` (what the selectors record: reads, writes, whether
// kms.amazonaws.com is excluded, and which selector kind decided), `LogBucket` (the bucket's
// owner, region, Object Lock configuration, versioning, and its default retention in days).
import {
  CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand,
  type AdvancedEventSelector, type EventSelector, type Trail,
} from '@aws-sdk/client-cloudtrail';
import { GetBucketVersioningCommand, GetObjectLockConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, errorDraft, makeDraft, mapConcurrent, MalformedResponseError, requireArray, requireString, sendOptions } from './common.js';
import { listAllBuckets, NOT_CONFIGURED, s3Client } from './s3-buckets.js';

const KMS_SOURCE = 'kms.amazonaws.com';

export interface ManagementEvents {
  Reads: boolean;
  Writes: boolean;
  KmsEventsExcluded: boolean;
  DecidedBy: 'EventSelectors' | 'AdvancedEventSelectors' | 'none';
}

/**
 * What the trail's selectors record of management events. Basic: a selector with management
 * events records reads, writes or both (ReadWriteType) of every source but those in
 * ExcludeManagementEventSources. Advanced: a selector on eventCategory Management records reads
 * and writes unless a readOnly condition narrows it, and every source its eventSource conditions
 * let through. KMS events count as recorded when one selector records them.
 */
export function managementEvents(basic: EventSelector[] | undefined, advanced: AdvancedEventSelector[] | undefined): ManagementEvents {
  const out: ManagementEvents = { Reads: false, Writes: false, KmsEventsExcluded: true, DecidedBy: 'none' };
  if (advanced && advanced.length > 0) {
    out.DecidedBy = 'AdvancedEventSelectors';
    for (const s of advanced) {
      const fields = s.FieldSelectors ?? [];
      const category = fields.find((f) => f.Field === 'eventCategory');
      if (!category?.Equals?.includes('Management')) continue;
      const readOnly = fields.find((f) => f.Field === 'readOnly');
      const only = readOnly?.Equals?.[0] ?? (readOnly?.NotEquals?.[0] === 'true' ? 'false' : readOnly?.NotEquals?.[0] === 'false' ? 'true' : undefined);
      const reads = only === undefined || only === 'true';
      const writes = only === undefined || only === 'false';
      out.Reads ||= reads;
      out.Writes ||= writes;
      if (passesKms(fields)) out.KmsEventsExcluded = false;
    }
    return out;
  }
  if (basic && basic.length > 0) {
    out.DecidedBy = 'EventSelectors';
    for (const s of basic) {
      if (s.IncludeManagementEvents === false) continue;
      const rw = s.ReadWriteType ?? 'All';
      out.Reads ||= rw === 'All' || rw === 'ReadOnly';
      out.Writes ||= rw === 'All' || rw === 'WriteOnly';
      if (!(s.ExcludeManagementEventSources ?? []).includes(KMS_SOURCE)) out.KmsEventsExcluded = false;
    }
  }
  return out;
}

/** Whether an advanced selector's eventSource conditions let kms.amazonaws.com events through. */
function passesKms(fields: NonNullable<AdvancedEventSelector['FieldSelectors']>): boolean {
  for (const f of fields.filter((x) => x.Field === 'eventSource')) {
    if (f.Equals && !f.Equals.includes(KMS_SOURCE)) return false;
    if (f.NotEquals?.includes(KMS_SOURCE)) return false;
    if (f.StartsWith && !f.StartsWith.some((p) => KMS_SOURCE.startsWith(p))) return false;
    if (f.NotStartsWith?.some((p) => KMS_SOURCE.startsWith(p))) return false;
    if (f.EndsWith && !f.EndsWith.some((p) => KMS_SOURCE.endsWith(p))) return false;
    if (f.NotEndsWith?.some((p) => KMS_SOURCE.endsWith(p))) return false;
  }
  return true;
}

/** Days of a default retention (Years count 365 days each, as S3's own rule evaluation does), or null. */
export function defaultRetentionDays(lock: unknown): number | null {
  if (lock === null || typeof lock !== 'object') return null;
  const r = (lock as { Rule?: { DefaultRetention?: { Days?: number; Years?: number } } }).Rule?.DefaultRetention;
  if (typeof r?.Days === 'number') return r.Days;
  if (typeof r?.Years === 'number') return r.Years * 365;
  return null;
}

class BucketOwnerNotInRunError extends Error {
  readonly code = 'BucketOwnerNotInRun';
  constructor(message: string) {
    super(message);
    this.name = 'BucketOwnerNotInRun';
  }
}

function strip<T extends object>(answer: T): Omit<T, '$metadata'> {
  const { $metadata: _m, ...rest } = answer as T & { $metadata?: unknown };
  return JSON.parse(JSON.stringify(rest)) as Omit<T, '$metadata'>;
}

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, CloudTrailClient);
  const s3Clients: S3Client[] = [];
  const local = new Map<string, Promise<unknown>>();
  const shared = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    if (ctx.estate) return ctx.estate.shared(key, make);
    let p = local.get(key) as Promise<T> | undefined;
    if (!p) local.set(key, (p = make()));
    return p;
  };
  const credentialsOf = async (account: string): Promise<AwsCredentialIdentityProvider | undefined> => {
    if (account === ctx.account) return ctx.credentials;
    return ctx.estate?.credentialsFor(account)?.catch(() => undefined);
  };
  const s3As = (account: string, credentials: AwsCredentialIdentityProvider, region: string): S3Client => {
    const c = s3Client({ ...ctx, account, credentials, clientConfig: { ...ctx.clientConfig, credentials } }, region);
    s3Clients.push(c);
    return c;
  };

  /** The trail's bucket, read in the account of the run that owns it (found by ListBuckets). */
  const readBucket = async (name: string, trailAccount: string): Promise<Record<string, unknown>> => {
    const candidates = [...new Set([ctx.account, trailAccount, ...(ctx.estate?.accounts?.() ?? [])])];
    const searched: string[] = [];
    for (const account of candidates) {
      const credentials = await credentialsOf(account);
      if (!credentials) continue;
      searched.push(account);
      const home = String(ctx.clientConfig['region'] ?? ctx.region);
      const owned = await shared(`s3:ListBuckets:${account}`, () => listAllBuckets(ctx, s3As(account, credentials, home)));
      const bucket = owned.find((b) => b.Name === name);
      if (!bucket) continue;
      const region = requireString(bucket.BucketRegion, `BucketRegion of ${name}`);
      return shared(`s3:trail-bucket:${account}:${name}`, async () => {
        const s3 = s3As(account, credentials, region);
        let lock: unknown;
        try {
          lock = (await s3.send(new GetObjectLockConfigurationCommand({ Bucket: name }), sendOptions(ctx))).ObjectLockConfiguration ?? NOT_CONFIGURED;
        } catch (err) {
          if ((err as { name?: string }).name !== 'ObjectLockConfigurationNotFoundError') throw Object.assign(err as Error, { trustpackOperation: 's3:GetObjectLockConfiguration' });
          lock = NOT_CONFIGURED;
        }
        const versioning = strip(await s3.send(new GetBucketVersioningCommand({ Bucket: name }), sendOptions(ctx)));
        return { Name: name, Account: account, BucketRegion: region, ObjectLockConfiguration: lock, Versioning: versioning, DefaultRetentionDays: defaultRetentionDays(lock) };
      });
    }
    throw new BucketOwnerNotInRunError(`the trail's bucket ${name} is not owned by any account of this run (searched ${searched.join(', ') || 'none'}); `
      + 'add the account that owns it (the log-archive account) to the run to judge its Object Lock');
  };

  try {
    const answer = await client.send(new DescribeTrailsCommand({ includeShadowTrails: true }), sendOptions(ctx));
    const time = ctx.now().toISOString();
    const trails = requireArray(answer.trailList, 'trailList').filter((t: Trail) => t.HomeRegion === ctx.region);
    const drafts = await mapConcurrent(trails, async (trail): Promise<EvidenceRecordDraft> => {
      const arn = requireString(trail.TrailARN, 'Trail.TrailARN');
      const trailAccount = arn.split(':')[4] ?? ctx.account;
      const data: Record<string, unknown> = { ...trail };
      const failed: { operation: string; err: unknown; fields: string[] }[] = [];
      await Promise.all([
        (async () => {
          try {
            data['Status'] = strip(await client.send(new GetTrailStatusCommand({ Name: arn }), sendOptions(ctx)));
          } catch (err) {
            failed.push({ operation: 'cloudtrail:GetTrailStatus', err, fields: ['Status'] });
          }
        })(),
        (async () => {
          try {
            const sel = await client.send(new GetEventSelectorsCommand({ TrailName: arn }), sendOptions(ctx));
            data['EventSelectors'] = sel.EventSelectors ?? null;
            data['AdvancedEventSelectors'] = sel.AdvancedEventSelectors ?? null;
            data['ManagementEvents'] = managementEvents(sel.EventSelectors, sel.AdvancedEventSelectors);
          } catch (err) {
            failed.push({ operation: 'cloudtrail:GetEventSelectors', err, fields: ['EventSelectors', 'AdvancedEventSelectors', 'ManagementEvents'] });
          }
        })(),
        (async () => {
          try {
            if (!trail.S3BucketName) throw new MalformedResponseError(`trail ${arn} names no S3 bucket`);
            data['LogBucket'] = await readBucket(trail.S3BucketName, trailAccount);
          } catch (err) {
            const operation = (err as { trustpackOperation?: string }).trustpackOperation
              ?? (err instanceof BucketOwnerNotInRunError ? 's3:ListBuckets' : 's3:GetBucketVersioning');
            failed.push({ operation, err, fields: ['LogBucket'] });
          }
        })(),
      ]);
      const common = {
        service: 'cloudtrail', operation: 'DescribeTrails+GetTrailStatus+GetEventSelectors',
        parameters: { includeShadowTrails: true, Name: arn }, time,
        resourceType: 'AWS::CloudTrail::Trail', resource: arn,
      };
      const draft = failed.length === 0
        ? makeDraft(ctx, 'cloudtrail.trails', { ...common, data })
        : errorDraft(ctx, 'cloudtrail.trails', { ...common, data, failed: { ...failed[0]!, fields: failed.flatMap((f) => f.fields) } });
      if (trailAccount !== ctx.account) draft.owner = trailAccount;
      return draft;
    });
    yield* drafts;
  } finally {
    client.destroy();
    for (const c of s3Clients) c.destroy();
  }
}
