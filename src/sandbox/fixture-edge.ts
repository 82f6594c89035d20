// Fixture edge resources: Elastic Load Balancing v2 load balancers with their listeners and
// rules (per region), and CloudFront distributions (global, per account), shaped as
// DescribeLoadBalancers / DescribeListeners / DescribeRules and ListDistributions return them.
import type { Cursor } from './reader.js';
import { resourceToken, vpcId } from './defaults.js';
import type { Elbv2Region, LoadBalancer, WireObject } from './model.js';
import { arn, DAY, type Ctx } from './fixture-context.js';



function action(c: Cursor, ctx: Ctx, key: string, dflt: string, order: number): WireObject {
  const type = c.oneOf(key, ['forward', 'redirect', 'fixed-response'] as const, dflt as 'forward');
  if (type === 'redirect') {
    const to = c.str('redirect_protocol', 'HTTPS');
    return { Type: 'redirect', Order: order, RedirectConfig: { Protocol: to, Port: to === 'HTTPS' ? '443' : '#{port}', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' } };
  }
  if (type === 'fixed-response') return { Type: 'fixed-response', Order: order, FixedResponseConfig: { MessageBody: 'Use HTTPS', StatusCode: '403', ContentType: 'text/plain' } };
  return { Type: 'forward', Order: order, TargetGroupArn: arn(ctx, 'elasticloadbalancing', `targetgroup/app/${resourceToken(16, 'tg', c.path.join('.')).toLowerCase()}`) };
}

export function readLoadBalancers(list: Cursor[], ctx: Ctx): Elbv2Region {
  const loadBalancers = list.map((c): LoadBalancer => {
    c.keys(['name', 'type', 'scheme', 'created', 'listeners']);
    const name = c.str('name');
    const type = c.oneOf('type', ['application', 'network', 'gateway'] as const, 'application');
    const scheme = c.oneOf('scheme', ['internet-facing', 'internal'] as const, 'internet-facing');
    const id = resourceToken(16, ctx.account, ctx.region, name).toLowerCase();
    const short = type === 'application' ? 'app' : type === 'network' ? 'net' : 'gwy';
    const lbArn = arn(ctx, 'elasticloadbalancing', `loadbalancer/${short}/${name}/${id}`);
    const lb = {
      LoadBalancerArn: lbArn,
      DNSName: `${scheme === 'internal' ? 'internal-' : ''}${name}-${id.slice(0, 10)}.${ctx.region}.elb.amazonaws.com`,
      CanonicalHostedZoneId: 'Z215JYRZR1TBD5',
      CreatedTime: c.date('created', '200 days ago'),
      LoadBalancerName: name,
      Scheme: scheme,
      VpcId: vpcId(ctx.account, ctx.region),
      State: { Code: 'active' },
      Type: type,
      AvailabilityZones: ['a', 'b'].map((z) => ({ ZoneName: `${ctx.region}${z}`, SubnetId: `subnet-${resourceToken(17, ctx.account, ctx.region, z).toLowerCase()}` })),
      IpAddressType: 'ipv4',
    };
    const listeners = c.list('listeners').map((lc) => {
      lc.keys(['port', 'protocol', 'ssl_policy', 'default', 'redirect_protocol', 'rules']);
      const protocol = lc.oneOf('protocol', ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP'] as const);
      const port = lc.num('port', protocol === 'HTTP' ? 80 : 443, 1, 65535);
      const secure = protocol === 'HTTPS' || protocol === 'TLS';
      const listenerArn = arn(ctx, 'elasticloadbalancing', `listener/${short}/${name}/${id}/${resourceToken(16, lbArn, String(port)).toLowerCase()}`);
      const defaultAction = action(lc, ctx, 'default', 'forward', 1);
      const listener = {
        ListenerArn: listenerArn, LoadBalancerArn: lbArn, Port: port, Protocol: protocol,
        ...(secure ? {
          Certificates: [{ CertificateArn: `arn:aws:acm:${ctx.region}:${ctx.account}:certificate/${resourceToken(8, listenerArn).toLowerCase()}-0000-4000-8000-000000000000` }],
          SslPolicy: lc.str('ssl_policy', 'ELBSecurityPolicy-TLS13-1-2-2021-06'),
        } : {}),
        DefaultActions: [defaultAction],
      };
      const rules: WireObject[] = lc.list('rules').map((rc, i) => {
        rc.keys(['priority', 'path', 'action', 'redirect_protocol']);
        return {
          RuleArn: arn(ctx, 'elasticloadbalancing', `listener-rule/${short}/${name}/${id}/${resourceToken(16, listenerArn, String(i)).toLowerCase()}`),
          Priority: String(rc.num('priority', (i + 1) * 10, 1, 50000)),
          Conditions: [{ Field: 'path-pattern', Values: [rc.str('path', '/*')], PathPatternConfig: { Values: [rc.str('path', '/*')] } }],
          Actions: [action(rc, ctx, 'action', 'forward', 1)],
          IsDefault: false,
        };
      });
      rules.push({ RuleArn: `${listenerArn.replace(':listener/', ':listener-rule/')}/default`, Priority: 'default', Conditions: [], Actions: [defaultAction], IsDefault: true });
      return { listener, rules };
    });
    return { lb, listeners };
  });
  return { loadBalancers };
}

export function readDistributions(list: Cursor[], account: string, now: Date): WireObject[] {
  return list.map((c) => {
    c.keys(['id', 'aliases', 'certificate', 'minimum_protocol_version', 'viewer_protocol_policy', 'behaviors', 'origins', 'modified', 'enabled']);
    const id = c.str('id', `E${resourceToken(13, account, c.path.join('.'))}`);
    const aliases = c.strings('aliases');
    const cert = c.oneOf('certificate', ['acm', 'iam', 'default'] as const, aliases.length > 0 ? 'acm' : 'default');
    const viewerCertificate: WireObject = cert === 'default'
      ? { CloudFrontDefaultCertificate: true, SSLSupportMethod: 'vip', MinimumProtocolVersion: c.str('minimum_protocol_version', 'TLSv1'), CertificateSource: 'cloudfront' }
      : {
          CloudFrontDefaultCertificate: false,
          ...(cert === 'acm' ? { ACMCertificateArn: `arn:aws:acm:us-east-1:${account}:certificate/${resourceToken(8, id).toLowerCase()}-0000-4000-8000-000000000000`, Certificate: `arn:aws:acm:us-east-1:${account}:certificate/${resourceToken(8, id).toLowerCase()}-0000-4000-8000-000000000000`, CertificateSource: 'acm' }
            : { IAMCertificateId: `ASCA${resourceToken(17, id)}`, Certificate: `ASCA${resourceToken(17, id)}`, CertificateSource: 'iam' }),
          SSLSupportMethod: 'sni-only',
          MinimumProtocolVersion: c.str('minimum_protocol_version', 'TLSv1.2_2021'),
        };
    const behavior = (policy: string): WireObject => ({
      TargetOriginId: 'origin-1', TrustedSigners: { Enabled: false, Quantity: 0 }, TrustedKeyGroups: { Enabled: false, Quantity: 0 },
      ViewerProtocolPolicy: policy, AllowedMethods: { Quantity: 2, Items: ['HEAD', 'GET'], CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] } },
      SmoothStreaming: false, Compress: true, FieldLevelEncryptionId: '', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    });
    const behaviors = c.list('behaviors').map((bc) => {
      bc.keys(['path', 'viewer_protocol_policy']);
      return { PathPattern: bc.str('path'), ...behavior(bc.oneOf('viewer_protocol_policy', ['allow-all', 'https-only', 'redirect-to-https'] as const)) };
    });
    const originList = c.list('origins');
    const origins = (originList.length > 0 ? originList : [undefined]).map((oc, i) => {
      oc?.keys(['domain', 'origin_protocol_policy', 'ssl_protocols']);
      return {
        Id: `origin-${i + 1}`, DomainName: oc?.str('domain', `origin-${i + 1}.example.com`) ?? 'origin.example.com', OriginPath: '',
        CustomHeaders: { Quantity: 0 },
        CustomOriginConfig: {
          HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: oc?.oneOf('origin_protocol_policy', ['http-only', 'match-viewer', 'https-only'] as const, 'https-only') ?? 'https-only',
          OriginSslProtocols: { Quantity: 0, Items: oc?.has('ssl_protocols') ? oc.strings('ssl_protocols') : ['TLSv1.2'] },
          OriginReadTimeout: 30, OriginKeepaliveTimeout: 5,
        },
        ConnectionAttempts: 3, ConnectionTimeout: 10, OriginShield: { Enabled: false }, OriginAccessControlId: '',
      };
    });
    for (const o of origins) (o.CustomOriginConfig.OriginSslProtocols as WireObject)['Quantity'] = (o.CustomOriginConfig.OriginSslProtocols.Items).length;
    return {
      Id: id,
      ARN: `arn:aws:cloudfront::${account}:distribution/${id}`,
      ETag: undefined,
      Status: 'Deployed',
      LastModifiedTime: c.date('modified', new Date(now.getTime() - 30 * DAY).toISOString()),
      DomainName: `d${resourceToken(13, id).toLowerCase()}.cloudfront.net`,
      Aliases: { Quantity: aliases.length, ...(aliases.length > 0 ? { Items: aliases } : {}) },
      Origins: { Quantity: origins.length, Items: origins },
      OriginGroups: { Quantity: 0 },
      DefaultCacheBehavior: behavior(c.oneOf('viewer_protocol_policy', ['allow-all', 'https-only', 'redirect-to-https'] as const, 'redirect-to-https')),
      CacheBehaviors: { Quantity: behaviors.length, ...(behaviors.length > 0 ? { Items: behaviors } : {}) },
      CustomErrorResponses: { Quantity: 0 },
      Comment: '',
      PriceClass: 'PriceClass_100',
      Enabled: c.bool('enabled', true),
      ViewerCertificate: viewerCertificate,
      Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
      WebACLId: '',
      HttpVersion: 'http2',
      IsIPV6Enabled: true,
      Staging: false,
    };
  });
}
