// AWS Backup (REST-JSON): the read calls trustpack makes, shaped after the AWS Backup API
// reference. Path parameters arrive in ctx.query beside the query string (see `backupRoute`).
import { ApiError } from '../errors.js';
import { page } from '../paging.js';
import type { WireObject } from '../model.js';
import type { CallContext, Handler } from './context.js';

function maxResults(ctx: CallContext): number {
  const raw = ctx.query.get('maxResults');
  if (raw === null) return 1000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new ApiError('InvalidParameterValueException', 400, `Invalid value ${raw} for maxResults (1 to 1000)`);
  return n;
}

function paged(ctx: CallContext, scope: string, items: WireObject[], listName: string): Record<string, WireObject[] | string | undefined> {
  const p = page(items, maxResults(ctx), ctx.query.get('nextToken') ?? undefined, `backup:${scope}`,
    () => new ApiError('InvalidParameterValueException', 400, 'The next token is not valid.'));
  return { [listName]: p.items, NextToken: p.next };
}

function vaultOf(ctx: CallContext) {
  const name = ctx.query.get('BackupVaultName') ?? '';
  const v = ctx.region.backup?.vaults.find((x) => x.vault.BackupVaultName === name || x.vault.BackupVaultArn === name);
  if (!v) throw new ApiError('ResourceNotFoundException', 404, `Backup vault ${name} not found in ${ctx.region.name}`);
  return v;
}

const listBackupVaults: Handler = (ctx) => paged(ctx, 'ListBackupVaults', (ctx.region.backup?.vaults ?? []).map((v) => v.vault), 'BackupVaultList');

const describeBackupVault: Handler = (ctx) => ({ ...vaultOf(ctx).vault });

const listRecoveryPointsByBackupVault: Handler = (ctx) => {
  const v = vaultOf(ctx);
  return paged(ctx, `ListRecoveryPointsByBackupVault:${v.vault.BackupVaultName}`, v.recoveryPoints, 'RecoveryPoints');
};

const listBackupPlans: Handler = (ctx) => paged(ctx, 'ListBackupPlans', (ctx.region.backup?.plans ?? []).map((p) => p.summary), 'BackupPlansList');

const getBackupPlan: Handler = (ctx) => {
  const id = ctx.query.get('BackupPlanId') ?? '';
  const p = ctx.region.backup?.plans.find((x) => x.summary.BackupPlanId === id);
  if (!p) throw new ApiError('ResourceNotFoundException', 404, `Failed reading backup plan ${id}`);
  const { BackupPlanId, BackupPlanArn, VersionId, CreatorRequestId, CreationDate, LastExecutionDate } = p.summary;
  return { BackupPlan: p.plan, BackupPlanId, BackupPlanArn, VersionId, CreatorRequestId, CreationDate, LastExecutionDate };
};

export const backupOperations: Record<string, Handler> = {
  ListBackupVaults: listBackupVaults,
  DescribeBackupVault: describeBackupVault,
  ListRecoveryPointsByBackupVault: listRecoveryPointsByBackupVault,
  ListBackupPlans: listBackupPlans,
  GetBackupPlan: getBackupPlan,
};

const ROUTES: [RegExp, string, string[]][] = [
  [/^\/backup-vaults$/, 'ListBackupVaults', []],
  [/^\/backup-vaults\/([^/]+)$/, 'DescribeBackupVault', ['BackupVaultName']],
  [/^\/backup-vaults\/([^/]+)\/recovery-points$/, 'ListRecoveryPointsByBackupVault', ['BackupVaultName']],
  [/^\/backup\/plans$/, 'ListBackupPlans', []],
  [/^\/backup\/plans\/([^/]+)$/, 'GetBackupPlan', ['BackupPlanId']],
];

/** The operation a GET path names, with its path parameters (decoded). */
export function backupRoute(method: string, path: string): { operation: string; params: Record<string, string> } | undefined {
  if (method !== 'GET') return undefined;
  const p = path.length > 1 ? path.replace(/\/$/, '') : path;
  for (const [re, operation, names] of ROUTES) {
    const m = re.exec(p);
    if (m) return { operation, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')])) };
  }
  return undefined;
}
