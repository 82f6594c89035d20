// Fixture parts of an estate: the organization (AWS Organizations' ListAccounts), the roles an
// account lets sts:AssumeRole assume, and the account's opt-in regions (account:ListRegions).
//
//   organization:
//     management: "111122223333"          # default: the first account
//     accounts:                           # extra members or overrides; every fixture account is ACTIVE
//       - { id: "999900001111", name: closed-sandbox, state: SUSPENDED }
//     external_accounts: ["999988887777"] # fixture accounts outside the organization
//   accounts:
//     - id: "111122223333"
//       roles: [OrganizationAccountAccessRole]   # default: any role name may be assumed
//       opt_in_regions: { ap-east-1: ENABLED, me-south-1: DISABLED }
import type { Cursor } from './reader.js';
import { resourceToken } from './defaults.js';
import type { Account, Organization } from './model.js';
import type { RateLimits } from './rate-limits.js';

const STATES = ['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'] as const;
const OPT_STATUSES = ['ENABLED', 'ENABLING', 'DISABLING', 'DISABLED', 'ENABLED_BY_DEFAULT'] as const;

export function readAccountEstate(c: Cursor): Pick<Account, 'roles' | 'optInRegions'> {
  const out: Pick<Account, 'roles' | 'optInRegions'> = {};
  if (c.has('roles')) out.roles = c.strings('roles');
  if (c.has('opt_in_regions')) {
    const map: Record<string, string> = {};
    for (const [region, rc] of c.entries('opt_in_regions')) {
      const v = rc.value;
      if (typeof v !== 'string' || !(OPT_STATUSES as readonly string[]).includes(v)) rc.fail(`opt-in status of ${region} must be one of ${OPT_STATUSES.join(', ')}`);
      map[region] = v as string;
    }
    out.optInRegions = map;
  }
  return out;
}

export function readOrganization(c: Cursor, accounts: readonly Account[]): Organization {
  c.keys(['management', 'accounts', 'id', 'external_accounts']);
  const management = c.str('management', accounts[0]!.id);
  if (!accounts.some((a) => a.id === management)) c.fail(`management account ${management} is not one of the fixture's accounts`, [...c.path, 'management']);
  const extra: { id: string; name?: string; state: string }[] = [];
  for (const ac of c.list('accounts')) {
    ac.keys(['id', 'name', 'state']);
    const accountId = ac.str('id');
    if (!/^\d{12}$/.test(accountId)) ac.fail(`organization account "id" must be 12 digits, found "${accountId}"`, [...ac.path, 'id']);
    extra.push({ id: accountId, ...(ac.has('name') ? { name: ac.str('name') } : {}), state: ac.oneOf('state', STATES, 'ACTIVE') });
  }
  return organizationOf(accounts, {
    management, now: c.now, extra, external: c.strings('external_accounts'),
    ...(c.has('id') ? { id: c.str('id') } : {}),
  });
}

/**
 * An organization whose members are the fixture's accounts (ACTIVE; `external` ones left out)
 * plus `extra` members or overrides; for YAML fixtures and generated benchmark estates alike.
 */
export function organizationOf(accounts: readonly Account[], opts: {
  management: string; now: Date; id?: string; external?: readonly string[]; extra?: readonly { id: string; name?: string; state: string }[];
}): Organization {
  const { management } = opts;
  // fixture accounts that are not members (a vendor's account whose key a member uses)
  const external = new Set(opts.external ?? []);
  const id = opts.id ?? `o-${resourceToken(10, management).toLowerCase()}`;
  const joined = new Date(opts.now.getTime() - 900 * 86_400_000);
  const member = (accountId: string, name: string, state: string) => ({
    Id: accountId,
    Arn: `arn:aws:organizations::${management}:account/${id}/${accountId}`,
    Email: `aws+${name}@example.com`,
    Name: name,
    State: state,
    JoinedMethod: accountId === management ? 'CREATED' : 'INVITED',
    JoinedTimestamp: joined,
  });
  const members = new Map(accounts.filter((a) => !external.has(a.id)).map((a, i) => [a.id, member(a.id, i === 0 ? 'management' : `account-${i}`, 'ACTIVE')]));
  for (const x of opts.extra ?? []) members.set(x.id, member(x.id, x.name ?? members.get(x.id)?.Name ?? `account-${x.id.slice(-4)}`, x.state));
  return { id, management, accounts: [...members.values()].sort((a, b) => (a.Id < b.Id ? -1 : 1)) };
}

/** `rate_limits: { shared: { rds: {rate, burst} }, apis: { "service:Operation": {rate, burst} } }` */
export function readRateLimits(c: Cursor): RateLimits {
  c.keys(['shared', 'apis']);
  const out: RateLimits = {};
  for (const part of ['shared', 'apis'] as const) {
    if (!c.has(part)) continue;
    const map: Record<string, { rate: number; burst: number }> = {};
    for (const [name, bc] of c.entries(part)) {
      bc.keys(['rate', 'burst']);
      if (part === 'apis' && !/^[a-z-]+:[A-Za-z]+$/.test(name)) bc.fail(`"${name}" must be service:Operation, e.g. config:DescribeConfigRules`);
      map[name] = { rate: bc.num('rate', undefined, 0.001), burst: bc.num('burst', undefined, 1) };
    }
    out[part] = map;
  }
  return out;
}
