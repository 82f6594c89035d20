// Configuration items -> the record shapes the live collectors write (collectors/README.md):
// Config's casing (`dbclusterIdentifier`, `dBInstanceIdentifier`, `cACertificateIdentifier`)
// back to the Describe answers' (`DBClusterIdentifier`, ...). Every property is read through
// `prop`/`member`, so only what the vendored Config schema lists can be read. A Describe field
// with no Config counterpart is simply absent from a rebuilt record (collectors/README.md lists
// what history cannot give).
import { member, prop, type HistoryItem } from './items.js';

/** Describe field <- Config property path. */
export type FieldMap = readonly (readonly [describe: string, config: string])[];

export const CLUSTER_FIELDS: FieldMap = [
  ['AllocatedStorage', 'configuration.allocatedStorage'], ['BackupRetentionPeriod', 'configuration.backupRetentionPeriod'],
  ['DBClusterIdentifier', 'configuration.dbclusterIdentifier'], ['DBClusterParameterGroup', 'configuration.dbclusterParameterGroup'],
  ['DBSubnetGroup', 'configuration.dbsubnetGroup'], ['Status', 'configuration.status'], ['ReaderEndpoint', 'configuration.readerEndpoint'],
  ['MultiAZ', 'configuration.multiAZ'], ['Engine', 'configuration.engine'], ['EngineVersion', 'configuration.engineVersion'],
  ['Port', 'configuration.port'], ['MasterUsername', 'configuration.masterUsername'],
  ['PreferredBackupWindow', 'configuration.preferredBackupWindow'], ['PreferredMaintenanceWindow', 'configuration.preferredMaintenanceWindow'],
  ['HostedZoneId', 'configuration.hostedZoneId'], ['StorageEncrypted', 'configuration.storageEncrypted'], ['KmsKeyId', 'configuration.kmsKeyId'],
  ['DbClusterResourceId', 'configuration.dbClusterResourceId'], ['DBClusterArn', 'configuration.dbclusterArn'],
  ['IAMDatabaseAuthenticationEnabled', 'configuration.iamdatabaseAuthenticationEnabled'], ['ClusterCreateTime', 'configuration.clusterCreateTime'],
  ['EnabledCloudwatchLogsExports', 'configuration.enabledCloudwatchLogsExports'], ['EngineMode', 'configuration.engineMode'],
  ['DeletionProtection', 'configuration.deletionProtection'], ['HttpEndpointEnabled', 'configuration.httpEndpointEnabled'],
  ['CopyTagsToSnapshot', 'configuration.copyTagsToSnapshot'], ['CrossAccountClone', 'configuration.crossAccountClone'],
  ['AutoMinorVersionUpgrade', 'configuration.autoMinorVersionUpgrade'], ['NetworkType', 'configuration.networkType'],
  ['StorageType', 'configuration.storageType'], ['PubliclyAccessible', 'configuration.publiclyAccessible'],
];

export const INSTANCE_FIELDS: FieldMap = [
  ['DBInstanceIdentifier', 'configuration.dBInstanceIdentifier'], ['DBInstanceClass', 'configuration.dBInstanceClass'],
  ['Engine', 'configuration.engine'], ['DBInstanceStatus', 'configuration.dBInstanceStatus'], ['MasterUsername', 'configuration.masterUsername'],
  ['AllocatedStorage', 'configuration.allocatedStorage'], ['InstanceCreateTime', 'configuration.instanceCreateTime'],
  ['PreferredBackupWindow', 'configuration.preferredBackupWindow'], ['BackupRetentionPeriod', 'configuration.backupRetentionPeriod'],
  ['AvailabilityZone', 'configuration.availabilityZone'], ['PreferredMaintenanceWindow', 'configuration.preferredMaintenanceWindow'],
  ['MultiAZ', 'configuration.multiAZ'], ['EngineVersion', 'configuration.engineVersion'],
  ['AutoMinorVersionUpgrade', 'configuration.autoMinorVersionUpgrade'], ['LicenseModel', 'configuration.licenseModel'],
  ['PubliclyAccessible', 'configuration.publiclyAccessible'], ['StorageType', 'configuration.storageType'],
  ['DbInstancePort', 'configuration.dbInstancePort'], ['DBClusterIdentifier', 'configuration.dBClusterIdentifier'],
  ['StorageEncrypted', 'configuration.storageEncrypted'], ['KmsKeyId', 'configuration.kmsKeyId'], ['DbiResourceId', 'configuration.dbiResourceId'],
  ['CACertificateIdentifier', 'configuration.cACertificateIdentifier'], ['CopyTagsToSnapshot', 'configuration.copyTagsToSnapshot'],
  ['MonitoringInterval', 'configuration.monitoringInterval'], ['PromotionTier', 'configuration.promotionTier'],
  ['DBInstanceArn', 'configuration.dBInstanceArn'], ['IAMDatabaseAuthenticationEnabled', 'configuration.iAMDatabaseAuthenticationEnabled'],
  ['PerformanceInsightsEnabled', 'configuration.performanceInsightsEnabled'], ['DeletionProtection', 'configuration.deletionProtection'],
  ['EnabledCloudwatchLogsExports', 'configuration.enabledCloudwatchLogsExports'],
];

