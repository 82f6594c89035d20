// CloudTrail (JSON 1.1, X-Amz-Target: CloudTrail_20131101.<Op>, as the SDK's AwsJson1_1Protocol
// sends it): DescribeTrails (with shadow trails: multi-region trails of other home regions and an
// organization's trail in its member accounts), GetTrailStatus and GetEventSelectors, which
// answer for a trail by name in its home region or by its ARN anywhere, as the API reference says.
import { ApiError } from '../errors.js';
import type { Trail } from '../model.js';
import type { CallContext, Handler } from './context.js';

export const CLOUDTRAIL_TARGET = 'CloudTrail_20131101';

/** Every trail the caller can see from this region: its own (home and shadow) and its organization's. */
function visibleTrails(ctx: CallContext, includeShadow: boolean): Trail[] {
  const here = ctx.region.name;
  const own = Object.values(ctx.account.regions).flatMap((r) => r.trails ?? []);
  const org = ctx.fixture.organization;
  const member = org && org.management !== ctx.account.id && org.accounts.some((a) => a.Id === ctx.account.id);
  const orgTrails = member
    ? Object.values(ctx.fixture.accounts.find((a) => a.id === org.management)?.regions ?? {}).flatMap((r) => r.trails ?? []).filter((t) => t.trail['IsOrganizationTrail'] === true)
    : [];
  return [...own, ...orgTrails].filter((t) =>
    t.trail.HomeRegion === here ? !orgTrails.includes(t) || includeShadow : includeShadow && t.trail.IsMultiRegionTrail);
}

function notFound(name: string, ctx: CallContext): ApiError {
  const arnOf = name.startsWith('arn:') ? name : `arn:aws:cloudtrail:${ctx.region.name}:${ctx.account.id}:trail/${name}`;
  return new ApiError('TrailNotFoundException', 400, `Unknown trail: ${arnOf} for the user: ${ctx.account.id}`);
}

/** A trail named by its ARN (from any region) or by its name (its home region only). */
function findTrail(ctx: CallContext): Trail {
  const name = ctx.json['Name'] ?? ctx.json['TrailName'];
  if (typeof name !== 'string' || name === '') throw new ApiError('InvalidTrailNameException', 400, 'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).');
  const all = visibleTrails(ctx, true);
  const t = name.startsWith('arn:')
    ? all.find((x) => x.trail.TrailARN === name)
    : all.find((x) => x.trail.Name === name && x.trail.HomeRegion === ctx.region.name);
  if (!t) throw notFound(name, ctx);
  return t;
}

const describeTrails: Handler = (ctx) => {
  const names = ctx.json['trailNameList'];
  const includeShadow = ctx.json['includeShadowTrails'] !== false;
  let trails = visibleTrails(ctx, includeShadow);
  if (Array.isArray(names) && names.length > 0) {
    trails = trails.filter((t) => names.includes(t.trail.Name) || names.includes(t.trail.TrailARN));
  }
  return { trailList: trails.map((t) => t.trail) };
};

const getTrailStatus: Handler = (ctx) => findTrail(ctx).status;

const getEventSelectors: Handler = (ctx) => {
  const t = findTrail(ctx);
  return { TrailARN: t.trail.TrailARN, ...t.selectors };
};

export const cloudtrailOperations: Record<string, Handler> = {
  DescribeTrails: describeTrails,
  GetTrailStatus: getTrailStatus,
  GetEventSelectors: getEventSelectors,
};
