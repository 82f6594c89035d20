// elbv2.listeners: every listener of every Elastic Load Balancing v2 load balancer of the region
// (DescribeLoadBalancers, DescribeListeners per load balancer), one record per listener as
// returned, plus its load balancer's `LoadBalancerName`, `LoadBalancerType` and `Scheme`; the
// protocols its TLS policy accepts (`SslProtocols`, from DescribeSSLPolicies: null for a listener
// without a policy); and for HTTP listeners of internet-facing Application Load Balancers the
// listener's rules (DescribeRules, default rule included) with `PlainHttpAnswers`: how the default
// action and every rule answer plain HTTP (`redirect to HTTPS`, `fixed-response`, or the action's
// type, e.g. `forward` or `redirect to HTTP`).
import {
  DescribeSSLPoliciesCommand, ElasticLoadBalancingV2Client, paginateDescribeListeners, paginateDescribeLoadBalancers, paginateDescribeRules,
  type Action, type Listener, type LoadBalancer, type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, errorDraft, makeDraft, requireArray, requireString, sendOptions } from './common.js';

const ID = 'elbv2.listeners';
const TYPE = 'AWS::ElasticLoadBalancingV2::Listener';

/** How one action answers a plain-HTTP request (the first action of a rule decides it). */
export function plainHttpAnswer(actions: Action[] | undefined): string {
  const first = [...(actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0))[0];
  if (!first?.Type) return 'no action';
  if (first.Type === 'redirect') return first.RedirectConfig?.Protocol === 'HTTPS' ? 'redirect to HTTPS' : `redirect to ${first.RedirectConfig?.Protocol ?? '#{protocol}'}`;
  return first.Type;
}

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, ElasticLoadBalancingV2Client);
  try {
    const lbs: LoadBalancer[] = [];
    for await (const page of paginateDescribeLoadBalancers({ client }, { PageSize: 400 }, sendOptions(ctx))) lbs.push(...requireArray(page.LoadBalancers, 'LoadBalancers'));
    const perLb = await Promise.all(lbs.map(async (lb) => {
      const lbArn = requireString(lb.LoadBalancerArn, 'LoadBalancerArn');
      const listeners: Listener[] = [];
      for await (const page of paginateDescribeListeners({ client }, { LoadBalancerArn: lbArn, PageSize: 400 }, sendOptions(ctx))) listeners.push(...requireArray(page.Listeners, 'Listeners'));
      return { lb, listeners };
    }));
    // the protocols of every policy in use, one call for all of them
    const policyNames = [...new Set(perLb.flatMap((x) => x.listeners.map((l) => l.SslPolicy).filter((p): p is string => typeof p === 'string')))].sort();
    const protocols = new Map<string, string[]>();
    if (policyNames.length > 0) {
      const answer = await client.send(new DescribeSSLPoliciesCommand({ Names: policyNames, PageSize: 400 }), sendOptions(ctx));
      for (const p of requireArray(answer.SslPolicies, 'SslPolicies')) if (p.Name) protocols.set(p.Name, [...(p.SslProtocols ?? [])].sort());
    }
    const time = ctx.now().toISOString();
    for (const { lb, listeners } of perLb) {
      const outer = { LoadBalancerName: lb.LoadBalancerName ?? null, LoadBalancerType: lb.Type ?? null, Scheme: lb.Scheme ?? null };
      const records = await Promise.all(listeners.map(async (l): Promise<EvidenceRecordDraft> => {
        const arn = requireString(l.ListenerArn, 'ListenerArn');
        const base = {
          ...l, ...outer, SslProtocols: l.SslPolicy ? protocols.get(l.SslPolicy) ?? null : null,
        };
        const ops = { service: 'elasticloadbalancing', parameters: { LoadBalancerArn: lb.LoadBalancerArn, ...(l.SslPolicy ? { SslPolicy: l.SslPolicy } : {}) }, resourceType: TYPE, resource: arn };
        const operation = `DescribeLoadBalancers+DescribeListeners${l.SslPolicy ? '+DescribeSSLPolicies' : ''}`;
        if (!(l.Protocol === 'HTTP' && lb.Type === 'application' && lb.Scheme === 'internet-facing')) {
          return makeDraft(ctx, ID, { ...ops, operation, time, data: base });
        }
        try {
          const rules: Rule[] = [];
          for await (const page of paginateDescribeRules({ client }, { ListenerArn: arn, PageSize: 400 }, sendOptions(ctx))) rules.push(...requireArray(page.Rules, 'Rules'));
          const PlainHttpAnswers = [...new Set([plainHttpAnswer(l.DefaultActions), ...rules.map((r) => plainHttpAnswer(r.Actions))])].sort();
          return makeDraft(ctx, ID, { ...ops, operation: `${operation}+DescribeRules`, time: ctx.now().toISOString(), data: { ...base, Rules: rules, PlainHttpAnswers } });
        } catch (err) {
          return errorDraft(ctx, ID, { ...ops, operation: `${operation}+DescribeRules`, time: ctx.now().toISOString(), data: base, failed: { operation: 'elasticloadbalancing:DescribeRules', err, fields: ['Rules', 'PlainHttpAnswers'] } });
        }
      }));
      yield* records;
    }
  } finally {
    client.destroy();
  }
}
