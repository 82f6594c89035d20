// Fixture RDS resources: clusters and their members, snapshots and their sharing, automated
// backups, parameter groups, each as the Describe* calls return it.
import type { Cursor } from './reader.js';
import {
  automatedSnapshotId, ENGINES, engineVersion, MULTI_AZ_DB_CLUSTER_ENGINES, familyOf, hostSuffix, parameterList, resourceToken, vpcId,
} from './defaults.js';
import type { DBCluster, DBClusterAutomatedBackup, DBClusterSnapshot, DBInstance, Parameter, ParameterGroup, Region, SnapshotAttribute } from './model.js';
import { arn, az, DAY, tags, type Ctx } from './fixture-context.js';
import { storageKey } from './fixture-kms.js';

function engineOf(c: Cursor): string {
  const engine = c.str('engine');
  if (!ENGINES[engine]) c.fail(`unsupported engine "${engine}" (supported: ${Object.keys(ENGINES).join(', ')})`, [...c.path, 'engine']);
  return engine;
}

export function readParameterGroup(c: Cursor, ctx: Ctx, region: Region): ParameterGroup {
  c.keys(['name', 'family', 'engine', 'engine_version', 'description', 'parameters', 'tags', 'vanishes']);
  const name = c.str('name');
  if (c.bool('vanishes', false)) (region.vanishing ??= []).push(name);
  let family = c.optStr('family');
  if (!family) {
    if (!c.has('engine')) c.fail('a parameter group needs a "family" (e.g. aurora-postgresql15) or an "engine"');
    const engine = engineOf(c);
    family = familyOf(engine, engineVersion(engine, c.optStr('engine_version')));
  }
  if (region.parameterGroups.some((p) => p.group.DBClusterParameterGroupName === name)) c.fail(`parameter group ${name} appears twice in ${ctx.region}`);
  return {
    group: { DBClusterParameterGroupName: name, DBParameterGroupFamily: family, Description: c.str('description', `${name} cluster parameters`),
      DBClusterParameterGroupArn: arn(ctx, 'rds', `cluster-pg:${name}`) },
    parameters: parameterList(family, c.scalarMap('parameters')) as Parameter[],
  };
}

/**
 * `engine_defaults: { FAMILY: { PARAMETER: value | null } }`: what DescribeEngineDefaultClusterParameters
 * answers beyond the built-in catalog; null is a row without a ParameterValue.
 */
export function readEngineDefaults(c: Cursor): Record<string, Record<string, string | null>> {
  const out: Record<string, Record<string, string | null>> = {};
  for (const [family, fc] of c.entries('engine_defaults')) {
    const values: Record<string, string | null> = {};
    if (fc.value === null || typeof fc.value !== 'object' || Array.isArray(fc.value)) fc.fail(`"${family}" must map parameter names to values`);
    for (const [name, v] of Object.entries(fc.value as Record<string, unknown>)) {
      if (v !== null && typeof v !== 'string' && typeof v !== 'number') fc.fail(`"${name}" must be a string or null`, [...fc.path, name]);
      values[name] = v === null ? null : String(v);
    }
    out[family] = values;
  }
  return out;
}

export function addDefaultParameterGroups(ctx: Ctx, region: Region): void {
  const families = new Set(region.clusters.map((cl) => familyOf(cl.Engine, cl.EngineVersion)));
  for (const pg of region.parameterGroups) families.add(String(pg.group['DBParameterGroupFamily']));
  for (const family of [...families].sort()) {
    const name = `default.${family}`;
    if (region.parameterGroups.some((p) => p.group.DBClusterParameterGroupName === name)) continue;
    region.parameterGroups.push({
      group: { DBClusterParameterGroupName: name, DBParameterGroupFamily: family, Description: `Default cluster parameter group for ${family}`,
        DBClusterParameterGroupArn: arn(ctx, 'rds', `cluster-pg:${name}`) },
      parameters: parameterList(family, {}) as Parameter[],
    });
  }
}

