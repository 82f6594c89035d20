// The resolved fixture: every field already in the shape AWS returns it, every date absolute.
// Handlers filter and page these objects; the wire layer only encodes them.

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
  keys: Key[];
  aliases: Alias[];
  config: ConfigRegion;
}

export interface Account {
  id: string;
  callerArn: string;
  callerUserId: string;
  regions: Record<string, Region>;
}

export interface Fixture {
  accounts: Account[];
}

/** An empty region: what a region absent from the fixture answers. */
export function emptyRegion(name: string): Region {
  return {
    name, clusters: [], instances: [], snapshots: [], snapshotAttributes: {}, automatedBackups: [],
    parameterGroups: [], keys: [], aliases: [], config: { recorders: [], statuses: [], rules: [] },
  };
}
