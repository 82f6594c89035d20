// Configuration items as AWS Config records them, built from the fixture's resources in the
// shape RDS and KMS describe them: Config's own key casing (`dbclusterIdentifier`,
// `dBInstanceIdentifier`, `cACertificateIdentifier`), some facts under
// supplementaryConfiguration, tags as a map, and only the properties the vendored
// awslabs/aws-config-resource-schema lists for the type.
import { configSchemaPaths, keepSchemaPaths } from '../util/config-schema.js';
import type { ItemBody } from './history-model.js';
import type { Alias, DBCluster, DBClusterSnapshot, DBInstance, Key, SnapshotAttribute, WireObject, WireValue } from './model.js';

type Field = readonly [config: string, describe: string];

// DescribeDBClusters field -> Config property (AWS::RDS::DBCluster).
const CLUSTER_FIELDS: readonly Field[] = [
  ['allocatedStorage', 'AllocatedStorage'], ['backupRetentionPeriod', 'BackupRetentionPeriod'],
  ['dbclusterIdentifier', 'DBClusterIdentifier'], ['dbclusterParameterGroup', 'DBClusterParameterGroup'],
  ['dbsubnetGroup', 'DBSubnetGroup'], ['status', 'Status'], ['readerEndpoint', 'ReaderEndpoint'], ['multiAZ', 'MultiAZ'],
  ['engine', 'Engine'], ['engineVersion', 'EngineVersion'], ['port', 'Port'], ['masterUsername', 'MasterUsername'],
  ['preferredBackupWindow', 'PreferredBackupWindow'], ['preferredMaintenanceWindow', 'PreferredMaintenanceWindow'],
  ['hostedZoneId', 'HostedZoneId'], ['storageEncrypted', 'StorageEncrypted'], ['kmsKeyId', 'KmsKeyId'],
  ['dbClusterResourceId', 'DbClusterResourceId'], ['dbclusterArn', 'DBClusterArn'],
  ['iamdatabaseAuthenticationEnabled', 'IAMDatabaseAuthenticationEnabled'], ['clusterCreateTime', 'ClusterCreateTime'],
  ['enabledCloudwatchLogsExports', 'EnabledCloudwatchLogsExports'], ['engineMode', 'EngineMode'],
  ['deletionProtection', 'DeletionProtection'], ['httpEndpointEnabled', 'HttpEndpointEnabled'],
  ['copyTagsToSnapshot', 'CopyTagsToSnapshot'], ['crossAccountClone', 'CrossAccountClone'],
  ['autoMinorVersionUpgrade', 'AutoMinorVersionUpgrade'], ['networkType', 'NetworkType'], ['storageType', 'StorageType'],
  ['publiclyAccessible', 'PubliclyAccessible'],
];

// DescribeDBInstances field -> Config property (AWS::RDS::DBInstance): a different casing rule.
const INSTANCE_FIELDS: readonly Field[] = [
  ['dBInstanceIdentifier', 'DBInstanceIdentifier'], ['dBInstanceClass', 'DBInstanceClass'], ['engine', 'Engine'],
  ['dBInstanceStatus', 'DBInstanceStatus'], ['masterUsername', 'MasterUsername'], ['allocatedStorage', 'AllocatedStorage'],
  ['instanceCreateTime', 'InstanceCreateTime'], ['preferredBackupWindow', 'PreferredBackupWindow'],
  ['backupRetentionPeriod', 'BackupRetentionPeriod'], ['availabilityZone', 'AvailabilityZone'],
  ['preferredMaintenanceWindow', 'PreferredMaintenanceWindow'], ['multiAZ', 'MultiAZ'], ['engineVersion', 'EngineVersion'],
  ['autoMinorVersionUpgrade', 'AutoMinorVersionUpgrade'], ['licenseModel', 'LicenseModel'],
  ['publiclyAccessible', 'PubliclyAccessible'], ['storageType', 'StorageType'], ['dbInstancePort', 'DbInstancePort'],
  ['dBClusterIdentifier', 'DBClusterIdentifier'], ['storageEncrypted', 'StorageEncrypted'], ['kmsKeyId', 'KmsKeyId'],
  ['dbiResourceId', 'DbiResourceId'], ['cACertificateIdentifier', 'CACertificateIdentifier'],
  ['copyTagsToSnapshot', 'CopyTagsToSnapshot'], ['monitoringInterval', 'MonitoringInterval'], ['promotionTier', 'PromotionTier'],
  ['dBInstanceArn', 'DBInstanceArn'], ['iAMDatabaseAuthenticationEnabled', 'IAMDatabaseAuthenticationEnabled'],
  ['performanceInsightsEnabled', 'PerformanceInsightsEnabled'], ['deletionProtection', 'DeletionProtection'],
  ['enabledCloudwatchLogsExports', 'EnabledCloudwatchLogsExports'],
];

