// The as-of collectors of the evidence issues 22 and 23 read where it lives: the same ids and
// record shapes as the live collectors, rebuilt from AWS Config's configuration history at
// ctx.asOf (evidence-normalise.ts maps each type). A field the live collector reads from an API
// Config does not keep (a trail's status, a key's policy, a vault's lock, a detector's features)
// is absent and named in the record's error.fields with the reason, so a control reading it is
// ERROR; what the record does hold still decides the controls that read only that.
import type { CollectContext, ConfigHistory } from '../types.js';
import type { EvidenceRecordDraft } from '../../src/evidence/model.js';
import { partition } from '../common.js';
import { errorRecord, itemsAt, NotInConfigHistory, recordOf, requireRecorded } from './collectors.js';
import { DELETED_STATUSES, prop, RECORDED_STATUSES, type HistoryItem } from './items.js';
import { normaliseKey } from './normalise.js';
import {
  CUSTOMER_KEY_NOT_KEPT, NOT_CONFIGURED, normaliseBucket, normaliseDbSnapshot, normaliseDetector, normaliseDistribution, normaliseListener,
  normaliseLoadBalancer, normalisePlan, normaliseRecoveryPoint, normaliseTrail, normaliseVault, type Rebuilt,
} from './evidence-normalise.js';

const OPERATION = 'config:GetResourceConfigHistory';

function asOfOf(ctx: CollectContext): Date {
  if (!ctx.asOf) throw new Error('history collectors need an as-of time');
  return ctx.asOf;
}

/** The record of a rebuilt resource: its data, and the fields history cannot give named with why. */
function rebuilt(ctx: CollectContext, collector: string, type: string, arn: string, item: HistoryItem, r: Rebuilt): EvidenceRecordDraft {
  const asOf = asOfOf(ctx);
  const draft = recordOf(ctx, collector, type, arn, item, asOf, r.data);
  const fields = Object.keys(r.missing);
  if (fields.length === 0) return draft;
  // one sentence per distinct reason, each naming its fields
  const byReason = new Map<string, string[]>();
  for (const f of fields) byReason.set(r.missing[f]!, [...(byReason.get(r.missing[f]!) ?? []), f]);
  const message = [...byReason].map(([why, fs]) => `${fs.join(', ')}: ${why}`).join('; ');
  return { ...draft, error: { operation: OPERATION, code: 'FieldNotRecorded', message, fields } };
}

function notRecorded(ctx: CollectContext, collector: string, type: string, arn: string, item: HistoryItem): EvidenceRecordDraft {
  const asOf = asOfOf(ctx);
  return errorRecord(ctx, collector, type, arn, asOf, item.status,
    `AWS Config did not record ${type} ${item.resourceName ?? item.resourceId} at ${asOf.toISOString()}: the item in force (captured ${item.captureTime.toISOString()}) has status ${item.status}`, item);
}

/** One record per resource of the type in force at asOf (items without a configuration: errors). */
async function* each(ctx: CollectContext, collector: string, type: string, arnOf: (item: HistoryItem) => string,
  normalise: (item: HistoryItem) => Rebuilt | undefined): AsyncIterable<EvidenceRecordDraft> {
  for (const { item } of await itemsAt(ctx, type)) {
    const arn = arnOf(item);
    if (!RECORDED_STATUSES.has(item.status) || !item.configuration) {
      yield notRecorded(ctx, collector, type, arn, item);
      continue;
    }
    const r = normalise(item);
    if (r) yield rebuilt(ctx, collector, type, arn, item, r);
  }
}

/** A global collector's view of one region's history (Config records global types in regions). */
function inRegion(ctx: CollectContext, region: string): CollectContext {
  if (!ctx.historyIn) throw new Error('a global history collector needs the run\'s regional histories');
  const history: ConfigHistory = ctx.historyIn(region);
  return { ...ctx, region, history };
}

// ---- issue 22 -------------------------------------------------------------------------------

