// Fixture AWS Backup resources of one region: vaults (with Vault Lock), their recovery points
// and backup plans, shaped as ListBackupVaults / DescribeBackupVault /
// ListRecoveryPointsByBackupVault / ListBackupPlans / GetBackupPlan return them.
import type { Cursor } from './reader.js';
import { resourceToken } from './defaults.js';
import type { BackupPlan, BackupRegion, BackupVault, WireObject } from './model.js';
import { arn, DAY, type Ctx } from './fixture-context.js';
import { findKey } from './fixture-kms.js';




function lifecycle(c: Cursor): WireObject | undefined {
  if (!c.has('delete_after_days') && !c.has('cold_after_days')) return undefined;
  return {
    ...(c.has('cold_after_days') ? { MoveToColdStorageAfterDays: c.num('cold_after_days', undefined, 1) } : {}),
    ...(c.has('delete_after_days') ? { DeleteAfterDays: c.num('delete_after_days', undefined, 1) } : {}),
    OptInToArchiveForSupportedResources: false,
  };
}

function keyArn(c: Cursor, ctx: Ctx): string {
  const ref = c.str('key', 'aws/backup');
  return /^arn:aws:kms:/.test(ref) ? ref : findKey(ctx, ref, c.at('key')).metadata.Arn;
}

