// Fixture GuardDuty: the region's detector (none when the section is absent), its features as
// GetDetector returns them, and its findings, in the GuardDuty API's own camelCase JSON.
//
//   guardduty:
//     status: ENABLED
//     features: { RDS_LOGIN_EVENTS: ENABLED, S3_DATA_EVENTS: DISABLED }   # default: the usual set, all ENABLED
//     findings:
//       - { type: "CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin", severity: 8, created: 40 days ago, archived: false }
import { createHash } from 'node:crypto';
import type { Cursor } from './reader.js';
import type { Detector, WireObject } from './model.js';
import type { Ctx } from './fixture-context.js';


const DEFAULT_FEATURES = ['CLOUD_TRAIL', 'DNS_LOGS', 'FLOW_LOGS', 'S3_DATA_EVENTS', 'EBS_MALWARE_PROTECTION', 'RDS_LOGIN_EVENTS', 'LAMBDA_NETWORK_LOGS'];

export function readDetector(c: Cursor, ctx: Ctx): Detector {
  c.keys(['status', 'features', 'findings', 'created']);
  const detectorId = createHash('sha256').update(`${ctx.account}/${ctx.region}/detector`).digest('hex').slice(0, 32);
  const created = c.date('created', '500 days ago');
  const features = { ...Object.fromEntries(DEFAULT_FEATURES.map((f) => [f, 'ENABLED'])), ...c.scalarMap('features') };
  const detector: WireObject = {
    createdAt: created.toISOString(),
    findingPublishingFrequency: 'SIX_HOURS',
    serviceRole: `arn:aws:iam::${ctx.account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
    status: c.oneOf('status', ['ENABLED', 'DISABLED'] as const, 'ENABLED'),
    updatedAt: created.toISOString(),
    tags: {},
    // a feature's updatedAt is a timestamp (epoch seconds on the wire); the detector's are strings
    features: Object.entries(features).map(([name, status]) => ({ name, status, updatedAt: created })),
  };
  const findings = c.list('findings').map((fc, i) => {
    fc.keys(['type', 'severity', 'created', 'archived', 'title']);
    const at = fc.date('created').toISOString();
    const id = createHash('sha256').update(`${detectorId}/${i}`).digest('hex').slice(0, 32);
    const type = fc.str('type');
    return {
      accountId: ctx.account, arn: `arn:aws:guardduty:${ctx.region}:${ctx.account}:detector/${detectorId}/finding/${id}`,
      createdAt: at, updatedAt: at, id, partition: 'aws', region: ctx.region, schemaVersion: '2.0',
      severity: fc.num('severity', undefined, 1, 10), type, title: fc.str('title', type), description: type,
      resource: { resourceType: 'RDSDBInstance' },
      service: { archived: fc.bool('archived', false), count: 1, detectorId, eventFirstSeen: at, eventLastSeen: at, serviceName: 'guardduty' },
    };
  });
  return { detectorId, detector, findings };
}