export const SNAPSHOT_FIELDS: FieldMap = [
  ['DBClusterSnapshotIdentifier', 'configuration.dbclusterSnapshotIdentifier'], ['DBClusterIdentifier', 'configuration.dbclusterIdentifier'],
  ['SnapshotCreateTime', 'configuration.snapshotCreateTime'], ['Engine', 'configuration.engine'], ['EngineMode', 'configuration.engineMode'],
  ['AllocatedStorage', 'configuration.allocatedStorage'], ['Status', 'configuration.status'], ['Port', 'configuration.port'],
  ['VpcId', 'configuration.vpcId'], ['ClusterCreateTime', 'configuration.clusterCreateTime'], ['MasterUsername', 'configuration.masterUsername'],
  ['EngineVersion', 'configuration.engineVersion'], ['LicenseModel', 'configuration.licenseModel'], ['SnapshotType', 'configuration.snapshotType'],
  ['PercentProgress', 'configuration.percentProgress'], ['StorageEncrypted', 'configuration.storageEncrypted'], ['KmsKeyId', 'configuration.kmsKeyId'],
  ['DBClusterSnapshotArn', 'configuration.dbclusterSnapshotArn'], ['IAMDatabaseAuthenticationEnabled', 'configuration.iamdatabaseAuthenticationEnabled'],
];

export const KEY_FIELDS: FieldMap = [
  ['AWSAccountId', 'configuration.awsaccountId'], ['KeyId', 'configuration.keyId'], ['Arn', 'configuration.arn'],
  ['CreationDate', 'configuration.creationDate'], ['Enabled', 'configuration.enabled'], ['Description', 'configuration.description'],
  ['KeyUsage', 'configuration.keyUsage'], ['KeyState', 'configuration.keyState'], ['Origin', 'configuration.origin'],
  ['KeyManager', 'configuration.keyManager'], ['CustomerMasterKeySpec', 'configuration.customerMasterKeySpec'], ['KeySpec', 'configuration.keySpec'],
  ['EncryptionAlgorithms', 'configuration.encryptionAlgorithms'], ['MultiRegion', 'configuration.multiRegion'],
  ['ExpirationModel', 'configuration.expirationModel'], ['DeletionDate', 'configuration.deletionDate'],
  ['PendingDeletionWindowInDays', 'configuration.pendingDeletionWindowInDays'],
];

/** Paths read outside the tables above (lists of objects, tags, supplementary facts). */
export const OTHER_PATHS: Readonly<Record<string, readonly string[]>> = {
  'AWS::RDS::DBCluster': ['configuration.availabilityZones.value', 'configuration.dbclusterMembers.dbinstanceIdentifier',
    'configuration.dbclusterMembers.isClusterWriter', 'configuration.dbclusterMembers.dbclusterParameterGroupStatus',
    'configuration.dbclusterMembers.promotionTier', 'configuration.endpoint.value', 'tags.key'],
  'AWS::RDS::DBInstance': ['configuration.endpoint.address', 'configuration.endpoint.port', 'configuration.endpoint.hostedZoneId', 'tags.key'],
  'AWS::RDS::DBClusterSnapshot': ['configuration.availabilityZones.value', 'supplementaryConfiguration.DBClusterSnapshotAttributes.attributeName',
    'supplementaryConfiguration.DBClusterSnapshotAttributes.attributeValues', 'tags.key'],
  'AWS::KMS::Key': ['supplementaryConfiguration.KeyRotationStatus'],
  // issue 23 (evidence-normalise.ts): a DB snapshot's TagList
  'AWS::RDS::DBSnapshot': ['tags.key'],
};