function resourceTypeOf(resource: string): string {
  if (/:rds:[^:]*:\d+:cluster:/.test(resource)) return 'Aurora';
  if (/:rds:/.test(resource)) return 'RDS';
  if (/:s3:::/.test(resource)) return 'S3';
  if (/:dynamodb:/.test(resource)) return 'DynamoDB';
  if (/:ec2:[^:]*:\d*:volume\//.test(resource)) return 'EBS';
  return 'EC2';
}

function readRecoveryPoint(c: Cursor, ctx: Ctx, vault: BackupVault['vault'], index: number): WireObject {
  c.keys(['resource', 'created', 'delete_after_days', 'cold_after_days', 'continuous', 'key', 'encrypted', 'status', 'source_vault', 'plan']);
  const resource = c.str('resource');
  const created = c.date('created', '1 day ago');
  const life = lifecycle(c);
  const continuous = c.bool('continuous', false);
  const type = resourceTypeOf(resource);
  const token = resourceToken(24, ctx.account, ctx.region, vault.BackupVaultName, resource, String(index)).toLowerCase();
  const rpArn = type === 'RDS' || type === 'Aurora'
    ? arn(ctx, 'rds', `${type === 'Aurora' ? 'cluster-snapshot' : 'snapshot'}:awsbackup:${continuous ? 'continuous:' : ''}job-${token.slice(0, 8)}`)
    : arn(ctx, 'backup', `recovery-point:${token}`);
  const encrypted = c.bool('encrypted', true);
  const deleteAt = life?.['DeleteAfterDays'] !== undefined ? new Date(created.getTime() + Number(life['DeleteAfterDays']) * DAY) : undefined;
  const coldAt = life?.['MoveToColdStorageAfterDays'] !== undefined ? new Date(created.getTime() + Number(life['MoveToColdStorageAfterDays']) * DAY) : undefined;
  return {
    RecoveryPointArn: rpArn,
    BackupVaultName: vault.BackupVaultName,
    BackupVaultArn: vault.BackupVaultArn,
    ...(c.has('source_vault') ? { SourceBackupVaultArn: c.str('source_vault') } : {}),
    ResourceArn: resource,
    ResourceType: type,
    ResourceName: resource.split(/[:/]/).pop(),
    ...(c.has('plan') ? { CreatedBy: { BackupPlanId: c.str('plan'), BackupPlanArn: arn(ctx, 'backup', `backup-plan:${c.str('plan')}`), BackupPlanVersion: 'ZjQ2ZmY5', BackupRuleId: resourceToken(12, c.str('plan')) } } : {}),
    IamRoleArn: `arn:aws:iam::${ctx.account}:role/service-role/AWSBackupDefaultServiceRole`,
    Status: c.oneOf('status', ['COMPLETED', 'PARTIAL', 'DELETING', 'EXPIRED', 'AVAILABLE', 'STOPPED', 'CREATING'] as const, 'COMPLETED'),
    CreationDate: created,
    CompletionDate: new Date(created.getTime() + 20 * 60_000),
    BackupSizeInBytes: 10_737_418_240,
    ...(life ? { Lifecycle: life } : {}),
    ...(deleteAt || coldAt ? { CalculatedLifecycle: { ...(coldAt ? { MoveToColdStorageAt: coldAt } : {}), ...(deleteAt ? { DeleteAt: deleteAt } : {}) } } : {}),
    ...(encrypted ? { EncryptionKeyArn: keyArn(c, ctx) } : {}),
    IsEncrypted: encrypted,
    VaultType: String(vault['VaultType']),
    ...(encrypted ? { EncryptionKeyType: 'CUSTOMER_MANAGED_KMS_KEY' } : {}),
  };
}

function readVault(c: Cursor, ctx: Ctx): BackupVault {
  c.keys(['name', 'key', 'created', 'lock', 'recovery_points']);
  const name = c.str('name');
  const lock = c.has('lock') ? c.at('lock').keys(['min_days', 'max_days', 'locked_on']) : undefined;
  const vault: BackupVault['vault'] = {
    BackupVaultName: name,
    BackupVaultArn: arn(ctx, 'backup', `backup-vault:${name}`),
    VaultType: 'BACKUP_VAULT',
    VaultState: 'AVAILABLE',
    CreationDate: c.date('created', '400 days ago'),
    EncryptionKeyArn: keyArn(c, ctx),
    CreatorRequestId: resourceToken(12, ctx.account, name),
    Locked: lock !== undefined,
    ...(lock?.has('min_days') ? { MinRetentionDays: lock.num('min_days', undefined, 1) } : {}),
    ...(lock?.has('max_days') ? { MaxRetentionDays: lock.num('max_days', undefined, 1) } : {}),
    ...(lock?.has('locked_on') ? { LockDate: lock.date('locked_on') } : {}),
  };
  const v: BackupVault = { vault, recoveryPoints: [] };
  v.recoveryPoints = c.list('recovery_points').map((rc, i) => readRecoveryPoint(rc, ctx, vault, i));
  vault['NumberOfRecoveryPoints'] = v.recoveryPoints.length;
  return v;
}

function readPlan(c: Cursor, ctx: Ctx): BackupPlan {
  c.keys(['name', 'created', 'rules']);
  const name = c.str('name');
  const id = [8, 4, 4, 4, 12].map((n, i) => resourceToken(n, ctx.account, ctx.region, name, String(i)).toLowerCase()).join('-');
  const created = c.date('created', '300 days ago');
  const rules = c.list('rules').map((rc): WireObject => {
    rc.keys(['name', 'vault', 'schedule', 'delete_after_days', 'cold_after_days', 'continuous', 'copy_to']);
    const life = lifecycle(rc);
    const copies = rc.list('copy_to').map((cc): WireObject => {
      cc.keys(['vault_arn', 'delete_after_days', 'cold_after_days']);
      const l = lifecycle(cc);
      return { ...(l ? { Lifecycle: l } : {}), DestinationBackupVaultArn: cc.str('vault_arn') };
    });
    const ruleName = rc.str('name');
    return {
      RuleName: ruleName,
      TargetBackupVaultName: rc.str('vault', 'Default'),
      ScheduleExpression: rc.str('schedule', 'cron(0 5 ? * * *)'),
      StartWindowMinutes: 480,
      CompletionWindowMinutes: 10080,
      ...(life ? { Lifecycle: life } : {}),
      RuleId: [8, 4, 4, 4, 12].map((n, i) => resourceToken(n, id, ruleName, String(i)).toLowerCase()).join('-'),
      ...(copies.length > 0 ? { CopyActions: copies } : {}),
      EnableContinuousBackup: rc.bool('continuous', false),
      ScheduleExpressionTimezone: 'Etc/UTC',
    };
  });
  const versionId = resourceToken(32, id, 'v1');
  return {
    summary: {
      BackupPlanArn: arn(ctx, 'backup', `backup-plan:${id}`), BackupPlanId: id, CreationDate: created, VersionId: versionId,
      BackupPlanName: name, CreatorRequestId: resourceToken(12, id), LastExecutionDate: new Date(ctx.now.getTime() - DAY / 4),
    },
    plan: { BackupPlanName: name, Rules: rules },
  };
}

export function readBackupRegion(c: Cursor, ctx: Ctx): BackupRegion {
  c.keys(['vaults', 'plans']);
  const vaults = c.list('vaults').map((vc) => readVault(vc, ctx));
  const names = new Set<string>();
  vaults.forEach((v, i) => {
    if (names.has(v.vault.BackupVaultName)) c.fail(`backup vault ${v.vault.BackupVaultName} appears twice in ${ctx.region}`, [...c.path, 'vaults', i]);
    names.add(v.vault.BackupVaultName);
  });
  return { vaults, plans: c.list('plans').map((pc) => readPlan(pc, ctx)) };
}