// DescribeDBClusterSnapshots field -> Config property (AWS::RDS::DBClusterSnapshot).
const SNAPSHOT_FIELDS: readonly Field[] = [
  ['dbclusterSnapshotIdentifier', 'DBClusterSnapshotIdentifier'], ['dbclusterIdentifier', 'DBClusterIdentifier'],
  ['snapshotCreateTime', 'SnapshotCreateTime'], ['engine', 'Engine'], ['engineMode', 'EngineMode'],
  ['allocatedStorage', 'AllocatedStorage'], ['status', 'Status'], ['port', 'Port'], ['vpcId', 'VpcId'],
  ['clusterCreateTime', 'ClusterCreateTime'], ['masterUsername', 'MasterUsername'], ['engineVersion', 'EngineVersion'],
  ['licenseModel', 'LicenseModel'], ['snapshotType', 'SnapshotType'], ['percentProgress', 'PercentProgress'],
  ['storageEncrypted', 'StorageEncrypted'], ['kmsKeyId', 'KmsKeyId'], ['dbclusterSnapshotArn', 'DBClusterSnapshotArn'],
  ['iamdatabaseAuthenticationEnabled', 'IAMDatabaseAuthenticationEnabled'],
];

// DescribeKey's KeyMetadata field -> Config property (AWS::KMS::Key).
const KEY_FIELDS: readonly Field[] = [
  ['awsaccountId', 'AWSAccountId'], ['keyId', 'KeyId'], ['arn', 'Arn'], ['creationDate', 'CreationDate'],
  ['enabled', 'Enabled'], ['description', 'Description'], ['keyUsage', 'KeyUsage'], ['keyState', 'KeyState'],
  ['origin', 'Origin'], ['keyManager', 'KeyManager'], ['customerMasterKeySpec', 'CustomerMasterKeySpec'],
  ['keySpec', 'KeySpec'], ['encryptionAlgorithms', 'EncryptionAlgorithms'], ['multiRegion', 'MultiRegion'],
  ['expirationModel', 'ExpirationModel'], ['deletionDate', 'DeletionDate'], ['pendingDeletionWindowInDays', 'PendingDeletionWindowInDays'],
];

/** Dates inside `configuration` are ISO 8601 strings (the item is a JSON document). */
function jsonish(v: WireValue): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(jsonish);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonish(x)]));
  return v;
}

function pick(obj: WireObject, fields: readonly Field[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [config, describe] of fields) if (obj[describe] !== undefined) out[config] = jsonish(obj[describe]);
  return out;
}

function tagMap(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(list)) for (const t of list as { Key?: string; Value?: string }[]) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** Drops what the schema does not list: the sandbox never serves a property Config would not record. */
export function filtered(type: string, body: Omit<ItemBody, 'resourceType'>): ItemBody {
  const allowed = configSchemaPaths(type);
  if (!allowed) throw new Error(`no vendored Config schema for ${type}`);
  return {
    ...body, resourceType: type,
    configuration: (keepSchemaPaths(body.configuration, 'configuration', allowed) ?? {}) as Record<string, unknown>,
    supplementaryConfiguration: (keepSchemaPaths(body.supplementaryConfiguration, 'supplementaryConfiguration', allowed) ?? {}) as Record<string, unknown>,
  };
}

export function clusterItem(c: DBCluster): ItemBody {
  const configuration = pick(c, CLUSTER_FIELDS);
  configuration['availabilityZones'] = ((c['AvailabilityZones'] ?? []) as string[]).map((value) => ({ value }));
  if (c['Endpoint'] !== undefined) configuration['endpoint'] = { value: c['Endpoint'] };
  configuration['dbclusterMembers'] = c.DBClusterMembers.map((m) => ({
    dbinstanceIdentifier: m['DBInstanceIdentifier'], isClusterWriter: m['IsClusterWriter'],
    dbclusterParameterGroupStatus: m['DBClusterParameterGroupStatus'], promotionTier: m['PromotionTier'],
  }));
  configuration['vpcSecurityGroups'] = ((c['VpcSecurityGroups'] ?? []) as WireObject[]).map((g) => ({ vpcSecurityGroupId: g['VpcSecurityGroupId'], status: g['Status'] }));
  return filtered('AWS::RDS::DBCluster', {
    resourceId: c.DbClusterResourceId, resourceName: c.DBClusterIdentifier, arn: c.DBClusterArn, availabilityZone: 'Multiple Availability Zones',
    resourceCreationTime: c['ClusterCreateTime'] as Date, tags: tagMap(c.TagList), configuration, supplementaryConfiguration: {},
  });
}

