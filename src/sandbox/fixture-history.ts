// Fixture AWS Config history: every resource the recorder records gets a ResourceDiscovered item
// (when it was created, or when recording began), in today's state; the optional `history`
// section of a region adds changes over time, deletions, resources that no longer exist and
// items Config did not record. Fixture format: src/sandbox/README.md ("Configuration history").
import type { Cursor } from './reader.js';
import type { DBCluster, DBClusterSnapshot, DBInstance, Key, Region, WireObject } from './model.js';
import { type Ctx } from './fixture-context.js';
import {
  aliasItem, clusterItem, complianceItem, instanceItem, keyItem, recorderItem, snapshotItem, type RecorderFacts,
} from './history-items.js';
import { evidenceSources, type AccountExtras } from './history-evidence-sources.js';
import { ITEM_STATUSES, type HistoryRegion, type ItemBody, type ItemStatus, type StoredItem, type Timeline } from './history-model.js';

/** How one resource looks at some time: `set` overrides today's describe fields. */
type Build = (set: Record<string, unknown>) => ItemBody;

interface Source { type: string; name: string; created?: Date; build: Build }

function merge<T extends WireObject>(obj: T, set: Record<string, unknown>): T {
  return { ...obj, ...(set as WireObject) };
}

function sources(region: Region, recorders: RecorderFacts[], account: string, extras: AccountExtras): Source[] {
  const out: Source[] = evidenceSources(region, account, extras);
  for (const c of region.clusters) {
    out.push({ type: 'AWS::RDS::DBCluster', name: c.DBClusterIdentifier, created: c['ClusterCreateTime'] as Date,
      build: (set) => clusterItem(merge<DBCluster>(c, set)) });
  }
  for (const i of region.instances) {
    out.push({ type: 'AWS::RDS::DBInstance', name: i.DBInstanceIdentifier, created: i['InstanceCreateTime'] as Date,
      build: (set) => instanceItem(merge<DBInstance>(i, set)) });
  }
  for (const s of region.snapshots) {
    const attrs = s.SnapshotType === 'manual' ? region.snapshotAttributes[s.DBClusterSnapshotIdentifier] : undefined;
    out.push({ type: 'AWS::RDS::DBClusterSnapshot', name: s.DBClusterSnapshotIdentifier, created: s['SnapshotCreateTime'] as Date,
      build: (set) => {
        const { SharedWith, ...rest } = set;
        const shared = Array.isArray(SharedWith) ? [{ AttributeName: 'restore', AttributeValues: SharedWith.map(String) }] : attrs;
        return snapshotItem(merge<DBClusterSnapshot>(s, rest), shared);
      } });
  }
  for (const k of region.keys) {
    const names = [k.metadata.KeyId, ...region.aliases.filter((a) => a.TargetKeyId === k.metadata.KeyId).map((a) => a.AliasName.replace(/^alias\//, ''))];
    for (const name of names) {
      out.push({ type: 'AWS::KMS::Key', name, created: k.metadata['CreationDate'] as Date,
        build: (set) => {
          const { KeyRotationEnabled, ...meta } = set;
          const key: Key = { ...k, metadata: { ...k.metadata, ...(meta as WireObject) } };
          if (typeof KeyRotationEnabled === 'boolean') key.rotationEnabled = KeyRotationEnabled;
          return keyItem(key);
        } });
    }
  }
  for (const a of region.aliases) {
    out.push({ type: 'AWS::KMS::Alias', name: a.AliasName, created: a['CreationDate'] as Date, build: (set) => aliasItem({ ...a, ...(set as WireObject) }) });
  }
  for (const r of recorders) {
    out.push({ type: 'AWS::Config::ConfigurationRecorder', name: r.name, build: (set) => recorderItem({ ...r, ...set }) });
  }
  // One ResourceCompliance item per evaluated resource, listing every rule's verdict on it.
  const evaluated = new Map<string, { type: string; id: string; rules: Map<string, { name: string; arn: string; id: string; compliance: string }> }>();
  for (const rule of region.config.rules) {
    for (const e of rule.evaluations) {
      const q = (e['EvaluationResultIdentifier'] as WireObject)['EvaluationResultQualifier'] as WireObject;
      const key = `${String(q['ResourceType'])}/${String(q['ResourceId'])}`;
      let entry = evaluated.get(key);
      if (!entry) evaluated.set(key, entry = { type: String(q['ResourceType']), id: String(q['ResourceId']), rules: new Map() });
      const name = rule.rule.ConfigRuleName;
      entry.rules.set(name, { name, arn: String(rule.rule['ConfigRuleArn']), id: String(rule.rule['ConfigRuleId']), compliance: e.ComplianceType });
    }
  }
  for (const [key, e] of evaluated) {
    out.push({ type: 'AWS::Config::ResourceCompliance', name: key,
      build: (set) => complianceItem({
        targetType: e.type, targetId: e.id,
        arn: `arn:aws:config:${region.name}:${account}:resource-compliance/${key}`,
        // `set` maps rule names to the compliance they reported then
        rules: [...e.rules.values()].map((r) => ({ ...r, compliance: typeof set[r.name] === 'string' ? String(set[r.name]) : r.compliance })),
      }) });
  }
  return out;
}

function recorded(type: string, recorders: RecorderFacts[]): boolean {
  if (type === 'AWS::Config::ConfigurationRecorder') return recorders.length > 0;
  return recorders.some((r) => r.allSupported || r.resourceTypes.includes(type));
}

/** The history of one region; `ctx.now` anchors the relative dates. */
export function readHistory(c: Cursor | undefined, ctx: Ctx, region: Region, extras: AccountExtras = {}): HistoryRegion {
  c?.keys(['recording_since', 'timelines']);
  const since = c ? c.date('recording_since', '3 years ago') : new Date(ctx.now.getTime() - 3 * 365 * 86_400_000);
  const recorders: RecorderFacts[] = region.config.recorders.map((r) => {
    const group = (r['recordingGroup'] ?? {}) as WireObject;
    const status = region.config.statuses.find((s) => s.name === r.name);
    const arn = String(r['arn'] ?? '');
    return {
      arn, name: r.name, id: arn.split('/').pop() ?? r.name, roleARN: String(r['roleARN'] ?? ''),
      allSupported: group['allSupported'] === true, includeGlobal: group['includeGlobalResourceTypes'] === true,
      resourceTypes: Array.isArray(group['resourceTypes']) ? (group['resourceTypes'] as string[]) : [],
      recording: status?.['recording'] !== false,
    };
  });
  if (recorders.length === 0) return { timelines: [] };
  const all = sources(region, recorders, ctx.account, extras).map((s) => ({ ...s, today: s.build({}) }));
  const byRef = new Map(all.map((s) => [`${s.type}/${s.name}`, s]));
  const timelines = new Map<string, Timeline & { source: Source }>();
  const timelineOf = (s: Source, body: ItemBody): Timeline & { source: Source } => {
    const key = `${s.type}/${body.resourceId}`;
    let t = timelines.get(key);
    if (!t) timelines.set(key, t = { resourceType: s.type, resourceId: body.resourceId, resourceName: body.resourceName, arn: body.arn, items: [], source: s });
    return t;
  };
  const item = (at: Date, status: ItemStatus, body: ItemBody | undefined): StoredItem =>
    ({ captureTime: at, status, stateId: String(at.getTime()), ...(body && (status === 'OK' || status === 'ResourceDiscovered') ? { body } : {}) });

  // today's resources, discovered when created (or when recording began)
  for (const s of all) {
    if (!recorded(s.type, recorders)) continue;
    const body = s.today;
    const t = timelineOf(s, body);
    if (t.items.length > 0) continue; // a key named by id and by alias: one timeline
    const at = new Date(Math.max(since.getTime(), (s.created ?? since).getTime()));
    t.items.push(item(at, 'ResourceDiscovered', body));
  }
  for (const tc of c?.list('timelines') ?? []) readTimeline(tc);
  function readTimeline(tc: Cursor): void {
    tc.keys(['resource', 'like', 'items']);
    const ref = tc.str('resource');
    const slash = ref.indexOf('/');
    const type = slash > 0 ? ref.slice(0, slash) : '';
    const name = ref.slice(slash + 1);
    if (!type.includes('::') || !name) tc.fail(`"resource" must be TYPE/NAME (e.g. AWS::RDS::DBCluster/orders-prod), found "${ref}"`);
    let src: Source | undefined = byRef.get(ref);
    if (tc.has('like')) {
      // a resource no longer in the fixture: another one's state with the identifiers renamed
      const like = byRef.get(`${type}/${tc.str('like')}`);
      if (!like) return tc.fail(`"like": no ${type} named ${tc.str('like')} in ${ctx.region}`);
      if (src) return tc.fail(`${ref} exists today; "like" is for resources that no longer do`);
      const from = like.name;
      src = { type, name, build: (set) => JSON.parse(JSON.stringify(like.build(set)).replaceAll(from, name), reviveDates) as ItemBody };
    }
    if (!src) return tc.fail(`no ${type} named ${name} in ${ctx.region} (use "like" for a resource that no longer exists)`);
    if (!recorded(type, recorders)) tc.fail(`the region's recorder does not record ${type}`);
    const t = timelineOf(src, src.build({}));
    if (tc.has('like')) t.items = [];
    for (const ic of tc.list('items')) {
      ic.keys(['at', 'status', 'set']);
      const status = ic.oneOf('status', ITEM_STATUSES, 'OK');
      const set = ic.has('set') ? (ic.at('set').value as Record<string, unknown>) : {};
      t.items.push(item(ic.date('at'), status, src.build(set)));
    }
  }
  const out: Timeline[] = [];
  for (const { source: _s, ...t } of timelines.values()) {
    t.items.sort((a, b) => a.captureTime.getTime() - b.captureTime.getTime());
    const last = t.items.at(-1);
    if (last && (last.status === 'ResourceDeleted' || last.status === 'ResourceDeletedNotRecorded')) t.deletedAt = last.captureTime;
    if (t.items.length > 0) out.push(t);
  }
  return { timelines: out };
}

function reviveDates(_k: string, v: unknown): unknown {
  return typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v) ? new Date(v) : v;
}

/**
 * A region without a `history` section gets its baseline history on first use: a large
 * generated account (benchmarks) should not pay for timelines no call asks for.
 */
export function lazyHistory(region: Region, ctx: Ctx, extras: () => AccountExtras = () => ({})): void {
  Object.defineProperty(region, 'history', {
    configurable: true, enumerable: true,
    get(): HistoryRegion {
      const value = readHistory(undefined, ctx, region, extras());
      Object.defineProperty(region, 'history', { value, configurable: true, enumerable: true, writable: true });
      return value;
    },
  });
}
