// Fixture files: YAML -> checked -> the resolved model (model.ts) with every AWS field derived.
// Short to write (defaults for ARNs, ids, versions, endpoints), dates relative to `now`.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { FixtureError } from './errors.js';
import { Cursor, plainLocator, yamlLocator, type Locator } from './reader.js';
import {
  automatedSnapshotId, configRuleId, ENGINES, engineVersion, familyOf, hostSuffix, keyId,
  parameterList, resourceToken, vpcId,
} from './defaults.js';
import type {
  Account, Alias, ConfigRegion, DBCluster, DBClusterAutomatedBackup, DBClusterSnapshot, DBInstance,
  Fixture, Key, Parameter, ParameterGroup, Region, SnapshotAttribute, Tag, WireObject,
} from './model.js';

const DAY = 86_400_000;

/** Reads and resolves a fixture file; problems throw FixtureError "FILE:LINE:COL: problem". */
export function loadFixture(file: string, now: Date = new Date()): Fixture {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FixtureError(`${file}: cannot read fixture: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseFixture(text, file, now);
}

export function parseFixture(text: string, file: string, now: Date = new Date()): Fixture {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = lc.linePos(first.pos[0]);
    throw new FixtureError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  return buildFixture(doc.toJS({ maxAliasCount: 1000 }) as unknown, yamlLocator(file, doc, lc), now);
}

/** Resolves a fixture given as a plain object (as parsed YAML would be); used by generateAccount. */
export function fixtureFromObject(raw: unknown, now: Date = new Date(), name = '(generated)'): Fixture {
  return buildFixture(raw, plainLocator(name), now);
}

function buildFixture(raw: unknown, loc: Locator, now: Date): Fixture {
  const root = new Cursor(raw, [], loc, now).keys(['accounts']);
  const accounts = root.list('accounts').map(readAccount);
  if (accounts.length === 0) root.fail('a fixture needs at least one account under "accounts"');
  const ids = new Set<string>();
  accounts.forEach((a, i) => {
    if (ids.has(a.id)) root.fail(`account ${a.id} appears twice`, ['accounts', i, 'id']);
    ids.add(a.id);
  });
  return { accounts };
}

function readAccount(c: Cursor): Account {
  c.keys(['id', 'caller_arn', 'regions']);
  const id = c.str('id');
  if (!/^\d{12}$/.test(id)) c.fail(`account "id" must be 12 digits (quote it in YAML), found "${id}"`, [...c.path, 'id']);
  const callerArn = c.str('caller_arn', `arn:aws:sts::${id}:assumed-role/trustpack-sandbox/session`);
  const roleName = /assumed-role\/([^/]+)\/(.+)$/.exec(callerArn);
  const callerUserId = roleName ? `AROA${resourceToken(17, id, roleName[1] ?? '')}:${roleName[2]}` : `AIDA${resourceToken(17, id, callerArn)}`;
  const regions: Record<string, Region> = {};
  for (const [name, rc] of c.entries('regions')) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(name)) rc.fail(`"${name}" is not a region name like us-east-1`);
    regions[name] = readRegion(rc, id, name);
  }
  return { id, callerArn, callerUserId, regions };
}

interface Ctx { account: string; region: string; now: Date; keys: Key[]; aliases: Alias[] }

function arn(ctx: Ctx, service: string, rest: string): string {
  return `arn:aws:${service}:${ctx.region}:${ctx.account}:${rest}`;
}

function tags(c: Cursor): Tag[] {
  return Object.entries(c.scalarMap('tags')).map(([Key, Value]) => ({ Key, Value }));
}

function az(ctx: Ctx, written: string): string {
  return /^[a-z]$/.test(written) ? `${ctx.region}${written}` : written;
}

function readRegion(c: Cursor, account: string, name: string): Region {
  c.keys(['clusters', 'instances', 'snapshots', 'automated_backups', 'parameter_groups', 'keys', 'aliases', 'config']);
  const ctx: Ctx = { account, region: name, now: c.now, keys: [], aliases: [] };
  for (const kc of c.list('keys')) readKey(kc, ctx);
  for (const ac of c.list('aliases')) {
    ac.keys(['name', 'key']);
    const target = findKey(ctx, ac.str('key'), ac.at('key'));
    addAlias(ctx, ac.str('name'), target, ac.now);
  }
  const region: Region = {
    name, clusters: [], instances: [], snapshots: [], snapshotAttributes: {}, automatedBackups: [],
    parameterGroups: [], keys: ctx.keys, aliases: ctx.aliases, config: { recorders: [], statuses: [], rules: [] },
  };
  for (const pc of c.list('parameter_groups')) region.parameterGroups.push(readParameterGroup(pc, ctx, region));
  const backupOff = new Set<string>();
  for (const cc of c.list('clusters')) readCluster(cc, ctx, region, backupOff);
  for (const ic of c.list('instances')) readInstance(ic, ctx, region, undefined, region.instances.length);
  // MultiAZ: members in more than one AZ, once stand-alone instances have joined their clusters
  for (const cl of region.clusters) {
    cl['MultiAZ'] = new Set(region.instances.filter((x) => x.DBClusterIdentifier === cl.DBClusterIdentifier).map((x) => x['AvailabilityZone'])).size > 1;
  }
  for (const sc of c.list('snapshots')) readSnapshot(sc, ctx, region);
  const explicit = new Set<string>();
  for (const bc of c.list('automated_backups')) {
    const b = readBackup(bc, ctx, region);
    explicit.add(b.DBClusterIdentifier);
    region.automatedBackups.push(b);
  }
  // AWS keeps automated backups of every live cluster: derive them unless listed or switched off
  for (const cl of region.clusters) {
    if (explicit.has(cl.DBClusterIdentifier) || backupOff.has(cl.DBClusterIdentifier) || cl.BackupRetentionPeriod === 0) continue;
    region.automatedBackups.push(backupFor(ctx, cl, 'active', cl.BackupRetentionPeriod,
      new Date(ctx.now.getTime() - cl.BackupRetentionPeriod * DAY), new Date(ctx.now.getTime() - 5 * 60_000)));
  }
  addDefaultParameterGroups(ctx, region);
  if (c.has('config')) region.config = readConfig(c.at('config'), ctx);
  return region;
}

// ---- KMS ----

const AWS_MANAGED = /^aws\//;

function aliasName(written: string): string {
  return written.startsWith('alias/') ? written : `alias/${written}`;
}

function readKey(c: Cursor, ctx: Ctx): void {
  c.keys(['alias', 'aliases', 'id', 'manager', 'spec', 'usage', 'origin', 'rotation', 'rotation_period_days', 'state', 'created', 'description', 'multi_region']);
  const aliases = [...(c.has('alias') ? [c.str('alias')] : []), ...c.strings('aliases')].map(aliasName);
  if (aliases.length === 0 && !c.has('id')) c.fail('a key needs an "alias" (keys are referenced by alias) or an "id"');
  const first = aliases[0] ?? c.str('id');
  const manager = c.oneOf('manager', ['CUSTOMER', 'AWS'] as const, aliases.some((a) => AWS_MANAGED.test(a.slice(6))) ? 'AWS' : 'CUSTOMER');
  const origin = c.oneOf('origin', ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const, 'AWS_KMS');
  const spec = c.str('spec', 'SYMMETRIC_DEFAULT');
  const id = c.str('id', keyId(ctx.account, ctx.region, first));
  const state = c.oneOf('state', ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable'] as const, origin === 'EXTERNAL' ? 'Enabled' : 'Enabled');
  // AWS-managed keys rotate every year and cannot be changed; customer keys rotate only when enabled
  const rotation = manager === 'AWS' ? true : c.bool('rotation', false);
  const created = c.date('created', '400 days ago');
  const period = c.num('rotation_period_days', 365, 90, 2560);
  const key = makeKey(ctx, { id, manager, origin, spec, state, created, rotation, period,
    usage: c.str('usage', 'ENCRYPT_DECRYPT'), description: c.str('description', manager === 'AWS' ? `Default key that protects my ${first.slice(10)} resources when no other key is defined` : ''),
    multiRegion: c.bool('multi_region', false) });
  if (ctx.keys.some((k) => k.metadata.KeyId === id)) c.fail(`key id ${id} appears twice in ${ctx.region}`);
  ctx.keys.push(key);
  for (const a of aliases) {
    if (ctx.aliases.some((x) => x.AliasName === a)) c.fail(`alias ${a} appears twice in ${ctx.region}`);
    addAlias(ctx, a, key, created);
  }
}

interface KeyFacts { id: string; manager: string; origin: string; spec: string; state: string; created: Date; rotation: boolean; period: number; usage: string; description: string; multiRegion: boolean }

function makeKey(ctx: Ctx, f: KeyFacts): Key {
  const canRotate = f.origin === 'AWS_KMS' && f.spec === 'SYMMETRIC_DEFAULT';
  const metadata: Key['metadata'] = {
    AWSAccountId: ctx.account,
    KeyId: f.id,
    Arn: arn(ctx, 'kms', `key/${f.id}`),
    CreationDate: f.created,
    Enabled: f.state === 'Enabled',
    Description: f.description,
    KeyUsage: f.usage,
    KeyState: f.state,
    Origin: f.origin,
    KeyManager: f.manager,
    CustomerMasterKeySpec: f.spec,
    KeySpec: f.spec,
    EncryptionAlgorithms: f.spec === 'SYMMETRIC_DEFAULT' ? ['SYMMETRIC_DEFAULT'] : ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
    MultiRegion: f.multiRegion,
  };
  if (f.origin === 'EXTERNAL') metadata['ExpirationModel'] = 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  const key: Key = { metadata, rotationEnabled: canRotate && f.rotation };
  if (key.rotationEnabled) {
    key.rotationPeriodInDays = f.period;
    // the next rotation is the first anniversary of the period after now
    const periodMs = f.period * DAY;
    const elapsed = Math.max(0, ctx.now.getTime() - f.created.getTime());
    key.nextRotationDate = new Date(f.created.getTime() + (Math.floor(elapsed / periodMs) + 1) * periodMs);
  }
  return key;
}

function addAlias(ctx: Ctx, name: string, key: Key, created: Date): void {
  const a = aliasName(name);
  ctx.aliases.push({ AliasName: a, AliasArn: arn(ctx, 'kms', a), TargetKeyId: key.metadata.KeyId, CreationDate: created, LastUpdatedDate: created });
}

/** A key by alias (with or without alias/), id or ARN; aws/* aliases are created on first use, as AWS does. */
function findKey(ctx: Ctx, ref: string, at: Cursor): Key {
  const byAlias = ctx.aliases.find((a) => a.AliasName === aliasName(ref));
  const key = ctx.keys.find((k) => k.metadata.KeyId === (byAlias?.TargetKeyId ?? ref) || k.metadata.Arn === ref);
  if (key) return key;
  const name = aliasName(ref);
  if (AWS_MANAGED.test(name.slice(6))) {
    const made = makeKey(ctx, { id: keyId(ctx.account, ctx.region, name), manager: 'AWS', origin: 'AWS_KMS', spec: 'SYMMETRIC_DEFAULT',
      state: 'Enabled', created: new Date(ctx.now.getTime() - 1000 * DAY), rotation: true, period: 365, usage: 'ENCRYPT_DECRYPT',
      description: `Default key that protects my ${name.slice(10)} resources when no other key is defined`, multiRegion: false });
    ctx.keys.push(made);
    addAlias(ctx, name, made, made.metadata.CreationDate as Date);
    return made;
  }
  const known = ctx.aliases.map((a) => a.AliasName.slice(6)).join(', ') || 'none';
  at.fail(`unknown key "${ref}" in ${ctx.region} (keys are referenced by alias; defined: ${known})`);
}

/** The KMS key of an encrypted resource: `key` names it; none means the AWS-managed aws/rds key. */
function storageKey(c: Cursor, ctx: Ctx, inherited?: { encrypted: boolean; key?: string }): { encrypted: boolean; key?: string } {
  const encrypted = c.bool('encrypted', inherited?.encrypted ?? true);
  if (!encrypted) {
    if (c.has('key')) c.fail('"key" given for an unencrypted resource (encrypted: false)', [...c.path, 'key']);
    return { encrypted };
  }
  if (c.has('key')) return { encrypted, key: findKey(ctx, c.str('key'), c.at('key')).metadata.Arn };
  return { encrypted, key: inherited?.key ?? findKey(ctx, 'aws/rds', c).metadata.Arn };
}

// ---- RDS ----

function engineOf(c: Cursor): string {
  const engine = c.str('engine');
  if (!ENGINES[engine]) c.fail(`unsupported engine "${engine}" (supported: ${Object.keys(ENGINES).join(', ')})`, [...c.path, 'engine']);
  return engine;
}

function readParameterGroup(c: Cursor, ctx: Ctx, region: Region): ParameterGroup {
  c.keys(['name', 'family', 'engine', 'engine_version', 'description', 'parameters', 'tags']);
  const name = c.str('name');
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

function addDefaultParameterGroups(ctx: Ctx, region: Region): void {
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

function readCluster(c: Cursor, ctx: Ctx, region: Region, backupOff: Set<string>): void {
  c.keys(['id', 'engine', 'engine_version', 'key', 'encrypted', 'azs', 'members', 'parameter_group', 'backup_retention',
    'deletion_protection', 'log_exports', 'tags', 'created', 'status', 'iam_auth', 'automated_backup', 'backup_window', 'instance_class']);
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
    AutoMinorVersionUpgrade: true,
    NetworkType: 'IPV4',
    StorageType: 'aurora',
  };
  for (const x of cluster.EnabledCloudwatchLogsExports as string[]) {
    if (!info.logExports.includes(x)) c.fail(`log export "${x}" is not one ${engine} has (${info.logExports.join(', ')})`, [...c.path, 'log_exports']);
  }
  region.clusters.push(cluster);
  const members = c.list('members');
  const anyWriter = members.some((m) => m.has('writer') && m.bool('writer', false));
  members.forEach((mc, i) => readInstance(mc, ctx, region, { cluster, writer: !anyWriter && i === 0, instanceClass: c.str('instance_class', 'db.r6g.large') }, i));
}

function readInstance(c: Cursor, ctx: Ctx, region: Region, inline: { cluster: DBCluster; writer: boolean; instanceClass: string } | undefined, index: number): void {
  c.keys(inline ? ['id', 'az', 'writer', 'class', 'promotion_tier', 'created', 'tags']
    : ['id', 'cluster', 'engine', 'engine_version', 'az', 'writer', 'class', 'promotion_tier', 'created', 'tags', 'key', 'encrypted']);
  let cluster = inline?.cluster;
  if (!inline && c.has('cluster')) {
    const name = c.str('cluster');
    cluster = region.clusters.find((x) => x.DBClusterIdentifier === name);
    if (!cluster) c.fail(`unknown cluster "${name}" in ${ctx.region}`, [...c.path, 'cluster']);
  }
  const id = c.str('id', cluster ? `${cluster.DBClusterIdentifier}-instance-${index + 1}` : undefined as unknown as string);
  if (region.instances.some((x) => x.DBInstanceIdentifier === id)) c.fail(`instance ${id} appears twice in ${ctx.region}`);
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
    MasterUsername: engine === 'aurora-postgresql' ? 'postgres' : 'admin',
    Endpoint: { Address: host, Port: ENGINES[engine]?.port ?? 5432, HostedZoneId: 'Z2R2ITUGPM61AM' },
    AllocatedStorage: 1,
    InstanceCreateTime: c.date('created', cluster ? (cluster['ClusterCreateTime'] as Date).toISOString() : '1 year ago'),
    PreferredBackupWindow: cluster ? String(cluster['PreferredBackupWindow']) : '03:00-03:30',
    BackupRetentionPeriod: cluster ? cluster.BackupRetentionPeriod : 7,
    AvailabilityZone: zone,
    PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
    MultiAZ: false,
    EngineVersion: cluster ? cluster.EngineVersion : engineVersion(engine, c.optStr('engine_version')),
    AutoMinorVersionUpgrade: true,
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

function readSnapshot(c: Cursor, ctx: Ctx, region: Region): void {
  c.keys(['id', 'cluster', 'type', 'created', 'shared_with', 'public', 'key', 'encrypted', 'engine', 'engine_version', 'tags', 'status']);
  const clusterId = c.str('cluster');
  const cluster = region.clusters.find((x) => x.DBClusterIdentifier === clusterId);
  if (!cluster && !c.has('engine')) c.fail(`unknown cluster "${clusterId}" in ${ctx.region} (give "engine" for a snapshot of a deleted cluster)`, [...c.path, 'cluster']);
  const type = c.oneOf('type', ['manual', 'automated'] as const, 'manual');
  const created = c.date('created', '1 day ago');
  const id = c.str('id', type === 'automated' ? automatedSnapshotId(clusterId, created) : undefined as unknown as string);
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
}

function backupFor(ctx: Ctx, src: { id: string; engine: string; version: string; encrypted: boolean; key?: string; resourceId: string; azs: unknown; created: Date } | DBCluster,
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

function readBackup(c: Cursor, ctx: Ctx, region: Region): DBClusterAutomatedBackup {
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

// ---- Config ----

const COMPLIANCE = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA'] as const;

function readConfig(c: Cursor, ctx: Ctx): ConfigRegion {
  c.keys(['recorders', 'rules']);
  const out: ConfigRegion = { recorders: [], statuses: [], rules: [] };
  for (const rc of c.list('recorders')) {
    rc.keys(['name', 'recording', 'last_status', 'all_supported', 'include_global', 'resource_types', 'role', 'last_start', 'last_stop', 'last_status_change']);
    const name = rc.str('name', 'default');
    const recording = rc.bool('recording', true);
    const resourceTypes = rc.strings('resource_types');
    out.recorders.push({
      arn: arn(ctx, 'config', `configuration-recorder/${name}/${resourceToken(16, ctx.account, ctx.region, name).toLowerCase()}`),
      name,
      roleARN: rc.str('role', `arn:aws:iam::${ctx.account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`),
      recordingGroup: { allSupported: rc.bool('all_supported', resourceTypes.length === 0), includeGlobalResourceTypes: rc.bool('include_global', true), resourceTypes },
      recordingMode: { recordingFrequency: 'CONTINUOUS', recordingModeOverrides: [] },
      recordingScope: 'PAID',
    });
    const lastStart = rc.date('last_start', '90 days ago');
    out.statuses.push({
      arn: out.recorders[out.recorders.length - 1]!['arn'] as string,
      name,
      lastStartTime: lastStart,
      lastStopTime: recording ? undefined : rc.date('last_stop', '1 day ago'),
      recording,
      lastStatus: rc.oneOf('last_status', ['SUCCESS', 'FAILURE', 'PENDING'] as const, 'SUCCESS'),
      lastStatusChangeTime: rc.date('last_status_change', '10 minutes ago'),
    });
  }
  for (const rc of c.list('rules')) {
    rc.keys(['name', 'source_identifier', 'owner', 'description', 'input_parameters', 'resource_types', 'state', 'frequency', 'evaluations']);
    const name = rc.str('name');
    if (out.rules.some((r) => r.rule.ConfigRuleName === name)) rc.fail(`config rule ${name} appears twice in ${ctx.region}`);
    const ruleId = configRuleId(ctx.account, ctx.region, name);
    const params = rc.scalarMap('input_parameters');
    const resourceTypes = rc.strings('resource_types');
    const rule: RuleObject = {
      ConfigRuleName: name,
      ConfigRuleArn: arn(ctx, 'config', `config-rule/${ruleId}`),
      ConfigRuleId: ruleId,
      Description: rc.str('description', `Managed rule ${rc.str('source_identifier')}`),
      Scope: resourceTypes.length ? { ComplianceResourceTypes: resourceTypes } : undefined,
      Source: { Owner: rc.oneOf('owner', ['AWS', 'CUSTOM_LAMBDA', 'CUSTOM_POLICY'] as const, 'AWS'), SourceIdentifier: rc.str('source_identifier') },
      InputParameters: Object.keys(params).length ? JSON.stringify(params) : '{}',
      MaximumExecutionFrequency: rc.optStr('frequency'),
      ConfigRuleState: rc.oneOf('state', ['ACTIVE', 'DELETING', 'DELETING_RESULTS', 'EVALUATING'] as const, 'ACTIVE'),
      EvaluationModes: [{ Mode: 'DETECTIVE' }],
    };
    const evaluations = rc.list('evaluations').map((ec) => {
      ec.keys(['resource_type', 'resource_id', 'compliance', 'recorded', 'annotation']);
      const recorded = ec.date('recorded', '1 hour ago');
      return {
        EvaluationResultIdentifier: {
          EvaluationResultQualifier: { ConfigRuleName: name, ResourceType: ec.str('resource_type'), ResourceId: ec.str('resource_id'), EvaluationMode: 'DETECTIVE' },
          OrderingTimestamp: recorded,
        },
        ComplianceType: ec.oneOf('compliance', COMPLIANCE),
        ResultRecordedTime: recorded,
        ConfigRuleInvokedTime: new Date(recorded.getTime() - 1000),
        Annotation: ec.optStr('annotation'),
      };
    });
    out.rules.push({ rule, evaluations });
  }
  return out;
}

type RuleObject = WireObject & { ConfigRuleName: string };
