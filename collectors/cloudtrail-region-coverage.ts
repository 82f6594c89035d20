// cloudtrail.region-coverage: which trails record this region's events, one record per account
// and region. DescribeTrails with shadow trails returns, in any region, every trail that applies
// to it: a multi-region trail (the account's own or the organization's) whatever its home region,
// and the single-region trails homed here. So whether a region is covered by a multi-region trail
// is known from the region itself, even when the run does not collect the trail's home region
// (where cloudtrail.trails keeps the trail's record): no false "no trail" for an unvisited home.
//
// Record: `Region`, `MultiRegionTrails` and `SingleRegionTrails`
// (`{Name, TrailARN, HomeRegion, IsOrganizationTrail}` each, sorted by ARN).
import { CloudTrailClient, DescribeTrailsCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, makeDraft, requireArray, requireString, sendOptions } from './common.js';

interface TrailRef { Name: string; TrailARN: string; HomeRegion: string; IsOrganizationTrail: boolean }

function ref(t: Trail): TrailRef {
  return {
    Name: requireString(t.Name, 'Trail.Name'), TrailARN: requireString(t.TrailARN, 'Trail.TrailARN'),
    HomeRegion: requireString(t.HomeRegion, 'Trail.HomeRegion'), IsOrganizationTrail: t.IsOrganizationTrail === true,
  };
}

const byArn = (a: TrailRef, b: TrailRef) => (a.TrailARN < b.TrailARN ? -1 : a.TrailARN > b.TrailARN ? 1 : 0);

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, CloudTrailClient);
  try {
    const answer = await client.send(new DescribeTrailsCommand({ includeShadowTrails: true }), sendOptions(ctx));
    const trails = requireArray(answer.trailList, 'trailList');
    const multi = trails.filter((t) => t.IsMultiRegionTrail === true).map(ref).sort(byArn);
    const single = trails.filter((t) => t.IsMultiRegionTrail !== true && t.HomeRegion === ctx.region).map(ref).sort(byArn);
    yield makeDraft(ctx, 'cloudtrail.region-coverage', {
      service: 'cloudtrail', operation: 'DescribeTrails', parameters: { includeShadowTrails: true },
      resourceType: 'AWS::::Account', resource: `arn:aws:cloudtrail:${ctx.region}:${ctx.account}:region-coverage`,
      data: { Region: ctx.region, MultiRegionTrails: multi, SingleRegionTrails: single },
    });
  } finally {
    client.destroy();
  }
}
