// CloudFront (REST-XML, API version 2020-05-31): ListDistributions, shaped after the CloudFront
// API reference. CloudFront is global: every region's endpoint answers with the account's list.
import { ApiError } from '../errors.js';
import { page } from '../paging.js';
import type { Handler } from './context.js';

export const CLOUDFRONT_NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

/** Item element names of CloudFront's `Items` lists, by parent element (the SDK's schema xmlName). */
export const CLOUDFRONT_XML_ITEMS: Record<string, string> = {
  'DistributionList.Items': 'DistributionSummary',
  'Aliases.Items': 'CNAME',
  'Origins.Items': 'Origin',
  'CacheBehaviors.Items': 'CacheBehavior',
  'AllowedMethods.Items': 'Method',
  'CachedMethods.Items': 'Method',
  'OriginSslProtocols.Items': 'SslProtocol',
  'CustomHeaders.Items': 'OriginCustomHeader',
  'CustomErrorResponses.Items': 'CustomErrorResponse',
  'GeoRestriction.Items': 'Location',
  'TrustedSigners.Items': 'AwsAccountNumber',
  'TrustedKeyGroups.Items': 'KeyGroup',
  'OriginGroups.Items': 'OriginGroup',
};

const listDistributions: Handler = (ctx) => {
  const raw = ctx.query.get('MaxItems');
  const max = raw === null ? 100 : Number(raw);
  if (!Number.isInteger(max) || max < 1 || max > 1000) throw new ApiError('InvalidArgument', 400, `MaxItems ${raw} is not valid`);
  const marker = ctx.query.get('Marker') ?? '';
  const all = ctx.account.cloudfront ?? [];
  const p = page(all, max, marker === '' ? undefined : marker, 'cloudfront:ListDistributions', () => new ApiError('InvalidArgument', 400, 'The marker is not valid.'));
  return {
    DistributionList: {
      Marker: marker, ...(p.next ? { NextMarker: p.next } : {}), MaxItems: max, IsTruncated: p.next !== undefined,
      Quantity: p.items.length, ...(p.items.length > 0 ? { Items: p.items } : {}),
    },
  };
};

export const cloudfrontOperations: Record<string, Handler> = { ListDistributions: listDistributions };

export function cloudfrontRoute(method: string, path: string): { operation: string; params: Record<string, string> } | undefined {
  if (method === 'GET' && /^\/2020-05-31\/distribution\/?$/.test(path)) return { operation: 'ListDistributions', params: {} };
  return undefined;
}
