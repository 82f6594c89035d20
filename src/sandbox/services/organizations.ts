// AWS Organizations (JSON 1.1, X-Amz-Target: AWSOrganizationsV20161128.<Op>): ListAccounts from
// the management account, paged by NextToken (MaxResults 1..20, as AWS). Accounts carry `State`
// only: AWS retired the old `Status` field.
import { ApiError } from '../errors.js';
import { page } from '../paging.js';
import type { Handler } from './context.js';

export const ORGANIZATIONS_TARGET = 'AWSOrganizationsV20161128';

const listAccounts: Handler = (ctx) => {
  const org = ctx.fixture.organization;
  if (!org || !org.accounts.some((a) => a.Id === ctx.account.id)) {
    throw new ApiError('AWSOrganizationsNotInUseException', 400, 'Your account is not a member of an organization.');
  }
  if (org.management !== ctx.account.id) {
    throw new ApiError('AccessDeniedException', 400, 'You don\'t have permissions to access this resource.');
  }
  const max = ctx.json['MaxResults'];
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 20)) {
    throw new ApiError('InvalidInputException', 400, 'You provided a value that does not match the required pattern: MaxResults must be between 1 and 20.');
  }
  const token = typeof ctx.json['NextToken'] === 'string' ? ctx.json['NextToken'] : undefined;
  const p = page(org.accounts, typeof max === 'number' ? max : 20, token, 'organizations:ListAccounts',
    () => new ApiError('InvalidInputException', 400, 'You specified an invalid value for nextToken.'));
  return { Accounts: p.items, NextToken: p.next };
};

export const organizationsOperations: Record<string, Handler> = { ListAccounts: listAccounts };