/** The trail's bucket at asOf, from this account and region's history, as cloudtrail.trails' LogBucket. */
async function logBucket(ctx: CollectContext, name: string): Promise<{ value: unknown } | { why: string }> {
  const asOf = asOfOf(ctx);
  try {
    await requireRecorded(ctx, 'AWS::S3::Bucket');
  } catch (e) {
    if (e instanceof NotInConfigHistory) return { why: `the trail's bucket ${name}: ${e.message}` };
    throw e;
  }
  const found = (await itemsAt(ctx, 'AWS::S3::Bucket')).find(({ item }) => (item.resourceName ?? item.resourceId) === name);
  if (!found) {
    return { why: `the trail's bucket ${name} has no item in force at ${asOf.toISOString()} in AWS Config's history of account ${ctx.account} in ${ctx.region}; `
      + 'Config records a bucket in its own region, in the account that owns it (often a log-archive account): a backfill reads only this account and region\'s history for it' };
  }
  if (!RECORDED_STATUSES.has(found.item.status) || !found.item.configuration) return { why: `the trail's bucket ${name} was not recorded then (status ${found.item.status})` };
  const b = normaliseBucket(found.item, ctx.region).data;
  const { defaultRetentionDays } = await import('../cloudtrail-trails.js');
  return { value: {
    Name: name, Account: ctx.account, BucketRegion: ctx.region, ObjectLockConfiguration: b['ObjectLockConfiguration'], Versioning: b['Versioning'],
    DefaultRetentionDays: defaultRetentionDays(b['ObjectLockConfiguration']),
  } };
}

export async function* trails(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const type = 'AWS::CloudTrail::Trail';
  const arnOf = (item: HistoryItem): string => item.arn ?? `arn:${partition(ctx.region)}:cloudtrail:${ctx.region}:${ctx.account}:trail/${item.resourceName ?? item.resourceId}`;
  for (const { item } of await itemsAt(ctx, type)) {
    const arn = arnOf(item);
    if (!RECORDED_STATUSES.has(item.status) || !item.configuration) {
      yield notRecorded(ctx, 'cloudtrail.trails', type, arn, item);
      continue;
    }
    const r = normaliseTrail(item);
    // as the live collector: a trail is judged in its home region
    if (typeof r.data['HomeRegion'] === 'string' && r.data['HomeRegion'] !== ctx.region) continue;
    const bucket = typeof r.data['S3BucketName'] === 'string' ? await logBucket(ctx, r.data['S3BucketName']) : { why: 'the trail names no S3 bucket' };
    if ('value' in bucket) r.data['LogBucket'] = bucket.value;
    else r.missing['LogBucket'] = bucket.why;
    const draft = rebuilt(ctx, 'cloudtrail.trails', type, arn, item, r);
    const owner = arn.split(':')[4];
    if (owner && owner !== ctx.account) draft.owner = owner;
    yield draft;
  }
}

/**
 * A global collector's record: its scope is the account ('global', where the engine looks for
 * it); the region whose Config history it was read from stays in the source's parameters.
 */
async function* asGlobal(region: string, drafts: AsyncIterable<EvidenceRecordDraft>): AsyncIterable<EvidenceRecordDraft> {
  for await (const d of drafts) yield { ...d, source: { ...d.source, region: 'global', parameters: { ...d.source.parameters, configRegion: region } } };
}

/**
 * s3.buckets (global): every bucket Config recorded in the run's regions of this account (Config
 * records a bucket in its own region, so a bucket in a region the run does not cover is not
 * seen: backfill with --regions all, as for rds-data-residency).
 */
export async function* buckets(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  for (const region of [...(ctx.historyRegions ?? [])].sort()) {
    const c = inRegion(ctx, region);
    yield* asGlobal(region, each(c, 's3.buckets', 'AWS::S3::Bucket', (item) => `arn:${partition(region)}:s3:::${item.resourceName ?? item.resourceId}`,
      (item) => normaliseBucket(item, region)));
  }
}

/** guardduty.detectors: the region's detector, or "not configured" when Config recorded none then. */
export async function* detectors(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const asOf = asOfOf(ctx);
  const type = 'AWS::GuardDuty::Detector';
  const base = `arn:${partition(ctx.region)}:guardduty:${ctx.region}:${ctx.account}:detector`;
  const found = await itemsAt(ctx, type);
  if (found.length === 0) {
    // Config was recording detectors (itemsAt checked) and none existed then: the live collector's empty ListDetectors
    yield {
      collector: 'guardduty.detectors', resourceType: type, resource: base,
      source: { service: 'config', operation: 'ListDiscoveredResources', parameters: { resourceType: type, asOf: asOf.toISOString() }, region: ctx.region, account: ctx.account, time: asOf.toISOString(), origin: 'config-history' },
      data: { DetectorId: null, Status: NOT_CONFIGURED, Features: [], DisabledFeatures: [], OpenHighFindings: [], OpenHighFindingsCount: 0, OldestOpenHighFindingCreatedAt: null },
    };
    return;
  }
  yield* each(ctx, 'guardduty.detectors', type, (item) => `${base}/${item.resourceId}`, normaliseDetector);
}

/**
 * kms.customer-keys: every customer-managed key Config recorded, with its metadata, aliases and
 * whether automatic rotation was on; rotation period, rotations, key policy and grants missing.
 */
