// The resolved fixture: every field already in the shape AWS returns it, every date absolute.
// Handlers filter and page these objects; the wire layer only encodes them.
import type { RateLimits } from './rate-limits.js';

/** A value the wire encoders can write: Dates become ISO 8601 (XML) or epoch seconds (JSON). */
export type WireValue = string | number | boolean | Date | undefined | WireValue[] | { [k: string]: WireValue };
export type WireObject = { [k: string]: WireValue };

export interface Tag extends WireObject { Key: string; Value: string }

export interface DBCluster extends WireObject {
  DBClusterIdentifier: string;
  DBClusterArn: string;
  Engine: string;
  EngineVersion: string;
  StorageEncrypted: boolean;
  KmsKeyId?: string;
  DBClusterParameterGroup: string;
  DBClusterMembers: WireObject[];
  TagList: Tag[];
  DbClusterResourceId: string;
  BackupRetentionPeriod: number;
}

export interface DBInstance extends WireObject {
  DBInstanceIdentifier: string;
  DBInstanceArn: string;
  Engine: string;
  DBClusterIdentifier?: string;
}

export interface DBClusterSnapshot extends WireObject {
  DBClusterSnapshotIdentifier: string;
  DBClusterIdentifier: string;
  SnapshotType: string;
  Engine: string;
  DBClusterSnapshotArn: string;
}

export interface SnapshotAttribute extends WireObject { AttributeName: string; AttributeValues: string[] }

export interface DBClusterAutomatedBackup extends WireObject {
  DBClusterIdentifier: string;
  DbClusterResourceId: string;
  Status: string;
  DBClusterAutomatedBackupsArn: string;
}

export interface Parameter extends WireObject { ParameterName: string; Source: string }

export interface ParameterGroup {
  /** as DescribeDBClusterParameterGroups returns it */
  group: WireObject & { DBClusterParameterGroupName: string };
  parameters: Parameter[];
}

export interface Key {
  metadata: WireObject & { KeyId: string; Arn: string; Origin: string; KeyManager: string };
  /** rotation state as GetKeyRotationStatus reports it (ignored for keys that cannot rotate) */
  rotationEnabled: boolean;
  rotationPeriodInDays?: number;
  nextRotationDate?: Date;
  /** ListKeyRotations answers: completed rotations, oldest first */
  rotations?: WireObject[];
  /** key policy: operations (DescribeKey, GetKeyRotationStatus) other accounts may call, by account */
  grants?: Record<string, string[]>;
  /** key policy: operations denied even to the owner's own principals */
  deny?: string[];
  /** GetKeyPolicy's answer (policy name "default"): the key policy document as JSON text */
  policy?: string;
  /** ListGrants answers */
  grantList?: WireObject[];
  /** PKCS#8 PEM of an asymmetric SIGN_VERIFY key's private half (made with node:crypto when the fixture loads) */
  privateKeyPem?: string;
}

export interface Alias extends WireObject { AliasName: string; AliasArn: string; TargetKeyId?: string }

export interface ConfigRule {
  rule: WireObject & { ConfigRuleName: string };
  /** EvaluationResult objects as GetComplianceDetailsByConfigRule returns them */
  evaluations: (WireObject & { ComplianceType: string })[];
}

export interface ConfigRegion {
  recorders: (WireObject & { name: string })[];
  statuses: (WireObject & { name: string })[];
  rules: ConfigRule[];
}

export interface Region {
  name: string;
  clusters: DBCluster[];
  instances: DBInstance[];
  snapshots: DBClusterSnapshot[];
  /** DescribeDBClusterSnapshotAttributes answers, by snapshot identifier */
  snapshotAttributes: Record<string, SnapshotAttribute[]>;
  automatedBackups: DBClusterAutomatedBackup[];
  parameterGroups: ParameterGroup[];
  /** DescribeEngineDefaultClusterParameters: per family, values that differ from the built-in catalog (null: no ParameterValue) */
  engineDefaults?: Record<string, Record<string, string | null>>;
  keys: Key[];
  aliases: Alias[];
  config: ConfigRegion;
  /** DescribeGlobalClusters answers: global databases with a member in this region */
  globalClusters?: WireObject[];
  /** DescribeDBInstanceAutomatedBackups answers (stand-alone instances only; Aurora has none) */
  instanceAutomatedBackups?: WireObject[];
  /** snapshots and parameter groups deleted while a run reads them: listed, then NotFound on the detail call */
  vanishing?: string[];
  /** AWS Config's configuration history (fixture-history.ts); absent: nothing recorded */
  history?: import('./history-model.js').HistoryRegion;
  /** CloudWatch Logs groups as DescribeLogGroups returns them (fixture log_groups, plus the groups RDS and trails write to) */
  logGroups?: (WireObject & { logGroupName: string })[];
  /** the region's GuardDuty detector (fixture-guardduty.ts); absent: none */
  guardduty?: Detector;
  /** CloudTrail trails whose home region this is (fixture-cloudtrail.ts) */
  trails?: Trail[];
  /** RDS lists end with an empty page that the previous page's marker named */
  emptyLastPage?: boolean;
  /** DescribeDBSnapshots answers (DB instance snapshots: manual, automated, awsbackup) */
  instanceSnapshots?: WireObject[];
  /** DescribeDBSnapshotAttributes answers, by DB snapshot identifier */
  instanceSnapshotAttributes?: Record<string, SnapshotAttribute[]>;
  /** AWS Backup: vaults, their recovery points, plans (fixture-backup.ts) */
  backup?: BackupRegion;
  /** Elastic Load Balancing v2: load balancers, listeners, rules (fixture-edge.ts) */
  elbv2?: Elbv2Region;
}