export function readCluster(c: Cursor, ctx: Ctx, region: Region, backupOff: Set<string>): void {
  c.keys(['id', 'engine', 'engine_version', 'key', 'encrypted', 'azs', 'members', 'parameter_group', 'backup_retention',
    'deletion_protection', 'log_exports', 'tags', 'created', 'status', 'iam_auth', 'automated_backup', 'backup_window', 'instance_class', 'auto_minor_version_upgrade',
    'serverless_v2', 'global_cluster', 'global_role', 'storage']);
  const id = c.str('id');
  if (region.clusters.some((x) => x.DBClusterIdentifier === id)) c.fail(`cluster ${id} appears twice in ${ctx.region}`);
  const engine = engineOf(c);
  const version = engineVersion(engine, c.optStr('engine_version'));
  const info = ENGINES[engine]!;
  const family = familyOf(engine, version);
  const pgName = c.str('parameter_group', `default.${family}`);
  if (!pgName.startsWith('default.') && !region.parameterGroups.some((p) => p.group.DBClusterParameterGroupName === pgName)) {
    c.fail(`unknown parameter group "${pgName}" (define it under parameter_groups)`, [...c.path, 'parameter_group']);
  }
  const storage = storageKey(c, ctx);
  const created = c.date('created', '2 years ago');
  const retention = c.num('backup_retention', 7, 0, 35);
  if (!c.bool('automated_backup', true)) backupOff.add(id);
  const resourceId = `cluster-${resourceToken(26, ctx.account, ctx.region, 'cluster', id)}`;
  const host = `${id}.cluster-${hostSuffix(ctx.account, ctx.region)}.${ctx.region}.rds.amazonaws.com`;
  const azs = (c.has('azs') ? c.strings('azs') : ['a', 'b', 'c']).map((x) => az(ctx, x));
  const cluster: DBCluster = {
    AllocatedStorage: 1,
    AvailabilityZones: azs,
    BackupRetentionPeriod: retention,
    DBClusterIdentifier: id,
    DBClusterParameterGroup: pgName,
    DBSubnetGroup: 'default',
    Status: c.str('status', 'available'),
    EarliestRestorableTime: new Date(Math.max(created.getTime(), ctx.now.getTime() - retention * DAY)),
    Endpoint: host,
    ReaderEndpoint: host.replace('.cluster-', '.cluster-ro-'),
    MultiAZ: false,
    Engine: engine,
    EngineVersion: version,
    LatestRestorableTime: new Date(ctx.now.getTime() - 5 * 60_000),
    Port: info.port,
    MasterUsername: engine === 'aurora-postgresql' ? 'postgres' : 'admin',
    PreferredBackupWindow: c.str('backup_window', '03:00-03:30'),
    PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
    DBClusterMembers: [],
    VpcSecurityGroups: [{ VpcSecurityGroupId: `sg-${resourceToken(17, ctx.account, ctx.region, id).toLowerCase()}`, Status: 'active' }],
    HostedZoneId: 'Z2R2ITUGPM61AM',
    StorageEncrypted: storage.encrypted,
    KmsKeyId: storage.key,
    DbClusterResourceId: resourceId,
    DBClusterArn: arn(ctx, 'rds', `cluster:${id}`),
    IAMDatabaseAuthenticationEnabled: c.bool('iam_auth', false),
    ClusterCreateTime: created,
    EnabledCloudwatchLogsExports: c.strings('log_exports'),
    EngineMode: 'provisioned',
    DeletionProtection: c.bool('deletion_protection', false),
    HttpEndpointEnabled: false,
    CopyTagsToSnapshot: true,
    CrossAccountClone: false,
    TagList: tags(c),
    AutoMinorVersionUpgrade: c.bool('auto_minor_version_upgrade', true),
    NetworkType: 'IPV4',
    StorageType: 'aurora',
  };
  for (const x of cluster.EnabledCloudwatchLogsExports as string[]) {
    if (!info.logExports.includes(x)) c.fail(`log export "${x}" is not one ${engine} has (${info.logExports.join(', ')})`, [...c.path, 'log_exports']);
  }
  cluster.MasterUsername = masterUser(engine);
  let instanceClass = c.str('instance_class', 'db.r6g.large');
  if (MULTI_AZ_DB_CLUSTER_ENGINES.has(engine)) {
    // an RDS Multi-AZ DB cluster: provisioned io1 storage, a cluster instance class, one writer and two readers
    Object.assign(cluster, { StorageType: 'io1', AllocatedStorage: 100, Iops: 1000, DBClusterInstanceClass: instanceClass === 'db.r6g.large' ? 'db.m6gd.large' : instanceClass, MultiAZ: true });
    instanceClass = String(cluster['DBClusterInstanceClass']);
  }
  if (engine === 'neptune' || engine === 'docdb') cluster.StorageType = 'standard';
  if (engine === 'aurora-mysql' || engine === 'aurora-postgresql') {
    // AWS returns no StorageType for Aurora Standard ("The storage type isn't returned when you
    // set it to aurora", CreateDBCluster), only aurora-iopt1 for I/O-Optimized
    const kind = c.str('storage', 'aurora');
    if (kind !== 'aurora' && kind !== 'aurora-iopt1') c.fail(`storage "${kind}" is not an Aurora storage type (aurora, aurora-iopt1)`, [...c.path, 'storage']);
    if (kind === 'aurora') delete cluster.StorageType;
    else cluster.StorageType = kind;
  }
  if (c.has('serverless_v2')) {
    const sv = c.at('serverless_v2').keys(['min', 'max']);
    // Aurora capacity units, in steps of 0.5
    const acu = (k: string, dflt: number): number => {
      const v = (sv.value as Record<string, unknown> | null)?.[k] ?? dflt;
      if (typeof v !== 'number' || v < 0 || v > 256 || Math.round(v * 2) !== v * 2) sv.fail(`"${k}" must be Aurora capacity units from 0 to 256 in steps of 0.5`, [...sv.path, k]);
      return v as number;
    };
    cluster['ServerlessV2ScalingConfiguration'] = { MinCapacity: acu('min', 0.5), MaxCapacity: acu('max', 16) };
    instanceClass = 'db.serverless';
  }
  // a global database member: a secondary region's cluster has readers only (or no instance at all)
  const secondary = c.has('global_cluster') && c.oneOf('global_role', ['primary', 'secondary'] as const, 'primary') === 'secondary';
  if (c.has('global_cluster')) cluster['GlobalClusterIdentifier'] = c.str('global_cluster');
  region.clusters.push(cluster);
  const members = c.list('members');
  const anyWriter = members.some((m) => m.has('writer') && m.bool('writer', false));
  if (secondary && anyWriter) c.fail('a global database secondary has no writer', [...c.path, 'members']);
  members.forEach((mc, i) => readInstance(mc, ctx, region, { cluster, writer: !secondary && !anyWriter && i === 0, instanceClass }, i));
}

