#!/usr/bin/env node
// Generates collectors/record-fields.generated.ts: for each collector, every field path its
// records' `data` can have. The fields come from the output shapes of the installed AWS SDK
// clients (the Smithy schemas each @aws-sdk/client-* package ships and exports), plus the
// fields a collector adds itself, declared below and documented in collectors/README.md
// (test/record-fields.test.ts checks both). Never from a fixture: a path the sandbox happens not
// to serve is still a real field, and a typo is not one whatever a fixture holds.
//
// The control loader checks every scope and assert path against this table, so a control that
// reads `Engin` is an error at load time, not a silent NOT_APPLICABLE.
//
//   node scripts/gen-record-fields.mjs           write the module (after an SDK upgrade)
//   node scripts/gen-record-fields.mjs --check   exit 1 when the committed module differs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
export const OUTPUT = join(root, 'collectors', 'record-fields.generated.ts');

const RDS = '@aws-sdk/client-rds';
const KMS = '@aws-sdk/client-kms';
const CONFIG = '@aws-sdk/client-config-service';
const STS = '@aws-sdk/client-sts';
const S3 = '@aws-sdk/client-s3';
const CLOUDTRAIL = '@aws-sdk/client-cloudtrail';
const BACKUP = '@aws-sdk/client-backup';
const ELBV2 = '@aws-sdk/client-elastic-load-balancing-v2';
const CLOUDFRONT = '@aws-sdk/client-cloudfront';
const GUARDDUTY = '@aws-sdk/client-guardduty';
const LOGS = '@aws-sdk/client-cloudwatch-logs';

// Field declarations: `{ sdk: [package, shape] }` is an SDK structure as returned; `S` a scalar
// the collector computes; `{ list: x }` a list of x; `{ fields: {...} }` a structure the
// collector builds. `spread` is an SDK structure whose fields sit at the top of the record.
const S = 'scalar';
/** a value whose fields the collector does not fix (a rule's own input parameters) */
const ANY = 'any';
const sdk = (pkg, shape) => ({ sdk: [pkg, shape] });
const list = (x) => ({ list: x });

