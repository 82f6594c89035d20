// Elastic Load Balancing v2 (query protocol, API version 2015-12-01): the Describe* calls
// trustpack makes, shaped after the ELBv2 API reference; lists use AWS's default `member` items.
import { ApiError } from '../errors.js';
import { page } from '../paging.js';
import type { WireObject } from '../model.js';
import type { CallContext, Handler } from './context.js';

export const ELBV2_NS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

/**
 * The predefined security policies and the protocols each accepts, from "Security policies for your
 * Application Load Balancer" (docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html).
 */
const SSL_POLICIES: Record<string, string[]> = {
  'ELBSecurityPolicy-TLS13-1-2-2021-06': ['TLSv1.2', 'TLSv1.3'],
  'ELBSecurityPolicy-TLS13-1-2-Res-2021-06': ['TLSv1.2', 'TLSv1.3'],
  'ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06': ['TLSv1.2', 'TLSv1.3'],
  'ELBSecurityPolicy-TLS13-1-3-2021-06': ['TLSv1.3'],
  'ELBSecurityPolicy-TLS13-1-1-2021-06': ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
  'ELBSecurityPolicy-TLS13-1-0-2021-06': ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
  'ELBSecurityPolicy-TLS-1-2-Ext-2018-06': ['TLSv1.2'],
  'ELBSecurityPolicy-TLS-1-2-2017-01': ['TLSv1.2'],
  'ELBSecurityPolicy-TLS-1-1-2017-01': ['TLSv1.1', 'TLSv1.2'],
  'ELBSecurityPolicy-FS-1-2-Res-2020-10': ['TLSv1.2'],
  'ELBSecurityPolicy-FS-1-2-2019-08': ['TLSv1.2'],
  'ELBSecurityPolicy-FS-1-1-2019-08': ['TLSv1.1', 'TLSv1.2'],
  'ELBSecurityPolicy-FS-2018-06': ['TLSv1', 'TLSv1.1', 'TLSv1.2'],
  'ELBSecurityPolicy-2016-08': ['TLSv1', 'TLSv1.1', 'TLSv1.2'],
  'ELBSecurityPolicy-TLS-1-0-2015-04': ['TLSv1', 'TLSv1.1', 'TLSv1.2'],
  'ELBSecurityPolicy-2015-05': ['TLSv1', 'TLSv1.1', 'TLSv1.2'],
};

const invalid = (message: string) => new ApiError('ValidationError', 400, message);

function members(q: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; q.has(`${name}.member.${i}`); i++) out.push(q.get(`${name}.member.${i}`) ?? '');
  return out;
}

function paged(ctx: CallContext, scope: string, items: WireObject[], listName: string): Record<string, WireObject[] | string | undefined> {
  const raw = ctx.query.get('PageSize');
  const size = raw === null ? 400 : Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > 400) throw invalid(`Page size ${raw} must be between 1 and 400`);
  const p = page(items, size, ctx.query.get('Marker') ?? undefined, `elbv2:${scope}`, () => invalid('The marker is not valid.'));
  return { [listName]: p.items, NextMarker: p.next };
}

const lbs = (ctx: CallContext) => ctx.region.elbv2?.loadBalancers ?? [];

const describeLoadBalancers: Handler = (ctx) => {
  let items = lbs(ctx).map((l) => l.lb);
  const arns = members(ctx.query, 'LoadBalancerArns');
  const names = members(ctx.query, 'Names');
  if (arns.length > 0) items = items.filter((l) => arns.includes(l.LoadBalancerArn));
  if (names.length > 0) items = items.filter((l) => names.includes(String(l['LoadBalancerName'])));
  if ((arns.length > 0 || names.length > 0) && items.length === 0) throw new ApiError('LoadBalancerNotFound', 400, 'One or more load balancers not found');
  return paged(ctx, 'DescribeLoadBalancers', items, 'LoadBalancers');
};

const describeListeners: Handler = (ctx) => {
  const lbArn = ctx.query.get('LoadBalancerArn');
  const arns = members(ctx.query, 'ListenerArns');
  if (!lbArn && arns.length === 0) throw invalid('Either a load balancer ARN or listener ARNs must be specified');
  let found = lbs(ctx);
  if (lbArn) {
    found = found.filter((l) => l.lb.LoadBalancerArn === lbArn);
    if (found.length === 0) throw new ApiError('LoadBalancerNotFound', 400, `Load balancer '${lbArn}' not found`);
  }
  let items = found.flatMap((l) => l.listeners.map((x) => x.listener));
  if (arns.length > 0) items = items.filter((l) => arns.includes(l.ListenerArn));
  return paged(ctx, `DescribeListeners:${lbArn ?? ''}`, items, 'Listeners');
};

const describeRules: Handler = (ctx) => {
  const listenerArn = ctx.query.get('ListenerArn');
  if (!listenerArn) throw invalid('A listener ARN must be specified');
  const found = lbs(ctx).flatMap((l) => l.listeners).find((x) => x.listener.ListenerArn === listenerArn);
  if (!found) throw new ApiError('ListenerNotFound', 400, `Listener '${listenerArn}' not found`);
  return paged(ctx, `DescribeRules:${listenerArn}`, found.rules, 'Rules');
};

const describeSSLPolicies: Handler = (ctx) => {
  const names = members(ctx.query, 'Names');
  for (const n of names) if (!SSL_POLICIES[n]) throw new ApiError('SSLPolicyNotFound', 400, `SSL policy '${n}' not found`);
  const items = (names.length > 0 ? names : Object.keys(SSL_POLICIES)).map((Name): WireObject => ({
    SslProtocols: SSL_POLICIES[Name],
    Ciphers: [{ Name: 'ECDHE-ECDSA-AES128-GCM-SHA256', Priority: 1 }],
    Name,
    SupportedLoadBalancerTypes: ['application', 'network'],
  }));
  return paged(ctx, `DescribeSSLPolicies:${names.join(',')}`, items, 'SslPolicies');
};

export const elbv2Operations: Record<string, Handler> = {
  DescribeLoadBalancers: describeLoadBalancers,
  DescribeListeners: describeListeners,
  DescribeRules: describeRules,
  DescribeSSLPolicies: describeSSLPolicies,
};
