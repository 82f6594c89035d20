// The collectors of an as-of run (`collect --as-of`): the same ids and record shapes as the live
// ones, rebuilt from AWS Config's configuration history at ctx.asOf. Each record names its
// configuration item (capture time, configurationStateId) in its source, so its id pins exactly
// the state that decided a finding. What Config did not record is missing evidence: an error
// record (one resource) or a failed collection (a whole type), never a guess from today.
import type { ResourceIdentifier } from '@aws-sdk/client-config-service';
import type { CollectContext, ConfigHistory } from '../types.js';
import type { EvidenceRecordDraft, EvidenceSource } from '../../src/evidence/model.js';
import { dataOf, partition, prior, str } from '../common.js';
import { DELETED_STATUSES, prop, RECORDED_STATUSES, type HistoryItem } from './items.js';
import { normaliseCluster, normaliseInstance, normaliseKey, normaliseSnapshot } from './normalise.js';

/** Evidence AWS Config's history cannot give: the collection fails with this code and why. */
export class NotInConfigHistory extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotInConfigHistory';
  }
}

const OPERATION = 'GetResourceConfigHistory';

function store(ctx: CollectContext): { history: ConfigHistory; asOf: Date } {
  if (!ctx.history || !ctx.asOf) throw new Error('history collectors need an as-of time and a history store');
  return { history: ctx.history, asOf: ctx.asOf };
}

function historySource(ctx: CollectContext, item: HistoryItem, asOf: Date): EvidenceSource {
  return {
    service: 'config', operation: OPERATION,
    parameters: { resourceType: item.resourceType, resourceId: item.resourceId, asOf: asOf.toISOString() },
    region: ctx.region, account: ctx.account, time: item.captureTime.toISOString(),
    origin: 'config-history', configurationStateId: item.stateId, configurationItemStatus: item.status,
  };
}

export function recordOf(ctx: CollectContext, collector: string, resourceType: string, resource: string, item: HistoryItem, asOf: Date, data: unknown): EvidenceRecordDraft {
  return { collector, source: historySource(ctx, item, asOf), resourceType, resource, data };
}

/** A resource whose evidence at asOf is missing: the error record of docs/CONTRACTS.md, results JSON (source, ARN, no data, error). */
export function errorRecord(ctx: CollectContext, collector: string, resourceType: string, resource: string, asOf: Date,
  code: string, message: string, item?: HistoryItem): EvidenceRecordDraft {
  const source: EvidenceSource = item ? historySource(ctx, item, asOf) : {
    service: 'config', operation: OPERATION, parameters: { resourceType, asOf: asOf.toISOString() },
    region: ctx.region, account: ctx.account, time: asOf.toISOString(), origin: 'config-history',
  };
  return { collector, source, resourceType, resource, data: null, error: { operation: `config:${OPERATION}`, code, message } };
}

/**
 * Whether the region's configuration recorder recorded `type` at asOf, from the recorder's own
 * history: a type Config was not recording then has no history to rebuild from.
 */
export async function requireRecorded(ctx: CollectContext, type: string): Promise<void> {
  const { history, asOf } = store(ctx);
  const recorders = await history.discovered('AWS::Config::ConfigurationRecorder', ctx);
  const states = await Promise.all(recorders.map((r) => history.itemAt(r, asOf, ctx)));
  const on = states.filter((i): i is HistoryItem => i !== undefined && RECORDED_STATUSES.has(i.status));
  const records = on.some((i) => {
    if (prop(i, 'configuration.Recording') === false) return false;
    if (prop(i, 'configuration.RecordingGroup.AllSupported') === true) return true;
    const types = prop(i, 'configuration.RecordingGroup.ResourceTypes');
    return Array.isArray(types) && types.includes(type);
  });
  if (!records) {
    throw new NotInConfigHistory(`AWS Config was not recording ${type} in ${ctx.region} at ${asOf.toISOString()} (no configuration recorder `
      + 'recording it then), so its state at that time is not in the configuration history');
  }
}

/** Each resource of the type that existed at asOf, with the item in force then. */
export async function itemsAt(ctx: CollectContext, type: string): Promise<{ id: ResourceIdentifier; item: HistoryItem }[]> {
  const { history, asOf } = store(ctx);
  await requireRecorded(ctx, type);
  const ids = await history.discovered(type, ctx);
  const items = await Promise.all(ids.map(async (id) => ({ id, item: await history.itemAt(id, asOf, ctx) })));
  // no item yet: created after asOf; a deletion item: gone by then
  return items.filter((x): x is { id: ResourceIdentifier; item: HistoryItem } => x.item !== undefined && !DELETED_STATUSES.has(x.item.status));
}

function arnOf(item: HistoryItem, build: (name: string) => string): string {
  return item.arn ?? build(item.resourceName ?? item.resourceId);
}