/** collector id -> the shape of its records' data (as collectors/README.md documents it) */
export const RECORDS = {
  'sts.caller-identity': { spread: sdk(STS, 'GetCallerIdentityResponse'), fields: {} },
  'rds.db-clusters': { spread: sdk(RDS, 'DBCluster'), fields: {} },
  'rds.db-instances': { spread: sdk(RDS, 'DBInstance'), fields: {} },
  'rds.cluster-snapshots': {
    spread: sdk(RDS, 'DBClusterSnapshot'),
    fields: { DBClusterSnapshotAttributes: list(sdk(RDS, 'DBClusterSnapshotAttribute')) },
  },
  'rds.cluster-automated-backups': { spread: sdk(RDS, 'DBClusterAutomatedBackup'), fields: {} },
  'rds.cluster-parameters': { fields: { DBClusterParameterGroupName: S, Parameters: list(sdk(RDS, 'Parameter')) } },
  'rds.engine-default-cluster-parameters': { fields: { DBParameterGroupFamily: S, Parameters: list(sdk(RDS, 'Parameter')) } },
  'kms.keys': {
    fields: { KeyMetadata: sdk(KMS, 'KeyMetadata'), KeyRotationEnabled: S, RotationPeriodInDays: S, NextRotationDate: S, Aliases: list(S), KeyArns: list(S) },
  },
  'rds.cluster-topology': {
    fields: {
      DBClusterIdentifier: S, DBClusterArn: S, Engine: S, StorageAvailabilityZones: list(S),
      Members: list({ fields: { DBInstanceIdentifier: S, IsClusterWriter: S, AvailabilityZone: S } }),
      MemberAvailabilityZones: list(S), MemberCount: S, HasWriter: S, GlobalClusterIdentifier: S,
    },
  },
  'rds.cluster-tls': {
    fields: { DBClusterIdentifier: S, DBClusterArn: S, Engine: S, DBClusterParameterGroup: S, TlsParameterName: S, TlsParameterValue: S },
  },
  'rds.encryption-keys': {
    fields: {
      ResourceType: S, ResourceId: S, Engine: S, StorageEncrypted: S, KmsKeyId: S, KeyManager: S, KeySpec: S, KeyOrigin: S,
      KeyState: S, KeyRotationEnabled: S, KeyAliases: list(S),
    },
  },
  // ---- catalog (issue 11) ----
  'rds.cluster-tls-version': {
    fields: {
      DBClusterIdentifier: S, DBClusterArn: S, Engine: S, EngineVersion: S, DBClusterParameterGroup: S, DBParameterGroupFamily: S,
      MinTlsParameterName: S, MinTlsParameterValue: S, EngineDefaultValue: S, MinTlsSource: S, DefaultSources: list(S), EffectiveValue: S,
      MinimumTlsVersion: S, MinTlsUnknownReason: S,
    },
  },
  'rds.cluster-audit-settings': {
    fields: {
      DBClusterIdentifier: S, DBClusterArn: S, Engine: S, DBClusterParameterGroup: S, ParameterGroupRead: S,
      EnabledCloudwatchLogsExports: list(S), ServerAuditLogging: S, ServerAuditEvents: list(S), ServerAuditIncludeUsers: list(S),
      ServerAuditExcludeUsers: list(S), SharedPreloadLibraries: list(S), PgauditLog: list(S), PgauditLogClasses: list(S), PgauditRole: S,
    },
  },
  'kms.key-rotations': {
    fields: {
      KeyArn: S, KeyOrigin: S, KeyOwner: S, KeyState: S, CreationDate: S, SameAccount: S,
      Rotations: list(sdk(KMS, 'RotationsListEntry')), LastRotationDate: S, MaterialDate: S,
    },
  },
  'rds.engine-lifecycles': {
    fields: {
      ResourceType: S, Identifier: S, Engine: S, EngineVersion: S, MajorEngineVersion: S,
      SupportedEngineLifecycles: list(sdk(RDS, 'SupportedEngineLifecycle')), StandardSupportEndDate: S,
    },
  },
  'rds.instance-automated-backups': { spread: sdk(RDS, 'DBInstanceAutomatedBackup'), fields: {} },
  'rds.global-clusters': { spread: sdk(RDS, 'GlobalCluster'), fields: {} },
  'rds.instance-snapshots': {
    spread: sdk(RDS, 'DBSnapshot'),
    fields: { DBSnapshotAttributes: list(sdk(RDS, 'DBSnapshotAttribute')) },
  },
  'backup.vaults': { spread: sdk(BACKUP, 'DescribeBackupVaultOutput'), fields: {} },
  'backup.recovery-points': { spread: sdk(BACKUP, 'RecoveryPointByBackupVault'), fields: { Region: S, Account: S } },
  'backup.plans': {
    spread: sdk(BACKUP, 'GetBackupPlanOutput'),
    fields: {
      CopyDestinations: list({ fields: { RuleName: S, DestinationBackupVaultArn: S, Region: S, Account: S, SameAccount: S, DeleteAfterDays: S, MoveToColdStorageAfterDays: S } }),
    },
  },
  'elbv2.listeners': {
    spread: sdk(ELBV2, 'Listener'),
    fields: { LoadBalancerName: S, LoadBalancerType: S, Scheme: S, SslProtocols: list(S), Rules: list(sdk(ELBV2, 'Rule')), PlainHttpAnswers: list(S) },
  },
  'cloudfront.distributions': {
    spread: sdk(CLOUDFRONT, 'DistributionSummary'),
    fields: { ViewerProtocolPolicies: list(S), OriginSslProtocols: list(S), OriginProtocolPolicies: list(S) },
  },
  'rds.data-locations': { fields: { Kind: S, Identifier: S, Engine: S, Region: S, Via: S, CollectedIn: S } },
  'config.recorders': { fields: { ConfigurationRecorder: sdk(CONFIG, 'ConfigurationRecorder'), Status: sdk(CONFIG, 'ConfigurationRecorderStatus') } },
  'config.rules': { fields: { ConfigRule: sdk(CONFIG, 'ConfigRule'), Compliance: sdk(CONFIG, 'ComplianceByConfigRule') } },
  'config.rule-evaluations': {
    spread: sdk(CONFIG, 'EvaluationResult'),
    fields: { ConfigRuleName: S, SourceIdentifier: S, ResourceType: S, ResourceId: S, ComplianceType: S, RecorderRecording: S,
      SourceOwner: S, InputParameters: ANY, CreatedBy: S },
  },
  // ---- evidence read where it lives (issue 22) ----
  's3.buckets': {
    fields: {
      Name: S, CreationDate: S, BucketRegion: S, ObjectLockConfiguration: sdk(S3, 'ObjectLockConfiguration'),
      Versioning: sdk(S3, 'GetBucketVersioningOutput'), ServerSideEncryptionConfiguration: sdk(S3, 'ServerSideEncryptionConfiguration'),
      LifecycleConfiguration: { fields: { Rules: list(sdk(S3, 'LifecycleRule')) } }, ReplicationConfiguration: sdk(S3, 'ReplicationConfiguration'),
      PublicAccessBlockConfiguration: sdk(S3, 'PublicAccessBlockConfiguration'),
      ReplicationDestinations: list({ fields: { Rule: S, Bucket: S, Account: S, SameAccount: S, Region: S, RegionFrom: S } }),
    },
  },
  'cloudtrail.trails': {
    spread: sdk(CLOUDTRAIL, 'Trail'),
    fields: {
      Status: sdk(CLOUDTRAIL, 'GetTrailStatusResponse'), EventSelectors: list(sdk(CLOUDTRAIL, 'EventSelector')),
      AdvancedEventSelectors: list(sdk(CLOUDTRAIL, 'AdvancedEventSelector')),
      ManagementEvents: { fields: { Reads: S, Writes: S, KmsEventsExcluded: S, DecidedBy: S } },
      LogBucket: { fields: { Name: S, Account: S, BucketRegion: S, ObjectLockConfiguration: sdk(S3, 'ObjectLockConfiguration'), Versioning: sdk(S3, 'GetBucketVersioningOutput'), DefaultRetentionDays: S } },
    },
  },
  'cloudtrail.region-coverage': {
    fields: {
      Region: S,
      MultiRegionTrails: list({ fields: { Name: S, TrailARN: S, HomeRegion: S, IsOrganizationTrail: S } }),
      SingleRegionTrails: list({ fields: { Name: S, TrailARN: S, HomeRegion: S, IsOrganizationTrail: S } }),
    },
  },
  'logs.log-groups': { spread: sdk(LOGS, 'LogGroup'), fields: { Exists: S, WrittenBy: list(S) } },
  'guardduty.detectors': {
    spread: sdk(GUARDDUTY, 'GetDetectorResponse'),
    fields: {
      DetectorId: S, DisabledFeatures: list(S), OpenHighFindingsCount: S, OldestOpenHighFindingCreatedAt: S,
      OpenHighFindings: list({ fields: { Id: S, Type: S, Severity: S, CreatedAt: S } }),
    },
  },
  'kms.customer-keys': {
    fields: {
      KeyMetadata: sdk(KMS, 'KeyMetadata'), Aliases: list(S), KeyArns: list(S), KeyRotationEnabled: S, RotationPeriodInDays: S, NextRotationDate: S,
      Rotations: list(sdk(KMS, 'RotationsListEntry')), LastRotationDate: S, KeyPolicy: ANY,
      CompanyAccess: list({ fields: { Principal: S, Sid: S, Actions: list(S) } }), CompanyPrincipals: list(S), Grants: list(sdk(KMS, 'GrantListEntry')),
    },
  },
};

