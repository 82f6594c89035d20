// Configuration items of the issue 22/23 types -> the record shapes the live collectors write
// (collectors/README.md). Every property is read through `prop`/`member`, so only what the
// vendored Config schema lists can be read. What the live collector reads from an API whose
// answer Config does not keep is named in `missing` with the reason: the record carries the field
// absent and error.fields names it, so a control reading it is ERROR, never a guessed PASS.
import { member, prop, type HistoryItem } from './items.js';

/** A rebuilt record: the data, and the live fields history cannot give (field -> why). */
export interface Rebuilt { data: Record<string, unknown>; missing: Record<string, string> }

/** S3's "not configured" answers, as the live collector records them. */
export const NOT_CONFIGURED = 'not configured';

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function set(out: Record<string, unknown>, key: string, v: unknown): void {
  if (v !== undefined && v !== null) out[key] = v;
}

/** Describe field <- Config property, for the flat parts of a type. */
function fields(item: HistoryItem, map: readonly (readonly [string, string])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [describe, path] of map) set(out, describe, prop(item, path));
  return out;
}

function tagList(item: HistoryItem): { Key: string; Value: string }[] {
  return Object.entries((prop(item, 'tags') as Record<string, string> | undefined) ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

// ---- issue 22 -------------------------------------------------------------------------------

export const TRAIL_FIELDS = [
  ['Name', 'configuration.name'], ['S3BucketName', 'configuration.s3BucketName'], ['S3KeyPrefix', 'configuration.s3KeyPrefix'],
  ['SnsTopicName', 'configuration.snsTopicName'], ['SnsTopicARN', 'configuration.snsTopicARN'],
  ['IncludeGlobalServiceEvents', 'configuration.includeGlobalServiceEvents'], ['IsMultiRegionTrail', 'configuration.isMultiRegionTrail'],
  ['HomeRegion', 'configuration.homeRegion'], ['TrailARN', 'configuration.trailARN'],
  ['LogFileValidationEnabled', 'configuration.logFileValidationEnabled'], ['CloudWatchLogsLogGroupArn', 'configuration.cloudWatchLogsLogGroupArn'],
  ['CloudWatchLogsRoleArn', 'configuration.cloudWatchLogsRoleArn'], ['KmsKeyId', 'configuration.kmsKeyId'],
  ['HasCustomEventSelectors', 'configuration.hasCustomEventSelectors'], ['HasInsightSelectors', 'configuration.hasInsightSelectors'],
  ['IsOrganizationTrail', 'configuration.isOrganizationTrail'],
] as const;

export const TRAIL_NOT_KEPT: Readonly<Record<string, string>> = {
  Status: "AWS Config's AWS::CloudTrail::Trail keeps the trail's settings, not its status (GetTrailStatus: IsLogging, latest delivery error), so whether it was logging then is not in the history",
  EventSelectors: 'AWS::CloudTrail::Trail keeps only whether custom event selectors exist (hasCustomEventSelectors), not the selectors (GetEventSelectors)',
  AdvancedEventSelectors: 'AWS::CloudTrail::Trail keeps only whether custom event selectors exist, not the advanced selectors',
  ManagementEvents: 'what the trail recorded (management reads, writes, KMS events) comes from its event selectors, which AWS::CloudTrail::Trail does not keep',
};

/** A trail as DescribeTrails lists it; its status and selectors are missing, its bucket joined by the caller. */
export function normaliseTrail(item: HistoryItem): Rebuilt {
  return { data: fields(item, TRAIL_FIELDS), missing: { ...TRAIL_NOT_KEPT } };
}

/** Versioning as GetBucketVersioning answers: {} for a bucket never versioned ("Off" in Config). */
function versioning(item: HistoryItem): Record<string, unknown> {
  const status = prop(item, 'supplementaryConfiguration.BucketVersioningConfiguration.status');
  if (typeof status !== 'string' || status === 'Off') return {};
  const mfa = prop(item, 'supplementaryConfiguration.BucketVersioningConfiguration.isMfaDeleteEnabled');
  return { Status: status, ...(typeof mfa === 'boolean' ? { MFADelete: mfa ? 'Enabled' : 'Disabled' } : {}) };
}

function objectLock(item: HistoryItem): unknown {
  const enabled = prop(item, 'supplementaryConfiguration.ObjectLockConfiguration.objectLockEnabled');
  if (enabled === undefined) return NOT_CONFIGURED;
  const mode = prop(item, 'supplementaryConfiguration.ObjectLockConfiguration.rule.defaultRetention.mode');
  const days = prop(item, 'supplementaryConfiguration.ObjectLockConfiguration.rule.defaultRetention.days');
  const years = prop(item, 'supplementaryConfiguration.ObjectLockConfiguration.rule.defaultRetention.years');
  const retention: Record<string, unknown> = {};
  set(retention, 'Mode', mode);
  set(retention, 'Days', days);
  set(retention, 'Years', years);
  return { ObjectLockEnabled: enabled, ...(Object.keys(retention).length > 0 ? { Rule: { DefaultRetention: retention } } : {}) };
}

const SSE = 'supplementaryConfiguration.ServerSideEncryptionConfiguration.rules';
const LIFE = 'supplementaryConfiguration.BucketLifecycleConfiguration.rules';
const PAB = 'supplementaryConfiguration.PublicAccessBlockConfiguration';

function encryption(item: HistoryItem): unknown {
  const rules = prop(item, SSE);
  if (rules === undefined) return NOT_CONFIGURED;
  return {
    Rules: list(rules).map((r) => {
      const d = member(item.resourceType, SSE, r, 'applyServerSideEncryptionByDefault') as Record<string, unknown> | undefined;
      const byDefault: Record<string, unknown> = {};
      set(byDefault, 'SSEAlgorithm', member(item.resourceType, `${SSE}.applyServerSideEncryptionByDefault`, d, 'sseAlgorithm'));
      set(byDefault, 'KMSMasterKeyID', member(item.resourceType, `${SSE}.applyServerSideEncryptionByDefault`, d, 'kmsMasterKeyID'));
      const out: Record<string, unknown> = { ApplyServerSideEncryptionByDefault: byDefault };
      set(out, 'BucketKeyEnabled', member(item.resourceType, SSE, r, 'bucketKeyEnabled'));
      return out;
    }),
  };
}

function lifecycle(item: HistoryItem): unknown {
  const rules = prop(item, LIFE);
  if (rules === undefined) return NOT_CONFIGURED;
  const T = item.resourceType;
  return {
    Rules: list(rules).map((r) => {
      const out: Record<string, unknown> = {};
      set(out, 'ID', member(T, LIFE, r, 'id'));
      set(out, 'Status', member(T, LIFE, r, 'status'));
      const days = member(T, LIFE, r, 'expirationInDays');
      if (typeof days === 'number' && days > 0) out['Expiration'] = { Days: days };
      const nce = member(T, LIFE, r, 'noncurrentVersionExpiration') as Record<string, unknown> | undefined;
      const ncDays = member(T, `${LIFE}.noncurrentVersionExpiration`, nce, 'noncurrentDays') ?? member(T, LIFE, r, 'noncurrentVersionExpirationInDays');
      if (typeof ncDays === 'number' && ncDays > 0) out['NoncurrentVersionExpiration'] = { NoncurrentDays: ncDays };
      const predicate = member(T, `${LIFE}.filter`, member(T, LIFE, r, 'filter'), 'predicate');
      const prefix = member(T, `${LIFE}.filter.predicate`, predicate, 'prefix') ?? member(T, LIFE, r, 'prefix');
      if (typeof prefix === 'string') out['Filter'] = { Prefix: prefix };
      return out;
    }),
  };
}

function publicAccessBlock(item: HistoryItem): unknown {
  if (prop(item, PAB) === undefined) return NOT_CONFIGURED;
  const out: Record<string, unknown> = {};
  for (const [k, c] of [['BlockPublicAcls', 'blockPublicAcls'], ['IgnorePublicAcls', 'ignorePublicAcls'], ['BlockPublicPolicy', 'blockPublicPolicy'], ['RestrictPublicBuckets', 'restrictPublicBuckets']] as const) {
    set(out, k, prop(item, `${PAB}.${c}`));
  }
  return out;
}

/**
 * A bucket as s3.buckets records it. Config writes a bucket's configurations under
 * supplementaryConfiguration only when they are set, so an absent one is S3's "not configured"
 * (the live collector's value for the same answer). Replication is the exception: Config keeps
 * the role only, so a bucket that replicates has its ReplicationConfiguration missing.
 */
export function normaliseBucket(item: HistoryItem, region: string): Rebuilt {
  const data: Record<string, unknown> = {
    Name: prop(item, 'configuration.name') ?? item.resourceName ?? item.resourceId,
    CreationDate: prop(item, 'configuration.creationDate') ?? null,
    BucketRegion: region,
    ObjectLockConfiguration: objectLock(item),
    Versioning: versioning(item),
    ServerSideEncryptionConfiguration: encryption(item),
    LifecycleConfiguration: lifecycle(item),
    PublicAccessBlockConfiguration: publicAccessBlock(item),
  };
  const missing: Record<string, string> = {};
  if (prop(item, 'supplementaryConfiguration.BucketReplicationConfiguration.roleARN') === undefined) data['ReplicationConfiguration'] = NOT_CONFIGURED;
  else missing['ReplicationConfiguration'] = "AWS Config's AWS::S3::Bucket keeps only the replication role (BucketReplicationConfiguration.roleARN), not the rules or their destination buckets";
  return { data, missing };
}

export const DETECTOR_NOT_KEPT: Readonly<Record<string, string>> = {
  Features: "AWS Config's AWS::GuardDuty::Detector keeps no features (only the legacy S3Logs and Kubernetes data sources)",
  DisabledFeatures: 'AWS::GuardDuty::Detector keeps no features, so which were disabled then is not in the history',
  OpenHighFindings: 'GuardDuty findings are not configuration: AWS Config keeps no history of them',
  OpenHighFindingsCount: 'GuardDuty findings are not configuration: AWS Config keeps no history of them',
  OldestOpenHighFindingCreatedAt: 'GuardDuty findings are not configuration: AWS Config keeps no history of them',
};

/** A detector as GetDetector answers, with what Config does not keep missing. */
export function normaliseDetector(item: HistoryItem): Rebuilt {
  const data: Record<string, unknown> = { DetectorId: prop(item, 'configuration.Id') ?? item.resourceId };
  const enable = prop(item, 'configuration.Enable');
  if (typeof enable === 'boolean') data['Status'] = enable ? 'ENABLED' : 'DISABLED';
  set(data, 'FindingPublishingFrequency', prop(item, 'configuration.FindingPublishingFrequency'));
  return { data, missing: { ...DETECTOR_NOT_KEPT } };
}

export const CUSTOMER_KEY_NOT_KEPT: Readonly<Record<string, string>> = {
  RotationPeriodInDays: "AWS Config's AWS::KMS::Key keeps whether automatic rotation is on, not its period (GetKeyRotationStatus)",
  NextRotationDate: 'AWS::KMS::Key does not keep the next automatic rotation date',
  Rotations: 'AWS::KMS::Key does not keep the completed rotations (ListKeyRotations), on-demand ones included',
  LastRotationDate: 'AWS::KMS::Key does not keep the completed rotations (ListKeyRotations), so the last one is unknown',
  KeyPolicy: 'AWS::KMS::Key does not keep the key policy (GetKeyPolicy)',
  CompanyAccess: 'who may use the key comes from its key policy, which AWS::KMS::Key does not keep',
  CompanyPrincipals: 'who may use the key comes from its key policy, which AWS::KMS::Key does not keep',
  Grants: 'AWS::KMS::Key does not keep the key\'s grants (ListGrants)',
};

// ---- issue 23 -------------------------------------------------------------------------------

export const DB_SNAPSHOT_FIELDS = [
  ['DBSnapshotIdentifier', 'configuration.dBSnapshotIdentifier'], ['DBInstanceIdentifier', 'configuration.dBInstanceIdentifier'],
  ['SnapshotCreateTime', 'configuration.snapshotCreateTime'], ['Engine', 'configuration.engine'], ['AllocatedStorage', 'configuration.allocatedStorage'],
  ['Status', 'configuration.status'], ['Port', 'configuration.port'], ['AvailabilityZone', 'configuration.availabilityZone'],
  ['VpcId', 'configuration.vpcId'], ['InstanceCreateTime', 'configuration.instanceCreateTime'], ['MasterUsername', 'configuration.masterUsername'],
  ['EngineVersion', 'configuration.engineVersion'], ['LicenseModel', 'configuration.licenseModel'], ['SnapshotType', 'configuration.snapshotType'],
  ['Iops', 'configuration.iops'], ['OptionGroupName', 'configuration.optionGroupName'], ['PercentProgress', 'configuration.percentProgress'],
  ['SourceRegion', 'configuration.sourceRegion'], ['SourceDBSnapshotIdentifier', 'configuration.sourceDBSnapshotIdentifier'],
  ['StorageType', 'configuration.storageType'], ['TdeCredentialArn', 'configuration.tdeCredentialArn'], ['Encrypted', 'configuration.encrypted'],
  ['KmsKeyId', 'configuration.kmsKeyId'], ['DBSnapshotArn', 'configuration.dBSnapshotArn'], ['Timezone', 'configuration.timezone'],
  ['IAMDatabaseAuthenticationEnabled', 'configuration.iAMDatabaseAuthenticationEnabled'], ['DbiResourceId', 'configuration.dbiResourceId'],
] as const;

/** A DB instance snapshot as DescribeDBSnapshots lists it; a manual one with its attributes. */
export function normaliseDbSnapshot(item: HistoryItem): Rebuilt {
  const T = item.resourceType;
  const data = fields(item, DB_SNAPSHOT_FIELDS);
  data['TagList'] = tagList(item);
  const missing: Record<string, string> = {};
  if (data['SnapshotType'] === 'manual') {
    const attrs = prop(item, 'supplementaryConfiguration.DBSnapshotAttributes');
    if (Array.isArray(attrs)) {
      data['DBSnapshotAttributes'] = attrs.map((a) => ({
        AttributeName: member(T, 'supplementaryConfiguration.DBSnapshotAttributes', a, 'attributeName'),
        AttributeValues: list(member(T, 'supplementaryConfiguration.DBSnapshotAttributes', a, 'attributeValues')),
      }));
    } else {
      missing['DBSnapshotAttributes'] = 'the configuration item of this manual snapshot has no DBSnapshotAttributes, so with whom it was shared is not recorded';
    }
  }
  return { data, missing };
}

export const VAULT_NOT_KEPT: Readonly<Record<string, string>> = {
  Locked: "AWS Config's AWS::Backup::BackupVault keeps no Vault Lock fields (Locked, MinRetentionDays, MaxRetentionDays, LockDate), so a vault's lock cannot be proven for a past date",
  MinRetentionDays: 'AWS::Backup::BackupVault keeps no Vault Lock fields',
  MaxRetentionDays: 'AWS::Backup::BackupVault keeps no Vault Lock fields',
  LockDate: 'AWS::Backup::BackupVault keeps no Vault Lock fields',
};

export function normaliseVault(item: HistoryItem): Rebuilt {
  const data: Record<string, unknown> = {};
  set(data, 'BackupVaultName', prop(item, 'configuration.BackupVaultName') ?? item.resourceName);
  set(data, 'BackupVaultArn', prop(item, 'configuration.BackupVaultArn') ?? item.arn);
  set(data, 'EncryptionKeyArn', prop(item, 'configuration.EncryptionKeyArn'));
  return { data, missing: { ...VAULT_NOT_KEPT } };
}

const RECOVERY_POINT_FIELDS = [
  ['RecoveryPointArn', 'configuration.RecoveryPointArn'], ['BackupVaultName', 'configuration.BackupVaultName'],
  ['BackupVaultArn', 'configuration.BackupVaultArn'], ['SourceBackupVaultArn', 'configuration.SourceBackupVaultArn'],
  ['ResourceArn', 'configuration.ResourceArn'], ['ResourceType', 'configuration.ResourceType'], ['IamRoleArn', 'configuration.IamRoleArn'],
  ['Status', 'configuration.Status'], ['StatusMessage', 'configuration.StatusMessage'], ['CreationDate', 'configuration.CreationDate'],
  ['CompletionDate', 'configuration.CompletionDate'], ['BackupSizeInBytes', 'configuration.BackupSizeInBytes'],
  ['EncryptionKeyArn', 'configuration.EncryptionKeyArn'], ['IsEncrypted', 'configuration.IsEncrypted'],
  ['LastRestoreTime', 'configuration.LastRestoreTime'], ['StorageClass', 'configuration.StorageClass'], ['VaultType', 'configuration.VaultType'],
] as const;

/** A recovery point as ListRecoveryPointsByBackupVault lists it, with the vault's region and account. */
export function normaliseRecoveryPoint(item: HistoryItem, region: string, account: string): Rebuilt {
  const data = fields(item, RECOVERY_POINT_FIELDS);
  const created: Record<string, unknown> = {};
  for (const k of ['BackupPlanArn', 'BackupPlanId', 'BackupPlanVersion', 'BackupRuleId'] as const) set(created, k, prop(item, `configuration.CreatedBy.${k}`));
  if (Object.keys(created).length > 0) data['CreatedBy'] = created;
  const life: Record<string, unknown> = {};
  set(life, 'DeleteAfterDays', prop(item, 'configuration.Lifecycle.DeleteAfterDays'));
  set(life, 'MoveToColdStorageAfterDays', prop(item, 'configuration.Lifecycle.MoveToColdStorageAfterDays'));
  if (Object.keys(life).length > 0) data['Lifecycle'] = life;
  const calc: Record<string, unknown> = {};
  set(calc, 'DeleteAt', prop(item, 'configuration.CalculatedLifecycle.DeleteAt'));
  set(calc, 'MoveToColdStorageAt', prop(item, 'configuration.CalculatedLifecycle.MoveToColdStorageAt'));
  if (Object.keys(calc).length > 0) data['CalculatedLifecycle'] = calc;
  // as the live collector: where the copy is, from its vault's ARN
  const [, , , r, a] = String(data['BackupVaultArn'] ?? '').split(':');
  data['Region'] = r || region;
  data['Account'] = a || account;
  return { data, missing: {} };
}

const RULE = 'configuration.BackupPlan.BackupPlanRule';

function lifecycleOf(T: string, path: string, v: unknown): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  const out: Record<string, unknown> = {};
  set(out, 'DeleteAfterDays', member(T, path, v, 'DeleteAfterDays'));
  set(out, 'MoveToColdStorageAfterDays', member(T, path, v, 'MoveToColdStorageAfterDays'));
  return out;
}

/** A plan as GetBackupPlan answers (CloudFormation's BackupPlanRule read back as Rules), with CopyDestinations. */
export function normalisePlan(item: HistoryItem, account: string): Rebuilt {
  const T = item.resourceType;
  const rules = list(prop(item, RULE)).map((r) => {
    const out: Record<string, unknown> = {};
    set(out, 'RuleName', member(T, RULE, r, 'RuleName'));
    set(out, 'TargetBackupVaultName', member(T, RULE, r, 'TargetBackupVault'));
    set(out, 'ScheduleExpression', member(T, RULE, r, 'ScheduleExpression'));
    set(out, 'StartWindowMinutes', member(T, RULE, r, 'StartWindowMinutes'));
    set(out, 'CompletionWindowMinutes', member(T, RULE, r, 'CompletionWindowMinutes'));
    set(out, 'EnableContinuousBackup', member(T, RULE, r, 'EnableContinuousBackup'));
    set(out, 'Lifecycle', lifecycleOf(T, `${RULE}.Lifecycle`, member(T, RULE, r, 'Lifecycle')));
    out['CopyActions'] = list(member(T, RULE, r, 'CopyActions')).map((a) => {
      const c: Record<string, unknown> = { DestinationBackupVaultArn: member(T, `${RULE}.CopyActions`, a, 'DestinationBackupVaultArn') };
      set(c, 'Lifecycle', lifecycleOf(T, `${RULE}.CopyActions.Lifecycle`, member(T, `${RULE}.CopyActions`, a, 'Lifecycle')));
      return c;
    });
    return out;
  });
  const plan: Record<string, unknown> = { Rules: rules };
  set(plan, 'BackupPlanName', prop(item, 'configuration.BackupPlan.BackupPlanName'));
  const data: Record<string, unknown> = { BackupPlan: plan };
  set(data, 'BackupPlanArn', prop(item, 'configuration.BackupPlanArn') ?? item.arn);
  set(data, 'BackupPlanId', prop(item, 'configuration.BackupPlanId') ?? item.resourceId);
  set(data, 'VersionId', prop(item, 'configuration.VersionId'));
  // as the live collector (collectors/backup-plans.ts)
  data['CopyDestinations'] = rules.flatMap((rule) => (rule['CopyActions'] as Record<string, unknown>[]).map((a) => {
    const dest = String(a['DestinationBackupVaultArn'] ?? '');
    const [, , , region, acct] = dest.split(':');
    const l = a['Lifecycle'] as Record<string, unknown> | undefined;
    return {
      RuleName: rule['RuleName'] ?? null, DestinationBackupVaultArn: dest, Region: region || null, Account: acct || null, SameAccount: acct === account,
      DeleteAfterDays: l?.['DeleteAfterDays'] ?? null, MoveToColdStorageAfterDays: l?.['MoveToColdStorageAfterDays'] ?? null,
    };
  }));
  return { data, missing: {} };
}

/** A load balancer's facts a listener record carries. */
export function normaliseLoadBalancer(item: HistoryItem): { arn: string; name: unknown; type: unknown; scheme: unknown } {
  return {
    arn: String(prop(item, 'configuration.loadBalancerArn') ?? item.arn ?? item.resourceId),
    name: prop(item, 'configuration.loadBalancerName') ?? null, type: prop(item, 'configuration.type') ?? null, scheme: prop(item, 'configuration.scheme') ?? null,
  };
}

const ACTION = 'configuration.DefaultActions';

function action(T: string, a: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  set(out, 'Type', member(T, ACTION, a, 'Type'));
  set(out, 'Order', member(T, ACTION, a, 'Order'));
  set(out, 'TargetGroupArn', member(T, ACTION, a, 'TargetGroupArn'));
  const redirect = member(T, ACTION, a, 'RedirectConfig');
  if (redirect) {
    const r: Record<string, unknown> = {};
    for (const k of ['Protocol', 'Port', 'Host', 'Path', 'Query', 'StatusCode'] as const) set(r, k, member(T, `${ACTION}.RedirectConfig`, redirect, k));
    out['RedirectConfig'] = r;
  }
  const fixed = member(T, ACTION, a, 'FixedResponseConfig');
  if (fixed) {
    const f: Record<string, unknown> = {};
    for (const k of ['StatusCode', 'ContentType'] as const) set(f, k, member(T, `${ACTION}.FixedResponseConfig`, fixed, k));
    out['FixedResponseConfig'] = f;
  }
  return out;
}

export const LISTENER_NOT_KEPT = {
  SslProtocols: "the protocols a TLS policy accepts come from DescribeSSLPolicies, which is not configuration; AWS Config's AWS::ElasticLoadBalancingV2::Listener keeps the policy's name only",
  Rules: "AWS Config's AWS::ElasticLoadBalancingV2::Listener keeps the default actions, not the listener's rules (DescribeRules)",
  PlainHttpAnswers: 'how every rule answers plain HTTP needs the listener\'s rules, which AWS::ElasticLoadBalancingV2::Listener does not keep',
} as const;

/**
 * A listener as DescribeListeners lists it, with its load balancer's name, type and scheme.
 * `plainHttpAnswer` is the live collector's own reading of an action list. For an HTTP listener
 * of an internet-facing ALB, the default action alone decides a failure: when it does not
 * redirect to HTTPS or answer fixed, requests no rule matches get that answer whatever the
 * rules say, so PlainHttpAnswers holds it; otherwise the rules decide, and they are missing.
 */
export function normaliseListener(item: HistoryItem, lb: ReturnType<typeof normaliseLoadBalancer> | undefined,
  plainHttpAnswer: (actions: Record<string, unknown>[]) => string): Rebuilt {
  const T = item.resourceType;
  const data: Record<string, unknown> = {};
  set(data, 'ListenerArn', prop(item, 'configuration.ListenerArn') ?? item.arn);
  set(data, 'LoadBalancerArn', prop(item, 'configuration.LoadBalancerArn'));
  set(data, 'Port', prop(item, 'configuration.Port'));
  set(data, 'Protocol', prop(item, 'configuration.Protocol'));
  set(data, 'SslPolicy', prop(item, 'configuration.SslPolicy'));
  set(data, 'AlpnPolicy', prop(item, 'configuration.AlpnPolicy'));
  const certs = prop(item, 'configuration.Certificates');
  if (Array.isArray(certs)) data['Certificates'] = certs.map((c) => ({ CertificateArn: member(T, 'configuration.Certificates', c, 'CertificateArn') }));
  const actions = list(prop(item, ACTION)).map((a) => action(T, a));
  data['DefaultActions'] = actions;
  const missing: Record<string, string> = {};
  if (data['SslPolicy'] !== undefined) missing['SslProtocols'] = LISTENER_NOT_KEPT.SslProtocols;
  else data['SslProtocols'] = null;
  if (!lb) {
    const why = `AWS Config has no item of its load balancer ${String(data['LoadBalancerArn'])} in force then, so its scheme and type are unknown`;
    for (const f of ['LoadBalancerName', 'LoadBalancerType', 'Scheme']) missing[f] = why;
    return { data, missing };
  }
  Object.assign(data, { LoadBalancerName: lb.name, LoadBalancerType: lb.type, Scheme: lb.scheme });
  if (data['Protocol'] === 'HTTP' && lb.type === 'application' && lb.scheme === 'internet-facing') {
    const first = plainHttpAnswer(actions);
    if (first === 'redirect to HTTPS' || first === 'fixed-response') {
      missing['Rules'] = LISTENER_NOT_KEPT.Rules;
      missing['PlainHttpAnswers'] = LISTENER_NOT_KEPT.PlainHttpAnswers;
    } else {
      data['PlainHttpAnswers'] = [first];
      missing['Rules'] = LISTENER_NOT_KEPT.Rules;
    }
  }
  return { data, missing };
}

const DC = 'configuration.distributionConfig';

const distinct = (xs: unknown[]): string[] => [...new Set(xs.filter((x): x is string => typeof x === 'string'))].sort();

/** A distribution as ListDistributions summarises it, with the live collector's added lists. */
export function normaliseDistribution(item: HistoryItem): Rebuilt {
  const T = item.resourceType;
  const data: Record<string, unknown> = {};
  set(data, 'ARN', prop(item, 'configuration.arn') ?? item.arn);
  set(data, 'Id', prop(item, 'configuration.id') ?? item.resourceId);
  set(data, 'DomainName', prop(item, 'configuration.domainName'));
  set(data, 'Enabled', prop(item, `${DC}.enabled`));
  const vc: Record<string, unknown> = {};
  for (const [k, c] of [['CloudFrontDefaultCertificate', 'cloudFrontDefaultCertificate'], ['MinimumProtocolVersion', 'minimumProtocolVersion'],
    ['SSLSupportMethod', 'sslSupportMethod'], ['ACMCertificateArn', 'acmCertificateArn'], ['IAMCertificateId', 'iamCertificateId'],
    ['Certificate', 'certificate'], ['CertificateSource', 'certificateSource']] as const) set(vc, k, prop(item, `${DC}.viewerCertificate.${c}`));
  data['ViewerCertificate'] = vc;
  const defaultPolicy = prop(item, `${DC}.defaultCacheBehavior.viewerProtocolPolicy`);
  data['DefaultCacheBehavior'] = defaultPolicy === undefined ? {} : { ViewerProtocolPolicy: defaultPolicy };
  const behaviours = list(prop(item, `${DC}.cacheBehaviors.items`)).map((b) => member(T, `${DC}.cacheBehaviors.items`, b, 'viewerProtocolPolicy'));
  data['CacheBehaviors'] = { Quantity: behaviours.length, Items: behaviours.map((p) => ({ ViewerProtocolPolicy: p })) };
  const O = `${DC}.origins.items`;
  const origins = list(prop(item, O)).map((o) => {
    const custom = member(T, O, o, 'customOriginConfig');
    if (!custom) return {};
    const ssl = member(T, `${O}.customOriginConfig`, custom, 'originSslProtocols');
    const protocols = list(member(T, `${O}.customOriginConfig.originSslProtocols`, ssl, 'items'));
    return { CustomOriginConfig: { OriginProtocolPolicy: member(T, `${O}.customOriginConfig`, custom, 'originProtocolPolicy'), OriginSslProtocols: { Quantity: protocols.length, Items: protocols } } };
  });
  data['Origins'] = { Quantity: origins.length, Items: origins };
  data['ViewerProtocolPolicies'] = distinct([defaultPolicy, ...behaviours]);
  data['OriginSslProtocols'] = distinct(origins.flatMap((o) => (o.CustomOriginConfig?.OriginSslProtocols.Items ?? [])));
  data['OriginProtocolPolicies'] = distinct(origins.map((o) => o.CustomOriginConfig?.OriginProtocolPolicy));
  return { data, missing: {} };
}