function notRecorded(ctx: CollectContext, collector: string, type: string, arn: string, item: HistoryItem, asOf: Date): EvidenceRecordDraft {
  return errorRecord(ctx, collector, type, arn, asOf, item.status,
    `AWS Config did not record ${type} ${item.resourceName ?? item.resourceId} at ${asOf.toISOString()}: the item in force (captured ${item.captureTime.toISOString()}) has status ${item.status}`, item);
}

/** One record per resource of a type, normalised to the live collector's shape. */
async function* perResource(ctx: CollectContext, collector: string, type: string, build: (name: string) => string,
  normalise: (item: HistoryItem) => { data: unknown; missing?: string }): AsyncIterable<EvidenceRecordDraft> {
  const { asOf } = store(ctx);
  for (const { item } of await itemsAt(ctx, type)) {
    const arn = arnOf(item, build);
    if (!RECORDED_STATUSES.has(item.status) || !item.configuration) {
      yield notRecorded(ctx, collector, type, arn, item, asOf);
      continue;
    }
    const n = normalise(item);
    if (n.missing) yield errorRecord(ctx, collector, type, arn, asOf, 'FieldNotRecorded', n.missing, item);
    else yield recordOf(ctx, collector, type, arn, item, asOf, n.data);
  }
}

const rdsArn = (ctx: CollectContext, kind: string) => (name: string): string => `arn:${partition(ctx.region)}:rds:${ctx.region}:${ctx.account}:${kind}:${name}`;

export function dbClusters(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  return perResource(ctx, 'rds.db-clusters', 'AWS::RDS::DBCluster', rdsArn(ctx, 'cluster'), (i) => ({ data: normaliseCluster(i) }));
}

export function dbInstances(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  return perResource(ctx, 'rds.db-instances', 'AWS::RDS::DBInstance', rdsArn(ctx, 'db'), (i) => ({ data: normaliseInstance(i) }));
}

export function clusterSnapshots(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  return perResource(ctx, 'rds.cluster-snapshots', 'AWS::RDS::DBClusterSnapshot', rdsArn(ctx, 'cluster-snapshot'), (i) => {
    const n = normaliseSnapshot(i);
    return n.attributesMissing
      ? { data: null, missing: 'the configuration item of this manual snapshot has no DBClusterSnapshotAttributes, so with whom it was shared is not recorded' }
      : { data: n.data };
  });
}

/** Types Config keeps no history for: the whole collection is missing evidence. */
export function notInHistory(what: string): (ctx: CollectContext) => AsyncIterable<EvidenceRecordDraft> {
  // eslint-disable-next-line require-yield
  return async function* (): AsyncIterable<EvidenceRecordDraft> {
    throw new NotInConfigHistory(what);
  };
}

/** kms.keys fields the live collector reads from GetKeyRotationStatus that Config does not keep. */
const KEY_FIELDS_NOT_KEPT = ['RotationPeriodInDays', 'NextRotationDate'] as const;

// The longest automated-backup retention RDS allows: a retained backup of a cluster deleted
// longer ago than this no longer exists, so its key no longer protects anything.
const MAX_BACKUP_RETENTION_MS = 35 * 86_400_000;

/**
 * kms.keys at asOf: every key referenced by the clusters, instances and snapshots rebuilt for
 * asOf, and by clusters deleted in the 35 days before it (their retained automated backups may
 * still exist and are encrypted with the cluster's key; backups themselves have no history).
 */