// ---- reading the SDK's Smithy schemas ----------------------------------------------------
// A client exports each structure as `<Name>$`: [3, namespace, name, traits, memberNames,
// memberSchemas]; lists are [1, ns, name, traits, member], maps [2, ns, name, traits, key,
// value], aliases [0, ns, name, traits, target]; members are a number (a simple type; bit 64 a
// list of it, bit 128 a map of it), a lazy reference `() => schema`, or `[reference, traits]`.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const clients = new Map();
function client(pkg) {
  if (!clients.has(pkg)) clients.set(pkg, require(pkg));
  return clients.get(pkg);
}

const DOCUMENT = 15;

function deref(s) {
  for (;;) {
    if (typeof s === 'function') s = s();
    else if (Array.isArray(s) && s.length === 2) s = s[0];
    else if (Array.isArray(s) && s[0] === 0) s = s[4];
    else return s;
  }
}

/** The field tree of a schema: 0 scalar, 1 anything, {s, f} structure, {l} list, {m} map. */
function tree(schema, stack) {
  const s = deref(schema);
  if (typeof s === 'number') {
    if (s & 128) return { m: (s & 127) === DOCUMENT ? 1 : 0 };
    if (s & 64) return { l: (s & 63) === DOCUMENT ? 1 : 0 };
    return s === DOCUMENT ? 1 : 0;
  }
  if (!Array.isArray(s)) throw new Error(`unexpected schema ${String(s)}`);
  const kind = s[0];
  if (kind === 1) return { l: tree(s[4], stack) };
  if (kind === 2) return { m: tree(s[5], stack) };
  if (kind === 3 || kind === -3) {
    const name = s[2];
    if (stack.includes(name)) return 1; // a recursive shape: below this, anything
    const f = {};
    s[4].forEach((member, i) => { f[member] = tree(s[5][i], [...stack, name]); });
    return { s: name, f };
  }
  throw new Error(`unexpected schema kind ${kind} in ${JSON.stringify(s).slice(0, 80)}`);
}