/** Neptune clusters have no master user: AWS leaves the field out. */
function masterUser(engine: string): string | undefined {
  return engine === 'aurora-postgresql' || engine === 'postgres' ? 'postgres' : engine === 'docdb' ? 'docdbadmin' : engine === 'neptune' ? undefined : 'admin';
}

export function readInstance(c: Cursor, ctx: Ctx, region: Region, inline: { cluster: DBCluster; writer: boolean; instanceClass: string } | undefined, index: number): void {
  c.keys(inline ? ['id', 'az', 'writer', 'class', 'promotion_tier', 'created', 'tags', 'auto_minor_version_upgrade', 'vanishes']
    : ['id', 'cluster', 'engine', 'engine_version', 'az', 'writer', 'class', 'promotion_tier', 'created', 'tags', 'key', 'encrypted', 'auto_minor_version_upgrade']);
  let cluster = inline?.cluster;
  if (!inline && c.has('cluster')) {
    const name = c.str('cluster');
    cluster = region.clusters.find((x) => x.DBClusterIdentifier === name);
    if (!cluster) c.fail(`unknown cluster "${name}" in ${ctx.region}`, [...c.path, 'cluster']);
  }
  // inline members may leave out their id; stand-alone instances must name themselves
  const id = cluster && !c.has('id') ? `${cluster.DBClusterIdentifier}-instance-${index + 1}` : c.str('id');
  if (region.instances.some((x) => x.DBInstanceIdentifier === id)) c.fail(`instance ${id} appears twice in ${ctx.region}`);
  // a member deleted between DescribeDBClusters and DescribeDBInstances: its cluster still lists it
  if (inline && c.bool('vanishes', false)) (region.vanishing ??= []).push(id);
  const engine = cluster ? cluster.Engine : engineOf(c);
  const storage = cluster ? { encrypted: cluster.StorageEncrypted, key: cluster.KmsKeyId } : storageKey(c, ctx);
  const zone = az(ctx, c.str('az', 'a'));
  const writer = c.bool('writer', inline?.writer ?? false);
  const tier = c.num('promotion_tier', 1, 0, 15);
  const host = `${id}.${hostSuffix(ctx.account, ctx.region)}.${ctx.region}.rds.amazonaws.com`;
  const inst: DBInstance = {
    DBInstanceIdentifier: id,
    DBInstanceClass: c.str('class', inline?.instanceClass ?? 'db.r6g.large'),
    Engine: engine,
    DBInstanceStatus: 'available',
    MasterUsername: masterUser(engine),
    Endpoint: { Address: host, Port: ENGINES[engine]?.port ?? 5432, HostedZoneId: 'Z2R2ITUGPM61AM' },
    AllocatedStorage: 1,
    InstanceCreateTime: c.date('created', cluster ? (cluster['ClusterCreateTime'] as Date).toISOString() : '1 year ago'),
    PreferredBackupWindow: cluster ? String(cluster['PreferredBackupWindow']) : '03:00-03:30',
    BackupRetentionPeriod: cluster ? cluster.BackupRetentionPeriod : 7,
    AvailabilityZone: zone,
    PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
    MultiAZ: false,
    EngineVersion: cluster ? cluster.EngineVersion : engineVersion(engine, c.optStr('engine_version')),
    AutoMinorVersionUpgrade: c.bool('auto_minor_version_upgrade', true),
    LicenseModel: engine === 'aurora-postgresql' ? 'postgresql-license' : 'general-public-license',
    PubliclyAccessible: false,
    StorageType: 'aurora',
    DbInstancePort: 0,
    DBClusterIdentifier: cluster?.DBClusterIdentifier,
    StorageEncrypted: storage.encrypted,
    KmsKeyId: storage.key,
    DbiResourceId: `db-${resourceToken(26, ctx.account, ctx.region, 'instance', id)}`,
    CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    CopyTagsToSnapshot: false,
    MonitoringInterval: 0,
    PromotionTier: tier,
    DBInstanceArn: arn(ctx, 'rds', `db:${id}`),
    IAMDatabaseAuthenticationEnabled: false,
    PerformanceInsightsEnabled: false,
    DeletionProtection: false,
    TagList: tags(c),
    NetworkType: 'IPV4',
  };
  region.instances.push(inst);
  if (cluster) {
    cluster.DBClusterMembers.push({ DBInstanceIdentifier: id, IsClusterWriter: writer, DBClusterParameterGroupStatus: 'in-sync', PromotionTier: tier });
  }
}