export interface Account {
  id: string;
  callerArn: string;
  callerUserId: string;
  regions: Record<string, Region>;
  /** role names sts:AssumeRole may assume here; undefined: any role */
  roles?: string[];
  /** S3 buckets the account owns (fixture-s3.ts); S3 is global, each bucket names its region */
  buckets?: FixtureBucket[];
  /** RegionOptStatus of opt-in regions, as account:ListRegions reports them (see fixture-estate.ts) */
  optInRegions?: Record<string, string>;
  /** CloudFront distributions (global), as ListDistributions returns them (fixture-edge.ts) */
  cloudfront?: WireObject[];
}

export interface Fixture {
  accounts: Account[];
  /** AWS Organizations, when the fixture has one (fixture-estate.ts) */
  organization?: Organization;
  /** request throttling per account and region (rate-limits.ts); none: no throttling */
  rateLimits?: RateLimits;
}

/** An organization: its management account and every member as ListAccounts returns it. */
export interface Organization {
  id: string;
  management: string;
  /** ListAccounts entries (Id, Arn, Email, Name, State, JoinedMethod, JoinedTimestamp) */
  accounts: (WireObject & { Id: string; State: string })[];
}

/** An empty region: what a region absent from the fixture answers. */
export function emptyRegion(name: string): Region {
  return {
    name, clusters: [], instances: [], snapshots: [], snapshotAttributes: {}, automatedBackups: [],
    parameterGroups: [], keys: [], aliases: [], config: { recorders: [], statuses: [], rules: [] },
  };
}

// The fixture shapes of the services added for issues 22 and 23, here rather than beside their
// readers so that the model imports nothing of the fixture modules (no import cycle).
export interface Detector {
  detectorId: string;
  /** GetDetector's answer */
  detector: WireObject;
  /** full findings as GetFindings returns them */
  findings: WireObject[];
}

export interface Trail {
  /** the DescribeTrails trailList entry */
  trail: WireObject & { Name: string; TrailARN: string; HomeRegion: string; IsMultiRegionTrail: boolean };
  /** GetTrailStatus's answer */
  status: WireObject;
  /** GetEventSelectors: basic (EventSelectors) or advanced (AdvancedEventSelectors), never both */
  selectors: { EventSelectors?: WireObject[]; AdvancedEventSelectors?: WireObject[] };
}

export interface BackupVault {
  /** as DescribeBackupVault returns it (ListBackupVaults returns the same members) */
  vault: WireObject & { BackupVaultName: string; BackupVaultArn: string };
  recoveryPoints: WireObject[];
}

export interface BackupPlan {
  /** the BackupPlansList entry */
  summary: WireObject & { BackupPlanId: string };
  /** GetBackupPlan's BackupPlan member */
  plan: WireObject;
}

export interface BackupRegion { vaults: BackupVault[]; plans: BackupPlan[] }

export interface LoadBalancer {
  lb: WireObject & { LoadBalancerArn: string };
  listeners: { listener: WireObject & { ListenerArn: string }; rules: WireObject[] }[];
}

export interface Elbv2Region { loadBalancers: LoadBalancer[] }

export interface FixtureBucket {
  name: string;
  region: string;
  created: Date;
  objectLock?: WireObject;
  versioning: WireObject;
  encryption?: WireObject;
  lifecycle?: WireObject[];
  replication?: WireObject;
  publicAccessBlock?: WireObject;
  denied: string[];
}