function sdkTree([pkg, shape]) {
  const schema = client(pkg)[`${shape}$`];
  if (!schema) throw new Error(`${pkg} exports no shape ${shape}`);
  return tree(schema, []);
}

function declared(x) {
  if (x === S) return 0;
  if (x === ANY) return 1;
  if (x.sdk) return sdkTree(x.sdk);
  if (x.list) return { l: declared(x.list) };
  if (x.fields) return { f: Object.fromEntries(Object.entries(x.fields).map(([k, v]) => [k, declared(v)])) };
  throw new Error(`bad declaration ${JSON.stringify(x)}`);
}

/** A record shape (see RECORDS) as the field tree the control loader checks paths against. */
export function recordTree(spec) {
  const base = spec.spread ? sdkTree(spec.spread.sdk) : { f: {} };
  const added = declared({ fields: spec.fields });
  return { ...(base.s ? { s: base.s } : {}), f: { ...base.f, ...added.f } };
}

function versionOf(pkg) {
  return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
}

export function generate() {
  const table = Object.fromEntries(Object.entries(RECORDS).map(([id, spec]) => [id, recordTree(spec)]));
  const versions = [RDS, KMS, CONFIG, STS, BACKUP, ELBV2, CLOUDFRONT].map((p) => `${p}@${versionOf(p)}`).join(', ');
  return '// GENERATED by scripts/gen-record-fields.mjs: do not edit.\n'
    + `// From the output shapes of ${versions},\n`
    + "// plus the fields each collector adds (collectors/README.md). Run the script after an SDK upgrade.\n"
    + '// A field tree: 0 a scalar, 1 anything, {s: shape name, f: fields} a structure, {l: item} a list, {m: value} a map.\n'
    + "import type { FieldTree } from '../src/controls/record-paths.js';\n\n"
    + 'export const RECORD_FIELDS: Readonly<Record<string, FieldTree>> = {\n'
    + Object.entries(table).map(([id, t]) => `  ${JSON.stringify(id)}: ${JSON.stringify(t)},\n`).join('')
    + '};\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = generate();
  let current = '';
  try { current = readFileSync(OUTPUT, 'utf8'); } catch { /* missing: stale, or the first run */ }
  if (process.argv.includes('--check')) {
    if (current !== text) {
      console.error(`${OUTPUT} is stale: run node scripts/gen-record-fields.mjs`);
      process.exit(1);
    }
  } else if (current !== text) {
    writeFileSync(OUTPUT, text);
  }
}