export function readSnapshot(c: Cursor, ctx: Ctx, region: Region): void {
  c.keys(['id', 'cluster', 'type', 'created', 'shared_with', 'public', 'key', 'encrypted', 'engine', 'engine_version', 'tags', 'status', 'vanishes']);
  const clusterId = c.str('cluster');
  const cluster = region.clusters.find((x) => x.DBClusterIdentifier === clusterId);
  if (!cluster && !c.has('engine')) c.fail(`unknown cluster "${clusterId}" in ${ctx.region} (give "engine" for a snapshot of a deleted cluster)`, [...c.path, 'cluster']);
  const type = c.oneOf('type', ['manual', 'automated'] as const, 'manual');
  const created = c.date('created', '1 day ago');
  const id = type === 'automated' && !c.has('id') ? automatedSnapshotId(clusterId, created) : c.str('id');
  if (region.snapshots.some((s) => s.DBClusterSnapshotIdentifier === id)) c.fail(`snapshot ${id} appears twice in ${ctx.region}`);
  const engine = cluster ? cluster.Engine : engineOf(c);
  const storage = storageKey(c, ctx, cluster ? { encrypted: cluster.StorageEncrypted, key: cluster.KmsKeyId } : undefined);
  const shared = c.strings('shared_with');
  if (type === 'automated' && (shared.length > 0 || c.has('public'))) c.fail('automated snapshots cannot be shared (copy them to a manual snapshot)');
  for (const [i, a] of shared.entries()) if (!/^\d{12}$/.test(a) && a !== 'all') c.fail(`"${a}" is not a 12-digit account id (or "all")`, [...c.path, 'shared_with', i]);
  if (c.bool('public', false)) shared.push('all');
  const snap: DBClusterSnapshot = {
    AvailabilityZones: cluster ? cluster['AvailabilityZones'] : [`${ctx.region}a`, `${ctx.region}b`, `${ctx.region}c`],
    DBClusterSnapshotIdentifier: id,
    DBClusterIdentifier: clusterId,
    SnapshotCreateTime: created,
    Engine: engine,
    EngineMode: 'provisioned',
    AllocatedStorage: 0,
    Status: c.str('status', 'available'),
    Port: 0,
    VpcId: vpcId(ctx.account, ctx.region),
    ClusterCreateTime: cluster ? cluster['ClusterCreateTime'] : new Date(created.getTime() - 365 * DAY),
    MasterUsername: engine === 'aurora-postgresql' ? 'postgres' : 'admin',
    EngineVersion: cluster ? cluster.EngineVersion : engineVersion(engine, c.optStr('engine_version')),
    LicenseModel: engine === 'aurora-postgresql' ? 'postgresql-license' : 'aurora-mysql',
    SnapshotType: type,
    PercentProgress: 100,
    StorageEncrypted: storage.encrypted,
    KmsKeyId: storage.key,
    DBClusterSnapshotArn: arn(ctx, 'rds', `cluster-snapshot:${id}`),
    IAMDatabaseAuthenticationEnabled: false,
    TagList: tags(c),
    StorageType: 'aurora',
    DbClusterResourceId: cluster ? cluster.DbClusterResourceId : `cluster-${resourceToken(26, ctx.account, ctx.region, 'cluster', clusterId)}`,
  };
  region.snapshots.push(snap);
  const attrs: SnapshotAttribute[] = [{ AttributeName: 'restore', AttributeValues: shared }];
  region.snapshotAttributes[id] = attrs;
  if (c.bool('vanishes', false)) (region.vanishing ??= []).push(id);
}

