// CloudWatch Logs (JSON 1.1, X-Amz-Target: Logs_20140328.<Op>): DescribeLogGroups with
// logGroupNamePrefix, limit (1 to 50) and nextToken, as the API reference describes it.
import { ApiError } from '../errors.js';
import { page } from '../paging.js';
import type { CallContext, Handler } from './context.js';

export const LOGS_TARGET = 'Logs_20140328';

const badToken = () => new ApiError('InvalidParameterException', 400, 'The specified nextToken is invalid.');

const describeLogGroups: Handler = (ctx: CallContext) => {
  const prefix = typeof ctx.json['logGroupNamePrefix'] === 'string' ? ctx.json['logGroupNamePrefix'] : '';
  const limit = ctx.json['limit'] ?? 50;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 50) {
    throw new ApiError('InvalidParameterException', 400, '1 validation error detected: Value at \'limit\' failed to satisfy constraint: Member must have value less than or equal to 50');
  }
  const groups = (ctx.region.logGroups ?? []).filter((g) => g.logGroupName.startsWith(prefix));
  const p = page(groups, limit, ctx.json['nextToken'] as string | undefined, `logs:DescribeLogGroups:${prefix}`, badToken);
  return { logGroups: p.items, nextToken: p.next };
};

export const logsOperations: Record<string, Handler> = { DescribeLogGroups: describeLogGroups };