function fields(item: HistoryItem, map: FieldMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [describe, path] of map) {
    const v = prop(item, path);
    if (v !== undefined && v !== null) out[describe] = v;
  }
  return out;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function tagList(item: HistoryItem): { Key: string; Value: string }[] {
  const tags = prop(item, 'tags') as Record<string, string> | undefined;
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

/** A DBCluster as DescribeDBClusters returns it, from an AWS::RDS::DBCluster item. */
export function normaliseCluster(item: HistoryItem): Record<string, unknown> {
  const T = item.resourceType;
  const out = fields(item, CLUSTER_FIELDS);
  out['AvailabilityZones'] = list(prop(item, 'configuration.availabilityZones'))
    .map((z) => (typeof z === 'string' ? z : member(T, 'configuration.availabilityZones', z, 'value')))
    .filter((z): z is string => typeof z === 'string');
  const endpoint = prop(item, 'configuration.endpoint');
  const ep = typeof endpoint === 'string' ? endpoint : member(T, 'configuration.endpoint', endpoint, 'value');
  if (typeof ep === 'string') out['Endpoint'] = ep;
  out['DBClusterMembers'] = list(prop(item, 'configuration.dbclusterMembers')).map((m) => ({
    DBInstanceIdentifier: member(T, 'configuration.dbclusterMembers', m, 'dbinstanceIdentifier'),
    // Config has written both spellings over the years
    IsClusterWriter: member(T, 'configuration.dbclusterMembers', m, 'isClusterWriter') ?? member(T, 'configuration.dbclusterMembers', m, 'clusterWriter'),
    DBClusterParameterGroupStatus: member(T, 'configuration.dbclusterMembers', m, 'dbclusterParameterGroupStatus'),
    PromotionTier: member(T, 'configuration.dbclusterMembers', m, 'promotionTier'),
  }));
  out['TagList'] = tagList(item);
  return out;
}

/** A DBInstance as DescribeDBInstances returns it, from an AWS::RDS::DBInstance item. */
export function normaliseInstance(item: HistoryItem): Record<string, unknown> {
  const T = item.resourceType;
  const out = fields(item, INSTANCE_FIELDS);
  const ep = prop(item, 'configuration.endpoint');
  if (ep && typeof ep === 'object') {
    out['Endpoint'] = {
      Address: member(T, 'configuration.endpoint', ep, 'address'), Port: member(T, 'configuration.endpoint', ep, 'port'),
      HostedZoneId: member(T, 'configuration.endpoint', ep, 'hostedZoneId'),
    };
  }
  out['TagList'] = tagList(item);
  return out;
}

/**
 * A DBClusterSnapshot as DescribeDBClusterSnapshots returns it; a manual snapshot also carries
 * `DBClusterSnapshotAttributes` from supplementaryConfiguration, or undefined when Config
 * did not record them (the caller turns that into missing evidence).
 */
export function normaliseSnapshot(item: HistoryItem): { data: Record<string, unknown>; attributesMissing: boolean } {
  const T = item.resourceType;
  const data = fields(item, SNAPSHOT_FIELDS);
  data['AvailabilityZones'] = list(prop(item, 'configuration.availabilityZones'))
    .map((z) => (typeof z === 'string' ? z : member(T, 'configuration.availabilityZones', z, 'value')))
    .filter((z): z is string => typeof z === 'string');
  data['TagList'] = tagList(item);
  if (data['SnapshotType'] !== 'manual') return { data, attributesMissing: false };
  const attrs = prop(item, 'supplementaryConfiguration.DBClusterSnapshotAttributes');
  if (!Array.isArray(attrs)) return { data, attributesMissing: true };
  data['DBClusterSnapshotAttributes'] = attrs.map((a) => ({
    AttributeName: member(T, 'supplementaryConfiguration.DBClusterSnapshotAttributes', a, 'attributeName'),
    AttributeValues: list(member(T, 'supplementaryConfiguration.DBClusterSnapshotAttributes', a, 'attributeValues')),
  }));
  return { data, attributesMissing: false };
}

/** KeyMetadata as DescribeKey returns it, and the rotation flag Config keeps beside it. */
export function normaliseKey(item: HistoryItem): { metadata: Record<string, unknown>; rotation: unknown } {
  const rotation = prop(item, 'supplementaryConfiguration.KeyRotationStatus');
  return { metadata: fields(item, KEY_FIELDS), rotation: typeof rotation === 'string' ? rotation === 'true' : rotation };
}
