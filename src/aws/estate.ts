// Which accounts a run covers: the organization's accounts (organizations:ListAccounts), filtered
// by --accounts / --exclude-accounts, and a deterministic shard of them (--shard K/N) so that an
// existing scheduler can spread a large estate over machines.
import { createHash } from 'node:crypto';
import { UsageError } from '../util/errors.js';

export interface OrgAccount {
  id: string;
  name?: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE or CLOSED (the `State` field; `Status` is retired) */
  state: string;
}

export interface SkippedAccount {
  account: string;
  state: string;
}

const ACCOUNT_ID = /^\d{12}$/;

/** organizations:ListAccounts, every page, from the management account or a delegated administrator. */
export async function listOrganizationAccounts(config: Record<string, unknown>, signal?: AbortSignal): Promise<OrgAccount[]> {
  const { OrganizationsClient, paginateListAccounts } = await import('@aws-sdk/client-organizations');
  const client = new OrganizationsClient(config);
  try {
    const out: OrgAccount[] = [];
    for await (const page of paginateListAccounts({ client, pageSize: 20 }, {}, signal ? { abortSignal: signal } : {})) {
      for (const a of page.Accounts ?? []) {
        if (!a.Id) continue;
        // State is the field AWS answers; an account without one cannot be shown to be ACTIVE
        out.push({ id: a.Id, ...(a.Name ? { name: a.Name } : {}), state: a.State ?? 'UNKNOWN' });
      }
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  } finally {
    client.destroy();
  }
}

export function checkAccountIds(ids: readonly string[], flag: string): string[] {
  for (const id of ids) {
    if (!ACCOUNT_ID.test(id)) throw new UsageError(`${flag}: "${id}" is not an AWS account id (12 digits)`);
  }
  return [...new Set(ids)];
}

/**
 * The ACTIVE accounts to collect (sorted) and the ones skipped for their state. `only` names
 * accounts that must be in the organization (a usage error otherwise); `exclude` drops accounts.
 */
export function selectOrgAccounts(all: readonly OrgAccount[], only?: readonly string[], exclude?: readonly string[]): { active: string[]; skipped: SkippedAccount[] } {
  const byId = new Map(all.map((a) => [a.id, a]));
  for (const id of only ?? []) {
    if (!byId.has(id)) throw new UsageError(`--accounts: account ${id} is not in the organization`);
  }
  const wanted = (a: OrgAccount): boolean => (!only || only.length === 0 || only.includes(a.id)) && !(exclude ?? []).includes(a.id);
  const active: string[] = [];
  const skipped: SkippedAccount[] = [];
  for (const a of all) {
    if (!wanted(a)) continue;
    if (a.state === 'ACTIVE') active.push(a.id);
    else skipped.push({ account: a.id, state: a.state });
  }
  return { active: active.sort(), skipped };
}

export interface Shard {
  k: number;
  n: number;
}

/** "K/N" with 1 <= K <= N. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n || n > 10_000) throw new UsageError(`--shard: "${text}" must be K/N with 1 <= K <= N (e.g. 2/4)`);
  return { k, n };
}

/** The K-th of N slices: the sorted account ids whose position modulo N is K-1. */
export function shardAccounts(ids: readonly string[], shard: Shard): string[] {
  return [...ids].sort().filter((_, i) => i % shard.n === shard.k - 1);
}

/** sha256 of the sorted account list, one id a line: every shard of one estate records the same. */
export function accountsDigest(ids: readonly string[]): string {
  return createHash('sha256').update([...ids].sort().map((id) => `${id}\n`).join('')).digest('hex');
}
