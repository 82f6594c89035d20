// AWS Account Management (REST-JSON, POST /listRegions): the caller's regions with their
// RegionOptStatus. Regions enabled by default answer ENABLED_BY_DEFAULT; opt-in regions answer
// the fixture's `opt_in_regions` status, ENABLED when the fixture holds data there, else DISABLED.
import { ApiError } from '../errors.js';
import { page } from '../paging.js';
import { PARTITIONS } from '../../aws/partitions.generated.js';
import type { CallContext, Handler } from './context.js';

/** The commercial regions every account has without opting in (AWS Regions documentation). */
const ENABLED_BY_DEFAULT = new Set([
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-1', 'ap-southeast-2', 'ca-central-1', 'eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'sa-east-1',
]);

const COMMERCIAL = PARTITIONS.find((p) => p.id === 'aws')?.regions ?? [];

function optStatus(ctx: CallContext, region: string): string {
  const fixture = ctx.account.optInRegions?.[region];
  if (fixture) return fixture;
  if (ENABLED_BY_DEFAULT.has(region)) return 'ENABLED_BY_DEFAULT';
  return ctx.account.regions[region] ? 'ENABLED' : 'DISABLED';
}

const listRegions: Handler = (ctx) => {
  const max = ctx.json['MaxResults'];
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 50)) {
    throw new ApiError('ValidationException', 400, 'MaxResults must be between 1 and 50');
  }
  const wanted = Array.isArray(ctx.json['RegionOptStatusContains']) ? (ctx.json['RegionOptStatusContains'] as unknown[]).map(String) : undefined;
  const names = [...new Set([...COMMERCIAL, ...Object.keys(ctx.account.regions), ...Object.keys(ctx.account.optInRegions ?? {})])].sort();
  const all = names.map((r) => ({ RegionName: r, RegionOptStatus: optStatus(ctx, r) }))
    .filter((r) => !wanted || wanted.includes(r.RegionOptStatus));
  const token = typeof ctx.json['NextToken'] === 'string' ? ctx.json['NextToken'] : undefined;
  const p = page(all, typeof max === 'number' ? max : 20, token, `account:ListRegions:${(wanted ?? []).join(',')}`,
    () => new ApiError('ValidationException', 400, 'The NextToken is not valid.'));
  return { Regions: p.items, NextToken: p.next };
};

export const accountOperations: Record<string, Handler> = { ListRegions: listRegions };
/** REST-JSON routes: request path -> operation */
export const ACCOUNT_PATHS: Record<string, string> = { '/listRegions': 'ListRegions' };
