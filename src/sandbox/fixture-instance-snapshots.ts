// Fixture DB instance snapshots (stand-alone RDS instances; Aurora keeps cluster snapshots only),
// as DescribeDBSnapshots returns them, with their `restore` attribute (DescribeDBSnapshotAttributes).
import type { Cursor } from './reader.js';
import { engineVersion, resourceToken, vpcId } from './defaults.js';
import type { Region, SnapshotAttribute, WireObject } from './model.js';
import { arn, DAY, tags, type Ctx } from './fixture-context.js';
import { storageKey } from './fixture-kms.js';

/** `rds:<instance>-YYYY-MM-DD-HH-MM`, as RDS names automated snapshots. */
function automatedId(instance: string, at: Date): string {
  const iso = at.toISOString();
  return `rds:${instance}-${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}`;
}

export function readInstanceSnapshot(c: Cursor, ctx: Ctx, region: Region): void {
  c.keys(['id', 'instance', 'type', 'created', 'shared_with', 'public', 'key', 'encrypted', 'engine', 'engine_version', 'tags', 'status', 'source_region']);
  const instanceId = c.str('instance');
  const instance = region.instances.find((x) => x.DBInstanceIdentifier === instanceId);
  if (instance?.DBClusterIdentifier) c.fail(`instance "${instanceId}" is a member of cluster ${instance.DBClusterIdentifier}: Aurora instances have no DB snapshots (use "snapshots")`, [...c.path, 'instance']);
  if (!instance && !c.has('engine')) c.fail(`unknown instance "${instanceId}" in ${ctx.region} (give "engine" for a snapshot of a deleted or remote instance)`, [...c.path, 'instance']);
  const type = c.oneOf('type', ['manual', 'automated', 'awsbackup'] as const, 'manual');
  const created = c.date('created', '1 day ago');
  const id = type === 'automated' && !c.has('id') ? automatedId(instanceId, created)
    : type === 'awsbackup' && !c.has('id') ? `awsbackup:job-${resourceToken(8, ctx.account, ctx.region, instanceId, created.toISOString()).toLowerCase()}` : c.str('id');
  const list = (region.instanceSnapshots ??= []);
  if (list.some((s) => s['DBSnapshotIdentifier'] === id)) c.fail(`instance snapshot ${id} appears twice in ${ctx.region}`);
  const engine = instance ? instance.Engine : c.str('engine');
  const storage = storageKey(c, ctx, instance ? { encrypted: instance['StorageEncrypted'] === true, key: instance['KmsKeyId'] as string | undefined } : undefined);
  const shared = c.strings('shared_with');
  if (type !== 'manual' && (shared.length > 0 || c.has('public'))) c.fail(`${type} snapshots cannot be shared (copy them to a manual snapshot)`);
  for (const [i, a] of shared.entries()) if (!/^\d{12}$/.test(a) && a !== 'all') c.fail(`"${a}" is not a 12-digit account id (or "all")`, [...c.path, 'shared_with', i]);
  if (c.bool('public', false)) shared.push('all');
  const sourceRegion = c.optStr('source_region');
  const snap: WireObject = {
    DBSnapshotIdentifier: id,
    DBInstanceIdentifier: instanceId,
    SnapshotCreateTime: created,
    Engine: engine,
    AllocatedStorage: 100,
    Status: c.str('status', 'available'),
    Port: engine.startsWith('postgres') ? 5432 : 3306,
    AvailabilityZone: `${ctx.region}a`,
    VpcId: vpcId(ctx.account, ctx.region),
    InstanceCreateTime: instance ? instance['InstanceCreateTime'] : new Date(created.getTime() - 365 * DAY),
    MasterUsername: engine.startsWith('postgres') ? 'postgres' : 'admin',
    EngineVersion: instance ? String(instance['EngineVersion']) : engineVersion(engine, c.optStr('engine_version')),
    LicenseModel: engine.startsWith('postgres') ? 'postgresql-license' : 'general-public-license',
    SnapshotType: type,
    OptionGroupName: `default:${engine}`,
    PercentProgress: 100,
    ...(sourceRegion ? { SourceRegion: sourceRegion, SourceDBSnapshotIdentifier: arn({ ...ctx, region: sourceRegion }, 'rds', `snapshot:${id}`) } : {}),
    StorageType: 'gp3',
    Encrypted: storage.encrypted,
    KmsKeyId: storage.key,
    DBSnapshotArn: arn(ctx, 'rds', `snapshot:${id}`),
    IAMDatabaseAuthenticationEnabled: false,
    DbiResourceId: instance ? instance['DbiResourceId'] : `db-${resourceToken(26, ctx.account, ctx.region, 'instance', instanceId)}`,
    TagList: tags(c),
    SnapshotTarget: 'region',
  };
  list.push(snap);
  const attrs: SnapshotAttribute[] = [{ AttributeName: 'restore', AttributeValues: shared }];
  (region.instanceSnapshotAttributes ??= {})[id] = attrs;
}