export async function* customerKeys(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const type = 'AWS::KMS::Key';
  let aliases: { name: string; target: string; arn: string }[] | null = null;
  try {
    await requireRecorded(ctx, 'AWS::KMS::Alias');
    aliases = (await itemsAt(ctx, 'AWS::KMS::Alias')).filter(({ item }) => item.configuration).map(({ item }) => {
      const name = String(prop(item, 'configuration.AliasName') ?? item.resourceName ?? '');
      return { name, target: String(prop(item, 'configuration.TargetKeyId') ?? ''), arn: item.arn ?? `arn:${partition(ctx.region)}:kms:${ctx.region}:${ctx.account}:${name}` };
    });
  } catch (e) {
    if (!(e instanceof NotInConfigHistory)) throw e;
  }
  const arnOf = (item: HistoryItem): string => item.arn ?? `arn:${partition(ctx.region)}:kms:${ctx.region}:${ctx.account}:key/${item.resourceId}`;
  yield* each(ctx, 'kms.customer-keys', type, arnOf, (item) => {
    const { metadata, rotation } = normaliseKey(item);
    if (metadata['KeyManager'] !== 'CUSTOMER') return undefined;
    const mine = aliases?.filter((a) => a.target === item.resourceId || a.target === arnOf(item)) ?? null;
    const data: Record<string, unknown> = {
      KeyMetadata: metadata,
      // as the live collector: GetKeyRotationStatus's answer, null for keys it cannot rotate
      KeyRotationEnabled: typeof rotation === 'boolean' ? rotation : null,
    };
    const missing: Record<string, string> = { ...CUSTOMER_KEY_NOT_KEPT };
    if (mine) {
      data['Aliases'] = mine.map((a) => a.name).sort();
      data['KeyArns'] = [arnOf(item), ...mine.map((a) => a.arn).sort()];
    } else {
      missing['Aliases'] = 'AWS::KMS::Alias was not recorded then, so the key\'s aliases are unknown';
      missing['KeyArns'] = 'AWS::KMS::Alias was not recorded then, so the key\'s alias ARNs are unknown';
    }
    return { data, missing };
  });
}

// ---- issue 23 -------------------------------------------------------------------------------

export function instanceSnapshots(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  return each(ctx, 'rds.instance-snapshots', 'AWS::RDS::DBSnapshot',
    (item) => item.arn ?? `arn:${partition(ctx.region)}:rds:${ctx.region}:${ctx.account}:snapshot:${item.resourceName ?? item.resourceId}`, normaliseDbSnapshot);
}

export function vaults(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  return each(ctx, 'backup.vaults', 'AWS::Backup::BackupVault',
    (item) => item.arn ?? `arn:${partition(ctx.region)}:backup:${ctx.region}:${ctx.account}:backup-vault:${item.resourceName ?? item.resourceId}`, normaliseVault);
}

export function recoveryPoints(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  return each(ctx, 'backup.recovery-points', 'AWS::Backup::RecoveryPoint', (item) => item.arn ?? item.resourceId,
    (item) => normaliseRecoveryPoint(item, ctx.region, ctx.account));
}

export function plans(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  return each(ctx, 'backup.plans', 'AWS::Backup::BackupPlan',
    (item) => item.arn ?? `arn:${partition(ctx.region)}:backup:${ctx.region}:${ctx.account}:backup-plan:${item.resourceId}`, (item) => normalisePlan(item, ctx.account));
}

export async function* listeners(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const lbs = new Map<string, ReturnType<typeof normaliseLoadBalancer>>();
  await requireRecorded(ctx, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  for (const { item } of await itemsAt(ctx, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    if (!item.configuration || DELETED_STATUSES.has(item.status)) continue;
    const lb = normaliseLoadBalancer(item);
    lbs.set(lb.arn, lb);
  }
  const { plainHttpAnswer } = await import('../elbv2-listeners.js');
  yield* each(ctx, 'elbv2.listeners', 'AWS::ElasticLoadBalancingV2::Listener', (item) => item.arn ?? item.resourceId,
    (item) => normaliseListener(item, lbs.get(String(prop(item, 'configuration.LoadBalancerArn'))), (actions) => plainHttpAnswer(actions as unknown as Parameters<typeof plainHttpAnswer>[0])));
}

/** cloudfront.distributions (global): Config records CloudFront in us-east-1 (aws-cn: cn-northwest-1). */
export function distributions(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const home = String(ctx.clientConfig['region'] ?? '');
  const region = home.startsWith('cn-') ? 'cn-northwest-1' : 'us-east-1';
  return asGlobal(region, each(inRegion(ctx, region), 'cloudfront.distributions', 'AWS::CloudFront::Distribution', (item) => item.arn ?? item.resourceId, normaliseDistribution));
}