export function backupFor(ctx: Ctx, src: { id: string; engine: string; version: string; encrypted: boolean; key?: string; resourceId: string; azs: unknown; created: Date } | DBCluster,
  status: string, retention: number, earliest: Date, latest: Date): DBClusterAutomatedBackup {
  const s = 'DBClusterIdentifier' in src
    ? { id: src.DBClusterIdentifier, engine: src.Engine, version: src.EngineVersion, encrypted: src.StorageEncrypted, key: src.KmsKeyId,
        resourceId: src.DbClusterResourceId, azs: src['AvailabilityZones'], created: src['ClusterCreateTime'] as Date }
    : src;
  return {
    Engine: s.engine,
    VpcId: vpcId(ctx.account, ctx.region),
    DBClusterAutomatedBackupsArn: arn(ctx, 'rds', `cluster-auto-backup:${s.resourceId.toLowerCase().replace(/^cluster-/, 'cluster-backup-')}`),
    DBClusterIdentifier: s.id,
    RestoreWindow: { EarliestTime: earliest, LatestTime: latest },
    MasterUsername: s.engine === 'aurora-postgresql' ? 'postgres' : 'admin',
    DbClusterResourceId: s.resourceId,
    Region: ctx.region,
    LicenseModel: s.engine === 'aurora-postgresql' ? 'postgresql-license' : 'aurora-mysql',
    Status: status,
    IAMDatabaseAuthenticationEnabled: false,
    ClusterCreateTime: s.created,
    StorageEncrypted: s.encrypted,
    AllocatedStorage: 0,
    EngineVersion: s.version,
    DBClusterArn: arn(ctx, 'rds', `cluster:${s.id}`),
    BackupRetentionPeriod: retention,
    EngineMode: 'provisioned',
    AvailabilityZones: s.azs as string[],
    Port: ENGINES[s.engine]?.port ?? 0,
    KmsKeyId: s.key,
    StorageType: 'aurora',
  };
}

export function readBackup(c: Cursor, ctx: Ctx, region: Region): DBClusterAutomatedBackup {
  c.keys(['cluster', 'status', 'retention', 'earliest', 'latest', 'key', 'encrypted', 'engine', 'engine_version', 'created']);
  const id = c.str('cluster');
  const cluster = region.clusters.find((x) => x.DBClusterIdentifier === id);
  if (!cluster && !c.has('engine')) c.fail(`unknown cluster "${id}" in ${ctx.region} (give "engine" for a backup of a deleted cluster)`, [...c.path, 'cluster']);
  const status = c.oneOf('status', ['active', 'retained', 'creating'] as const, cluster ? 'active' : 'retained');
  const retention = c.num('retention', cluster?.BackupRetentionPeriod ?? 7, 1, 35);
  const earliest = c.date('earliest', `${retention} days ago`);
  const latest = c.date('latest', status === 'active' ? '5 minutes ago' : new Date(Math.min(ctx.now.getTime(), earliest.getTime() + retention * DAY)).toISOString());
  if (latest < earliest) c.fail('"latest" is before "earliest"', [...c.path, 'latest']);
  if (cluster) return backupFor(ctx, { ...fromCluster(cluster), ...storageKey(c, ctx, { encrypted: cluster.StorageEncrypted, key: cluster.KmsKeyId }) }, status, retention, earliest, latest);
  const engine = engineOf(c);
  return backupFor(ctx, {
    id, engine, version: engineVersion(engine, c.optStr('engine_version')), ...storageKey(c, ctx),
    resourceId: `cluster-${resourceToken(26, ctx.account, ctx.region, 'cluster', id)}`,
    azs: [`${ctx.region}a`, `${ctx.region}b`, `${ctx.region}c`], created: c.date('created', new Date(earliest.getTime() - 365 * DAY).toISOString()),
  }, status, retention, earliest, latest);
}

function fromCluster(cl: DBCluster) {
  return { id: cl.DBClusterIdentifier, engine: cl.Engine, version: cl.EngineVersion, resourceId: cl.DbClusterResourceId,
    azs: cl['AvailabilityZones'], created: cl['ClusterCreateTime'] as Date };
}
