// Every collector declared once: its id, the AWS service it calls (the IAM prefix and the pacing
// table's key), the API operations it makes (the IAM policy), the resource type and shape of its
// records (the field table of scripts/gen-record-fields.mjs), whether it runs per region or once
// per account, the collectors it joins, and what an as-of run does with it (the history registry).
// Everything else that lists collectors is derived from this table or checked against it by
// test/collector-declarations.test.ts. Plain data: reading it loads no SDK and no collector code.
import { ANY, list, S, sdk, type AwsService, type RecordShape } from './record-shape.js';

/**
 * What `collect --as-of` does with the collector: `rebuilt` from AWS Config's history (an
 * override in collectors/history/registry.ts), `live` (used as it is), or none, with the reason
 * shown as the ERROR of every control that reads it.
 */
export type HistorySupport = 'rebuilt' | 'live' | { readonly none: string };

export interface CollectorDeclaration {
  /** stable id referenced by controls, e.g. `rds.db-clusters`; its module is collectors/<id with - for .>.ts */
  readonly id: string;
  /** the AWS service: IAM prefix of its operations, and the pacing table's key */
  readonly service: AwsService;
  /** the API operations it calls; "service:Operation" for a call to another service (s3:ListBuckets for a trail's bucket) */
  readonly operations: readonly string[];
  /** CloudFormation-style resource type of its records */
  readonly resourceType: string;
  /** regional collectors run once per region; global ones once per account */
  readonly scope: 'regional' | 'global';
  /** collectors whose records this one reads (joins); they run first, in the same account and region */
  readonly dependsOn?: readonly string[];
  readonly description: string;
  /** the shape of its records' data (collectors/README.md documents the added fields) */
  readonly records: RecordShape;
  readonly history: HistorySupport;
}

const RDS_SOURCES = ['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots', 'rds.cluster-automated-backups'] as const;

const NOT_REBUILT = (what: string): HistorySupport => ({ none: `this version of trustpack does not rebuild ${what} from AWS Config's configuration history` });