export function instanceItem(i: DBInstance): ItemBody {
  const configuration = pick(i, INSTANCE_FIELDS);
  const ep = i['Endpoint'] as WireObject | undefined;
  if (ep) configuration['endpoint'] = { address: ep['Address'], port: ep['Port'], hostedZoneId: ep['HostedZoneId'] };
  return filtered('AWS::RDS::DBInstance', {
    resourceId: String(i['DbiResourceId']), resourceName: i.DBInstanceIdentifier, arn: i.DBInstanceArn,
    availabilityZone: String(i['AvailabilityZone'] ?? ''), resourceCreationTime: i['InstanceCreateTime'] as Date,
    tags: tagMap(i['TagList']), configuration, supplementaryConfiguration: {},
  });
}

export function snapshotItem(s: DBClusterSnapshot, attributes: SnapshotAttribute[] | undefined): ItemBody {
  const configuration = pick(s, SNAPSHOT_FIELDS);
  configuration['availabilityZones'] = ((s['AvailabilityZones'] ?? []) as string[]).map((value) => ({ value }));
  const supplementaryConfiguration: Record<string, unknown> = {};
  if (attributes) {
    supplementaryConfiguration['DBClusterSnapshotAttributes'] = attributes.map((a) => ({ attributeName: a.AttributeName, attributeValues: a.AttributeValues }));
  }
  return filtered('AWS::RDS::DBClusterSnapshot', {
    resourceId: s.DBClusterSnapshotIdentifier, resourceName: s.DBClusterSnapshotIdentifier, arn: s.DBClusterSnapshotArn,
    availabilityZone: 'Multiple Availability Zones', resourceCreationTime: s['SnapshotCreateTime'] as Date,
    tags: tagMap(s['TagList']), configuration, supplementaryConfiguration,
  });
}

export function keyItem(k: Key): ItemBody {
  const configuration = pick(k.metadata, KEY_FIELDS);
  // Config records whether rotation is on; it does not keep the rotation period or next date.
  const canRotate = k.metadata.Origin === 'AWS_KMS' && k.metadata['KeySpec'] === 'SYMMETRIC_DEFAULT';
  return filtered('AWS::KMS::Key', {
    resourceId: k.metadata.KeyId, resourceName: k.metadata.KeyId, arn: k.metadata.Arn, availabilityZone: 'Not Applicable',
    resourceCreationTime: k.metadata['CreationDate'] as Date, tags: {}, configuration,
    supplementaryConfiguration: { KeyRotationStatus: canRotate ? k.rotationEnabled : false },
  });
}

export function aliasItem(a: Alias): ItemBody {
  return filtered('AWS::KMS::Alias', {
    resourceId: a.AliasName, resourceName: a.AliasName, arn: a.AliasArn, availabilityZone: 'Not Applicable',
    ...(a['CreationDate'] instanceof Date ? { resourceCreationTime: a['CreationDate'] } : {}),
    tags: {}, configuration: { AliasName: a.AliasName, TargetKeyId: a.TargetKeyId }, supplementaryConfiguration: {},
  });
}

export interface RecorderFacts { arn: string; name: string; roleARN: string; allSupported: boolean; includeGlobal: boolean; resourceTypes: string[]; recording: boolean; id: string }

export function recorderItem(r: RecorderFacts): ItemBody {
  return filtered('AWS::Config::ConfigurationRecorder', {
    resourceId: r.id, resourceName: r.name, arn: r.arn, availabilityZone: 'Not Applicable', tags: {},
    configuration: {
      Id: r.id, Name: r.name, RoleARN: r.roleARN, Recording: r.recording,
      RecordingGroup: { AllSupported: r.allSupported, IncludeGlobalResourceTypes: r.includeGlobal, ResourceTypes: r.resourceTypes },
      RecordingMode: { RecordingFrequency: 'CONTINUOUS' },
    },
    supplementaryConfiguration: {},
  });
}

export interface ComplianceFacts { targetType: string; targetId: string; rules: { name: string; arn: string; id: string; compliance: string }[]; arn: string }

export function complianceItem(c: ComplianceFacts): ItemBody {
  const worst = c.rules.some((r) => r.compliance === 'NON_COMPLIANT') ? 'NON_COMPLIANT'
    : c.rules.some((r) => r.compliance === 'COMPLIANT') ? 'COMPLIANT' : 'INSUFFICIENT_DATA';
  return filtered('AWS::Config::ResourceCompliance', {
    resourceId: `${c.targetType}/${c.targetId}`, resourceName: `${c.targetType}/${c.targetId}`, arn: c.arn,
    availabilityZone: 'Not Applicable', tags: {},
    configuration: {
      targetResourceType: c.targetType, targetResourceId: c.targetId, complianceType: worst,
      configRuleList: c.rules.map((r) => ({ configRuleName: r.name, configRuleArn: r.arn, configRuleId: r.id, complianceType: r.compliance })),
    },
    supplementaryConfiguration: {},
  });
}
