// cloudfront.distributions (global): every CloudFront distribution of the account
// (ListDistributions, following Marker), one record per DistributionSummary as returned, plus
// `ViewerProtocolPolicies` (the default cache behaviour's and every cache behaviour's, distinct,
// sorted), `OriginSslProtocols` (every custom origin's accepted protocols, distinct, sorted) and
// `OriginProtocolPolicies`.
import { CloudFrontClient, paginateListDistributions } from '@aws-sdk/client-cloudfront';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, makeDraft, requireString, sendOptions } from './common.js';

const distinct = (xs: (string | undefined)[]): string[] => [...new Set(xs.filter((x): x is string => typeof x === 'string'))].sort();

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  // CloudFront's control plane answers in us-east-1 (aws-cn: cn-northwest-1), whatever the home region
  const home = String(ctx.clientConfig['region'] ?? '');
  const client = createClient(ctx, CloudFrontClient, home.startsWith('cn-') ? 'cn-northwest-1' : 'us-east-1');
  try {
    const input = { MaxItems: 100 };
    for await (const page of paginateListDistributions({ client }, input, sendOptions(ctx))) {
      const time = ctx.now().toISOString();
      for (const d of (page.DistributionList?.Items ?? [])) {
        const origins = d.Origins?.Items ?? [];
        yield makeDraft(ctx, 'cloudfront.distributions', {
          service: 'cloudfront', operation: 'ListDistributions', parameters: { ...input }, time,
          resourceType: 'AWS::CloudFront::Distribution', resource: requireString(d.ARN, 'ARN'),
          data: {
            ...d,
            ViewerProtocolPolicies: distinct([d.DefaultCacheBehavior?.ViewerProtocolPolicy, ...(d.CacheBehaviors?.Items ?? []).map((b) => b.ViewerProtocolPolicy)]),
            OriginSslProtocols: distinct(origins.flatMap((o) => o.CustomOriginConfig?.OriginSslProtocols?.Items ?? [])),
            OriginProtocolPolicies: distinct(origins.map((o) => o.CustomOriginConfig?.OriginProtocolPolicy)),
          },
        });
      }
    }
  } finally {
    client.destroy();
  }
}