export const DECLARATIONS = [
  {
    id: 'sts.caller-identity', service: 'sts', operations: ['GetCallerIdentity'],
    resourceType: 'AWS::STS::CallerIdentity', scope: 'global',
    description: 'The identity the collection ran as: account, ARN, user id.',
    records: { spread: sdk('sts', 'GetCallerIdentityResponse'), fields: {} },
    // who collects is asked live, whatever the date the evidence describes
    history: 'live',
  },
  {
    id: 'rds.db-clusters', service: 'rds', operations: ['DescribeDBClusters'],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional',
    description: 'Every RDS/Aurora DB cluster as DescribeDBClusters returns it.',
    records: { spread: sdk('rds', 'DBCluster'), fields: {} },
    history: 'rebuilt',
  },
  {
    id: 'rds.db-instances', service: 'rds', operations: ['DescribeDBInstances'],
    resourceType: 'AWS::RDS::DBInstance', scope: 'regional',
    description: 'Every RDS DB instance as DescribeDBInstances returns it.',
    records: { spread: sdk('rds', 'DBInstance'), fields: {} },
    history: 'rebuilt',
  },
  {
    id: 'rds.cluster-snapshots', service: 'rds',
    operations: ['DescribeDBClusterSnapshots', 'DescribeDBClusterSnapshotAttributes'],
    resourceType: 'AWS::RDS::DBClusterSnapshot', scope: 'regional',
    description: 'Every DB cluster snapshot; manual ones with their restore (sharing) attributes.',
    records: { spread: sdk('rds', 'DBClusterSnapshot'), fields: { DBClusterSnapshotAttributes: list(sdk('rds', 'DBClusterSnapshotAttribute')) } },
    history: 'rebuilt',
  },
  {
    id: 'rds.cluster-automated-backups', service: 'rds', operations: ['DescribeDBClusterAutomatedBackups'],
    resourceType: 'AWS::RDS::DBClusterAutomatedBackup', scope: 'regional',
    description: 'Automated backups of DB clusters, active and retained.',
    records: { spread: sdk('rds', 'DBClusterAutomatedBackup'), fields: {} },
    history: { none: 'AWS Config keeps no configuration history of DB cluster automated backups (no such Config resource type), so they cannot be rebuilt for a past date' },
  },
  {
    id: 'rds.cluster-parameters', service: 'rds', operations: ['DescribeDBClusterParameters'],
    resourceType: 'AWS::RDS::DBClusterParameterGroup', scope: 'regional',
    // reads the clusters to know which parameter groups are in use
    dependsOn: ['rds.db-clusters'],
    description: 'The parameters of every DB cluster parameter group in use by a cluster.',
    records: { fields: { DBClusterParameterGroupName: S, Parameters: list(sdk('rds', 'Parameter')) } },
    history: { none: 'AWS Config keeps no configuration history of DB cluster parameter groups or their parameters (AWS::RDS::DBClusterParameterGroup is not a Config resource type)' },
  },
  {
    id: 'kms.keys', service: 'kms', operations: ['DescribeKey', 'GetKeyRotationStatus', 'ListAliases'],
    resourceType: 'AWS::KMS::Key', scope: 'regional',
    dependsOn: RDS_SOURCES,
    description: 'Every KMS key referenced by a cluster, instance, snapshot or backup: metadata, rotation, aliases.',
    records: { fields: { KeyMetadata: sdk('kms', 'KeyMetadata'), KeyRotationEnabled: S, RotationPeriodInDays: S, NextRotationDate: S, Aliases: list(S), KeyArns: list(S) } },
    history: 'rebuilt',
  },
  {
    id: 'rds.cluster-topology', service: 'rds', operations: [],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional',
    dependsOn: ['rds.db-clusters', 'rds.db-instances'],
    description: 'Join: each cluster with the availability zones of its member instances.',
    records: {
      fields: {
        DBClusterIdentifier: S, DBClusterArn: S, Engine: S, StorageAvailabilityZones: list(S),
        Members: list({ fields: { DBInstanceIdentifier: S, IsClusterWriter: S, AvailabilityZone: S } }),
        MemberAvailabilityZones: list(S), MemberCount: S, HasWriter: S, GlobalClusterIdentifier: S,
      },
    },
    history: 'rebuilt',
  },
  {
    id: 'rds.cluster-tls', service: 'rds', operations: [],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional',
    dependsOn: ['rds.db-clusters', 'rds.cluster-parameters'],
    description: 'Join: each cluster with the value of its engine\'s TLS-enforcement parameter.',
    records: { fields: { DBClusterIdentifier: S, DBClusterArn: S, Engine: S, DBClusterParameterGroup: S, TlsParameterName: S, TlsParameterValue: S } },
    // used as it is: in an as-of run it never runs, because the parameter groups it reads have no history (DependencyFailed)
    history: 'live',
  },
  {
    id: 'rds.encryption-keys', service: 'rds', operations: [],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional',
    dependsOn: [...RDS_SOURCES, 'kms.keys'],
    description: 'Join: each cluster, instance, snapshot and backup with the KMS key that encrypts it.',
    records: {
      fields: {
        ResourceType: S, ResourceId: S, Engine: S, StorageEncrypted: S, KmsKeyId: S, KeyManager: S, KeySpec: S, KeyOrigin: S,
        KeyState: S, KeyRotationEnabled: S, KeyAliases: list(S),
      },
    },
    history: 'rebuilt',
  },
  {
    id: 'config.recorders', service: 'config',
    operations: ['DescribeConfigurationRecorders', 'DescribeConfigurationRecorderStatus'],
    resourceType: 'AWS::Config::ConfigurationRecorder', scope: 'regional',
    description: 'AWS Config configuration recorders and whether they are recording.',
    records: { fields: { ConfigurationRecorder: sdk('config', 'ConfigurationRecorder'), Status: sdk('config', 'ConfigurationRecorderStatus') } },
    history: 'rebuilt',
  },
  {
    id: 'config.rules', service: 'config', operations: ['DescribeConfigRules', 'DescribeComplianceByConfigRule'],
    resourceType: 'AWS::Config::ConfigRule', scope: 'regional',
    description: 'AWS Config rules with their compliance summary.',
    records: { fields: { ConfigRule: sdk('config', 'ConfigRule'), Compliance: sdk('config', 'ComplianceByConfigRule') } },
    history: { none: "Config rules' definitions and compliance summaries are not in the configuration history" },
  },
  {
    id: 'config.rule-evaluations', service: 'config', operations: ['GetComplianceDetailsByConfigRule'],
    resourceType: 'AWS::Config::ResourceCompliance', scope: 'regional',
    dependsOn: ['config.rules', 'config.recorders'],
    description: 'Each resource a Config rule evaluated, with its compliance and whether the recorder is on.',
    records: {
      spread: sdk('config', 'EvaluationResult'),
      fields: {
        ConfigRuleName: S, SourceIdentifier: S, ResourceType: S, ResourceId: S, ComplianceType: S, RecorderRecording: S,
        SourceOwner: S, InputParameters: ANY, CreatedBy: S,
      },
    },
    history: 'rebuilt',
  },
  // ---- catalog (issue 11): what the security page's claims need beyond the first collectors ----
  {
    id: 'rds.engine-default-cluster-parameters', service: 'rds', operations: ['DescribeEngineDefaultClusterParameters'],
    resourceType: 'AWS::RDS::EngineDefaultClusterParameters', scope: 'regional', dependsOn: ['rds.db-clusters'],
    description: 'The engine default cluster parameters of every Aurora parameter-group family a cluster uses.',
    records: { fields: { DBParameterGroupFamily: S, Parameters: list(sdk('rds', 'Parameter')) } },
    history: { none: "AWS Config keeps no history of a family's engine default parameters (no Config resource type), so today's defaults are not evidence for a past date" },
  },
  {
    id: 'rds.cluster-tls-version', service: 'rds', operations: [],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional',
    dependsOn: ['rds.db-clusters', 'rds.cluster-parameters', 'rds.engine-default-cluster-parameters'],
    description: 'Join: each cluster with the lowest TLS version it accepts (parameter group, cited per-version default, engine default) and which decided.',
    records: {
      fields: {
        DBClusterIdentifier: S, DBClusterArn: S, Engine: S, EngineVersion: S, DBClusterParameterGroup: S, DBParameterGroupFamily: S,
        MinTlsParameterName: S, MinTlsParameterValue: S, EngineDefaultValue: S, MinTlsSource: S, DefaultSources: list(S), EffectiveValue: S,
        MinimumTlsVersion: S, MinTlsUnknownReason: S,
      },
    },
    history: NOT_REBUILT('the TLS version join (it reads DB cluster parameter groups, which AWS Config does not record)'),
  },
  {
    id: 'rds.cluster-audit-settings', service: 'rds', operations: [],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional', dependsOn: ['rds.db-clusters', 'rds.cluster-parameters'],
    description: 'Join: each cluster with its database-auditing parameters and exported logs.',
    records: {
      fields: {
        DBClusterIdentifier: S, DBClusterArn: S, Engine: S, DBClusterParameterGroup: S, ParameterGroupRead: S,
        EnabledCloudwatchLogsExports: list(S), ServerAuditLogging: S, ServerAuditEvents: list(S), ServerAuditIncludeUsers: list(S),
        ServerAuditExcludeUsers: list(S), SharedPreloadLibraries: list(S), PgauditLog: list(S), PgauditLogClasses: list(S), PgauditRole: S,
      },
    },
    history: NOT_REBUILT('the audit settings join (it reads DB cluster parameter groups, which AWS Config does not record)'),
  },
  {
    id: 'kms.key-rotations', service: 'kms', operations: ['ListKeyRotations'],
    resourceType: 'AWS::KMS::Key', scope: 'regional', dependsOn: ['kms.keys'],
    description: 'Completed rotations of imported (EXTERNAL) keys the account owns, and the age of their key material.',
    records: {
      fields: {
        KeyArn: S, KeyOrigin: S, KeyOwner: S, KeyState: S, CreationDate: S, SameAccount: S,
        Rotations: list(sdk('kms', 'RotationsListEntry')), LastRotationDate: S, MaterialDate: S,
      },
    },
    history: { none: "AWS Config's history of AWS::KMS::Key keeps no list of completed rotations, so the age of key material cannot be rebuilt for a past date" },
  },
  {
    id: 'rds.engine-lifecycles', service: 'rds', operations: ['DescribeDBMajorEngineVersions'],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional', dependsOn: ['rds.db-clusters', 'rds.db-instances'],
    description: 'Each cluster and stand-alone instance with the support lifecycle of its major engine version.',
    records: {
      fields: {
        ResourceType: S, Identifier: S, Engine: S, EngineVersion: S, MajorEngineVersion: S,
        SupportedEngineLifecycles: list(sdk('rds', 'SupportedEngineLifecycle')), StandardSupportEndDate: S,
      },
    },
    history: NOT_REBUILT('engine support lifecycles (AWS publishes them, AWS Config does not record them)'),
  },
  {
    id: 'rds.instance-automated-backups', service: 'rds', operations: ['DescribeDBInstanceAutomatedBackups'],
    resourceType: 'AWS::RDS::DBInstanceAutomatedBackup', scope: 'regional',
    description: 'Automated backups of DB instances, including replicated and retained ones.',
    records: { spread: sdk('rds', 'DBInstanceAutomatedBackup'), fields: {} },
    history: { none: 'AWS Config keeps no configuration history of DB instance automated backups (no such Config resource type), so they cannot be rebuilt for a past date' },
  },
  {
    id: 'rds.global-clusters', service: 'rds', operations: ['DescribeGlobalClusters'],
    resourceType: 'AWS::RDS::GlobalCluster', scope: 'regional',
    description: 'Aurora global databases and their member clusters.',
    records: { spread: sdk('rds', 'GlobalCluster'), fields: {} },
    history: NOT_REBUILT('Aurora global databases'),
  },
  {
    id: 'rds.data-locations', service: 'rds', operations: [],
    resourceType: 'AWS::RDS::DBCluster', scope: 'regional',
    dependsOn: [...RDS_SOURCES, 'rds.instance-automated-backups', 'rds.global-clusters', 'rds.instance-snapshots'],
    description: 'Join: every copy of database data (clusters, instances, cluster and instance snapshots, backups, replicas) and its region.',
    records: { fields: { Kind: S, Identifier: S, Engine: S, Region: S, Via: S, CollectedIn: S } },
    history: NOT_REBUILT('the data locations join (the automated backups and global databases it reads are not rebuilt)'),
  },
  // ---- evidence read where it lives (issue 22) ----
  {
    id: 's3.buckets', service: 's3',
    operations: ['ListBuckets', 'GetObjectLockConfiguration', 'GetBucketVersioning', 'GetBucketEncryption',
      'GetBucketLifecycleConfiguration', 'GetBucketReplication', 'GetPublicAccessBlock'],
    resourceType: 'AWS::S3::Bucket', scope: 'global',
    description: 'Every S3 bucket the account owns (ListBuckets with BucketRegion), with its Object Lock, versioning, default encryption, lifecycle, replication and public access block, read in the bucket\'s region.',
    records: {
      fields: {
        Name: S, CreationDate: S, BucketRegion: S, ObjectLockConfiguration: sdk('s3', 'ObjectLockConfiguration'),
        Versioning: sdk('s3', 'GetBucketVersioningOutput'), ServerSideEncryptionConfiguration: sdk('s3', 'ServerSideEncryptionConfiguration'),
        LifecycleConfiguration: { fields: { Rules: list(sdk('s3', 'LifecycleRule')) } }, ReplicationConfiguration: sdk('s3', 'ReplicationConfiguration'),
        PublicAccessBlockConfiguration: sdk('s3', 'PublicAccessBlockConfiguration'),
        ReplicationDestinations: list({ fields: { Rule: S, Bucket: S, Account: S, SameAccount: S, Region: S, RegionFrom: S } }),
      },
    },
    history: 'rebuilt',
  },
  {
    id: 'cloudtrail.region-coverage', service: 'cloudtrail', operations: ['DescribeTrails'],
    resourceType: 'AWS::::Account', scope: 'regional',
    description: 'Which trails record this region (DescribeTrails with shadow trails): the multi-region trails, whatever their home region, and the single-region trails homed here.',
    records: {
      fields: {
        Region: S,
        MultiRegionTrails: list({ fields: { Name: S, TrailARN: S, HomeRegion: S, IsOrganizationTrail: S } }),
        SingleRegionTrails: list({ fields: { Name: S, TrailARN: S, HomeRegion: S, IsOrganizationTrail: S } }),
      },
    },
    history: { none: "AWS Config's history of AWS::CloudTrail::Trail keeps each trail's IsMultiRegionTrail, but this version does not rebuild which trails covered a region on a past date" },
  },
  {
    id: 'cloudtrail.trails', service: 'cloudtrail',
    // "s3:..." operations are another service's, called for the trail's bucket
    operations: ['DescribeTrails', 'GetTrailStatus', 'GetEventSelectors', 's3:ListBuckets', 's3:GetObjectLockConfiguration', 's3:GetBucketVersioning'],
    resourceType: 'AWS::CloudTrail::Trail', scope: 'regional',
    description: 'Every trail whose home region this is (shadow and organization trails included): its settings, status (IsLogging, delivery errors), event selectors, and its bucket\'s Object Lock read in the account that owns it.',
    records: {
      spread: sdk('cloudtrail', 'Trail'),
      fields: {
        Status: sdk('cloudtrail', 'GetTrailStatusResponse'), EventSelectors: list(sdk('cloudtrail', 'EventSelector')),
        AdvancedEventSelectors: list(sdk('cloudtrail', 'AdvancedEventSelector')),
        ManagementEvents: { fields: { Reads: S, Writes: S, KmsEventsExcluded: S, DecidedBy: S } },
        LogBucket: { fields: { Name: S, Account: S, BucketRegion: S, ObjectLockConfiguration: sdk('s3', 'ObjectLockConfiguration'), Versioning: sdk('s3', 'GetBucketVersioningOutput'), DefaultRetentionDays: S } },
      },
    },
    history: 'rebuilt',
  },
  {
    id: 'kms.customer-keys', service: 'kms',
    operations: ['ListKeys', 'DescribeKey', 'ListAliases', 'GetKeyRotationStatus', 'ListKeyRotations', 'GetKeyPolicy', 'ListGrants'],
    resourceType: 'AWS::KMS::Key', scope: 'regional',
    description: 'Every customer-managed KMS key of the account, whatever uses it: metadata, aliases, rotation status and period, completed rotations, key policy (and the company principals it lets use the key), grants.',
    records: {
      fields: {
        KeyMetadata: sdk('kms', 'KeyMetadata'), Aliases: list(S), KeyArns: list(S), KeyRotationEnabled: S, RotationPeriodInDays: S, NextRotationDate: S,
        Rotations: list(sdk('kms', 'RotationsListEntry')), LastRotationDate: S, KeyPolicy: ANY,
        CompanyAccess: list({ fields: { Principal: S, Sid: S, Actions: list(S) } }), CompanyPrincipals: list(S), Grants: list(sdk('kms', 'GrantListEntry')),
      },
    },
    history: 'rebuilt',
  },
  // ---- every copy of customer data and the edge (issue 23) ----
  {
    id: 'rds.instance-snapshots', service: 'rds', operations: ['DescribeDBSnapshots', 'DescribeDBSnapshotAttributes'],
    resourceType: 'AWS::RDS::DBSnapshot', scope: 'regional',
    description: 'Every DB instance snapshot the account owns (manual, automated, AWS Backup); manual ones with their restore (sharing) attributes.',
    records: { spread: sdk('rds', 'DBSnapshot'), fields: { DBSnapshotAttributes: list(sdk('rds', 'DBSnapshotAttribute')) } },
    history: 'rebuilt',
  },
  {
    id: 'backup.vaults', service: 'backup', operations: ['ListBackupVaults', 'DescribeBackupVault'],
    resourceType: 'AWS::Backup::BackupVault', scope: 'regional',
    description: 'Every AWS Backup vault with its Vault Lock state and minimum and maximum retention.',
    records: { spread: sdk('backup', 'DescribeBackupVaultOutput'), fields: {} },
    history: 'rebuilt',
  },
  {
    id: 'backup.recovery-points', service: 'backup', operations: ['ListBackupVaults', 'ListRecoveryPointsByBackupVault'],
    resourceType: 'AWS::Backup::RecoveryPoint', scope: 'regional',
    description: 'Every recovery point of every AWS Backup vault: resource, creation, lifecycle, calculated delete-at, encryption, status.',
    records: { spread: sdk('backup', 'RecoveryPointByBackupVault'), fields: { Region: S, Account: S } },
    history: 'rebuilt',
  },
  {
    id: 'backup.plans', service: 'backup', operations: ['ListBackupPlans', 'GetBackupPlan'],
    resourceType: 'AWS::Backup::BackupPlan', scope: 'regional',
    description: 'Every AWS Backup plan: its rules\' lifecycles and copy actions with their destination vaults.',
    records: {
      spread: sdk('backup', 'GetBackupPlanOutput'),
      fields: {
        CopyDestinations: list({ fields: { RuleName: S, DestinationBackupVaultArn: S, Region: S, Account: S, SameAccount: S, DeleteAfterDays: S, MoveToColdStorageAfterDays: S } }),
      },
    },
    history: 'rebuilt',
  },
  {
    id: 'elbv2.listeners', service: 'elasticloadbalancing',
    operations: ['DescribeLoadBalancers', 'DescribeListeners', 'DescribeSSLPolicies', 'DescribeRules'],
    resourceType: 'AWS::ElasticLoadBalancingV2::Listener', scope: 'regional',
    description: 'Every listener of every Application and Network Load Balancer: protocol, TLS policy and its protocols, and how HTTP listeners of internet-facing ALBs answer plain HTTP.',
    records: {
      spread: sdk('elasticloadbalancing', 'Listener'),
      fields: { LoadBalancerName: S, LoadBalancerType: S, Scheme: S, SslProtocols: list(S), Rules: list(sdk('elasticloadbalancing', 'Rule')), PlainHttpAnswers: list(S) },
    },
    history: 'rebuilt',
  },
  {
    id: 'cloudfront.distributions', service: 'cloudfront', operations: ['ListDistributions'],
    resourceType: 'AWS::CloudFront::Distribution', scope: 'global',
    description: 'Every CloudFront distribution: viewer certificate and minimum protocol, viewer protocol policies, origin protocols.',
    records: {
      spread: sdk('cloudfront', 'DistributionSummary'),
      fields: { ViewerProtocolPolicies: list(S), OriginSslProtocols: list(S), OriginProtocolPolicies: list(S) },
    },
    history: 'rebuilt',
  },
  {
    id: 'guardduty.detectors', service: 'guardduty',
    operations: ['ListDetectors', 'GetDetector', 'ListFindings', 'GetFindings'],
    resourceType: 'AWS::GuardDuty::Detector', scope: 'regional',
    description: 'The region\'s GuardDuty detector (or "not configured"): status, features, and the open high-severity findings with their creation time.',
    records: {
      spread: sdk('guardduty', 'GetDetectorResponse'),
      fields: {
        DetectorId: S, DisabledFeatures: list(S), OpenHighFindingsCount: S, OldestOpenHighFindingCreatedAt: S,
        OpenHighFindings: list({ fields: { Id: S, Type: S, Severity: S, CreatedAt: S } }),
      },
    },
    history: 'rebuilt',
  },
  {
    id: 'logs.log-groups', service: 'logs', operations: ['DescribeLogGroups'],
    resourceType: 'AWS::Logs::LogGroup', scope: 'regional', dependsOn: ['rds.db-clusters', 'cloudtrail.trails'],
    description: 'The CloudWatch Logs groups the clusters\' exported database logs and the trails write to: retention and KMS key.',
    records: { spread: sdk('logs', 'LogGroup'), fields: { Exists: S, WrittenBy: list(S) } },
    history: { none: 'CloudWatch Logs log groups are not a resource type AWS Config records, so their retention cannot be rebuilt for a past date' },
  },
] as const satisfies readonly CollectorDeclaration[];

/** The id of a declared collector: a typo in code that names one is a compile error. */
export type CollectorId = (typeof DECLARATIONS)[number]['id'];