export async function* kmsKeys(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const { history, asOf } = store(ctx);
  const refs = new Set<string>();
  for (const c of ['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots']) {
    for (const r of prior(ctx, c)) {
      const id = str(dataOf(r)['KmsKeyId']);
      if (id) refs.add(id);
    }
  }
  for (const id of await history.discovered('AWS::RDS::DBCluster', ctx)) {
    const gone = id.resourceDeletionTime?.getTime();
    if (gone === undefined || gone > asOf.getTime() || gone < asOf.getTime() - MAX_BACKUP_RETENTION_MS) continue;
    const last = gone > history.from.getTime() ? await history.itemAt(id, new Date(gone - 1000), ctx) : await history.lastBefore(id, new Date(gone), ctx);
    const key = last?.configuration ? str(normaliseCluster(last)['KmsKeyId']) : undefined;
    if (key) refs.add(key);
  }
  if (refs.size === 0) return;
  await requireRecorded(ctx, 'AWS::KMS::Key');
  const keys = new Map<string, HistoryItem>();
  for (const { item } of await itemsAt(ctx, 'AWS::KMS::Key')) keys.set(item.resourceId, item);
  // Aliases, and the alias ARNs in KeyArns (which the customer-held key list is matched against),
  // are null when Config did not record them, and named in error.fields so a control reading them
  // is ERROR for the key rather than finding it out of its scope.
  let aliases: { name: string; target: string; arn: string }[] | null = null;
  try {
    await requireRecorded(ctx, 'AWS::KMS::Alias');
    aliases = (await itemsAt(ctx, 'AWS::KMS::Alias'))
      .filter(({ item }) => item.configuration)
      .map(({ item }) => {
        const name = String(prop(item, 'configuration.AliasName') ?? item.resourceName ?? '');
        return { name, target: String(prop(item, 'configuration.TargetKeyId') ?? ''), arn: item.arn ?? `arn:${partition(ctx.region)}:kms:${ctx.region}:${ctx.account}:${name}` };
      });
  } catch (e) {
    if (!(e instanceof NotInConfigHistory)) throw e;
  }
  const seen = new Set<string>();
  for (const ref of [...refs].sort()) {
    const region = ref.startsWith('arn:') ? ref.split(':')[3] ?? ctx.region : ctx.region;
    const alias = ref.startsWith('alias/') ? ref : /:alias\//.test(ref) ? ref.slice(ref.indexOf('alias/')) : undefined;
    const keyId = alias ? aliases?.find((a) => a.name === alias)?.target : ref.split('/').pop() ?? ref;
    const arn = ref.startsWith('arn:') && !alias ? ref : `arn:${partition(region)}:kms:${region}:${ctx.account}:key/${keyId ?? ref}`;
    if (seen.has(arn)) continue;
    seen.add(arn);
    if (region !== ctx.region) {
      yield errorRecord(ctx, 'kms.keys', 'AWS::KMS::Key', arn, asOf, 'NotRead', `the key lives in ${region}; a backfill reads the configuration history of the regions it is given only`);
      continue;
    }
    const item = keyId ? keys.get(keyId) : undefined;
    if (!item) {
      yield errorRecord(ctx, 'kms.keys', 'AWS::KMS::Key', arn, asOf, 'ResourceNotDiscovered',
        `AWS Config has no configuration item for key ${keyId ?? ref} in force at ${asOf.toISOString()}`);
      continue;
    }
    if (!RECORDED_STATUSES.has(item.status) || !item.configuration) {
      yield notRecorded(ctx, 'kms.keys', 'AWS::KMS::Key', arn, item, asOf);
      continue;
    }
    const { metadata, rotation } = normaliseKey(item);
    // As the live collector: only symmetric KMS-generated keys can rotate; others report null.
    const canRotate = metadata['Origin'] === 'AWS_KMS' && (metadata['KeySpec'] ?? metadata['CustomerMasterKeySpec']) === 'SYMMETRIC_DEFAULT';
    if (canRotate && typeof rotation !== 'boolean') {
      yield errorRecord(ctx, 'kms.keys', 'AWS::KMS::Key', arn, asOf, 'FieldNotRecorded', 'the configuration item has no supplementaryConfiguration.KeyRotationStatus', item);
      continue;
    }
    const mine = aliases === null ? null : aliases.filter((a) => a.target === item.resourceId || a.target === arn);
    const names = mine === null ? null : mine.map((a) => a.name).sort();
    // as the live collector: the key's own ARN, then its alias ARNs
    const keyArns = mine === null ? null : [item.arn ?? arn, ...mine.map((a) => a.arn).sort()];
    yield {
      ...recordOf(ctx, 'kms.keys', 'AWS::KMS::Key', item.arn ?? arn, item, asOf, {
        KeyMetadata: metadata, KeyRotationEnabled: canRotate ? rotation : null, Aliases: names, KeyArns: keyArns,
      }),
      // Config keeps whether rotation is on, not how often or when next: a control reading
      // those is in doubt for this key, the others are not
      error: {
        operation: `config:${OPERATION}`, code: 'FieldNotRecorded',
        message: "AWS Config's configuration history does not keep a key's rotation period or next rotation date"
          + (mine === null ? ', and AWS::KMS::Alias was not recorded, so its aliases are unknown' : ''),
        fields: [...KEY_FIELDS_NOT_KEPT, ...(mine === null ? ['Aliases', 'KeyArns'] : [])],
      },
    };
  }
}

/**
 * config.recorders at asOf: Config's history keeps whether each recorder was on, but not its
 * delivery status (lastStatus), which the live record carries and controls assert on. The
 * records say so: each recorder is an error record, never a guess.
 */
export async function* configRecorders(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const { asOf } = store(ctx);
  for (const { item } of await itemsAt(ctx, 'AWS::Config::ConfigurationRecorder')) {
    const arn = item.arn ?? `arn:${partition(ctx.region)}:config:${ctx.region}:${ctx.account}:configuration-recorder/${item.resourceName ?? item.resourceId}`;
    yield errorRecord(ctx, 'config.recorders', 'AWS::Config::ConfigurationRecorder', arn, asOf, 'FieldNotRecorded',
      `the configuration history keeps whether recorder ${item.resourceName ?? item.resourceId} was recording (${String(prop(item, 'configuration.Recording'))}) but not its last delivery status (lastStatus)`, item);
  }
}
