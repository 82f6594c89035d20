// Account planning for a collection: which accounts are read, with which credentials, and which
// of them are this shard's. The organization's accounts (--org-role), the given roles
// (--role-arn) or the caller's own account; --accounts / --exclude-accounts; --shard K/N.
// The choices themselves (`roleArnPlans`, `shardPlans`) are pure; `planAccounts` adds the calls.
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { UsageError } from '../util/errors.js';
import { describeError } from './errors.js';
import { accountsDigest, listOrganizationAccounts, selectOrgAccounts, shardAccounts, type Shard, type SkippedAccount } from './estate.js';
import { assumeRoleCredentials, callerIdentity, clientConfig, roleAccount, type ClientSettings } from './session.js';

export interface AccountPlan {
  /** the account id, known from the role ARN or, for the caller's own, after STS answers */
  account: string;
  roleArn?: string;
  credentials: () => Promise<AwsCredentialIdentityProvider>;
}

/** The shard's part of a manifest: which slice, of how many accounts, and the digest of the full list. */
export interface ShardInfo { k: number; n: number; accountsSha256: string; accounts: number }

export interface AccountPlanning {
  /** the accounts this run collects (this shard's) */
  plans: AccountPlan[];
  /** every account of the estate, this shard's or not, by id (a resource another account owns is read there) */
  estatePlans: ReadonlyMap<string, AccountPlan>;
  /** --org-role: the organization's accounts left out, and why */
  skippedAccounts?: SkippedAccount[];
  shardInfo?: ShardInfo;
}

export interface PlanInput {
  roleArns?: readonly string[];
  orgRole?: string;
  accounts?: readonly string[];
  excludeAccounts?: readonly string[];
  shard?: Shard;
  /** the caller's own credentials */
  base: AwsCredentialIdentityProvider;
  runId: string;
  homeRegion: string;
  settings: ClientSettings;
  signal?: AbortSignal;
  notice: (message: string) => void;
}

const ROLE_NAME = /^[\w+=,.@-]+(\/[\w+=,.@-]+)*$/;

/** The usage errors of the account flags, before any call is made. */
export function checkAccountFlags(o: Pick<PlanInput, 'roleArns' | 'orgRole'>): void {
  for (const arn of o.roleArns ?? []) roleAccount(arn);
  if (o.orgRole !== undefined && !ROLE_NAME.test(o.orgRole)) throw new UsageError(`--org-role: "${o.orgRole}" is not an IAM role name`);
  if (o.orgRole !== undefined && o.roleArns && o.roleArns.length > 0) throw new UsageError('--org-role and --role-arn cannot be combined: the organization lists the accounts');
}

/** --role-arn: one account per distinct role, less the excluded ones, only the given ones when --accounts is set. */
export function roleArnPlans(roleArns: readonly string[], accounts?: readonly string[], excludeAccounts?: readonly string[]): { account: string; roleArn: string }[] {
  const exclude = new Set(excludeAccounts ?? []);
  const only = accounts && accounts.length > 0 ? new Set(accounts) : undefined;
  return [...new Set(roleArns)]
    .filter((roleArn) => !exclude.has(roleAccount(roleArn)) && (!only || only.has(roleAccount(roleArn))))
    .map((roleArn) => ({ account: roleAccount(roleArn), roleArn }));
}

/** --shard K/N: the plans of the shard's accounts, and what the manifest says of the slice. */
export function shardPlans<P extends { account: string }>(plans: readonly P[], estateAccounts: readonly string[], shard: Shard): { plans: P[]; shardInfo: ShardInfo } {
  const mine = new Set(shardAccounts(estateAccounts, shard));
  return {
    plans: plans.filter((p) => mine.has(p.account)),
    shardInfo: { k: shard.k, n: shard.n, accountsSha256: accountsDigest(estateAccounts), accounts: estateAccounts.length },
  };
}

export async function planAccounts(o: PlanInput): Promise<AccountPlanning> {
  const { base, runId, homeRegion, settings } = o;
  let skippedAccounts: SkippedAccount[] | undefined;
  let estateAccounts: string[] | undefined;
  let plans: AccountPlan[];
  if (o.orgRole !== undefined) {
    const orgRole = o.orgRole;
    const homeConfig = clientConfig(homeRegion, base, settings);
    let caller: Awaited<ReturnType<typeof callerIdentity>>;
    let members: Awaited<ReturnType<typeof listOrganizationAccounts>>;
    try {
      caller = await callerIdentity(homeConfig, o.signal);
      members = await listOrganizationAccounts(homeConfig, o.signal);
    } catch (err) {
      const e = describeError(err);
      throw new UsageError(`--org-role: cannot list the organization's accounts (organizations:ListAccounts from the management account or a delegated administrator): ${e.code}: ${e.message}`, 1);
    }
    const selected = selectOrgAccounts(members, o.accounts, o.excludeAccounts);
    skippedAccounts = selected.skipped;
    estateAccounts = selected.active;
    const partition = /^arn:(aws[\w-]*):/.exec(caller.arn)?.[1] ?? 'aws';
    plans = selected.active.map((account) => {
      const roleArn = `arn:${partition}:iam::${account}:role/${orgRole}`;
      return {
        account, roleArn,
        credentials: async () => {
          const assumed = await assumeRoleCredentials(base, roleArn, runId, homeRegion, settings);
          if (account !== caller.account) return assumed;
          // The management account often lacks the member role: its own credentials read it.
          try {
            await assumed();
            return assumed;
          } catch (err) {
            const e = describeError(err);
            o.notice(`the management account ${account} has no role ${orgRole} the caller may assume (${e.code}); using the caller's own credentials (${caller.arn}) there`);
            return base;
          }
        },
      };
    });
  } else if (o.roleArns && o.roleArns.length > 0) {
    plans = roleArnPlans(o.roleArns, o.accounts, o.excludeAccounts).map(({ account, roleArn }) => ({
      account, roleArn,
      credentials: () => assumeRoleCredentials(base, roleArn, runId, homeRegion, settings),
    }));
    estateAccounts = [...new Set(plans.map((p) => p.account))].sort();
  } else {
    if (o.shard) throw new UsageError('--shard needs accounts to slice: --org-role NAME or --role-arn ARN ...');
    plans = [{ account: '', credentials: async () => base }];
  }
  // Every account of the estate, this shard's or not: a key another account owns is read in its
  // owner's account even when that account is collected by another shard, so that the shards'
  // records are exactly the unsharded run's.
  const estatePlans = new Map(plans.filter((p) => p.account !== '').map((p) => [p.account, p] as const));
  let shardInfo: ShardInfo | undefined;
  if (o.shard && estateAccounts) ({ plans, shardInfo } = shardPlans(plans, estateAccounts, o.shard));
  if (plans.length === 0 && !o.shard) throw new UsageError('no accounts left to collect (check --accounts / --exclude-accounts)');
  return { plans, estatePlans, ...(skippedAccounts ? { skippedAccounts } : {}), ...(shardInfo ? { shardInfo } : {}) };
}
