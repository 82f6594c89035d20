// config.rule-evaluations: every resource each Config rule evaluated, with the rule's managed
// rule id and whether the region's recorder is on (stale Config data is not evidence).
import {
  ConfigServiceClient, paginateGetComplianceDetailsByConfigRule, type ComplianceType,
} from '@aws-sdk/client-config-service';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, dataOf, makeDraft, mapConcurrent, partition, prior, sendOptions, str } from './common.js';

const ALL_COMPLIANCE_TYPES: ComplianceType[] = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'];

/** The ARN of a resource Config evaluated: as AWS builds it for the types we know. */
export function evaluatedResourceArn(type: string, id: string, region: string, account: string): string {
  if (id.startsWith('arn:')) return id;
  const p = partition(region);
  switch (type) {
    case 'AWS::CloudTrail::Trail': return `arn:${p}:cloudtrail:${region}:${account}:trail/${id}`;
    case 'AWS::S3::Bucket': return `arn:${p}:s3:::${id}`;
    case 'AWS::RDS::DBCluster': return `arn:${p}:rds:${region}:${account}:cluster:${id}`;
    case 'AWS::RDS::DBInstance': return `arn:${p}:rds:${region}:${account}:db:${id}`;
    case 'AWS::RDS::DBClusterSnapshot': return `arn:${p}:rds:${region}:${account}:cluster-snapshot:${id}`;
    case 'AWS::RDS::DBSnapshot': return `arn:${p}:rds:${region}:${account}:snapshot:${id}`;
    case 'AWS::KMS::Key': return `arn:${p}:kms:${region}:${account}:key/${id}`;
    case 'AWS::EC2::Instance': return `arn:${p}:ec2:${region}:${account}:instance/${id}`;
    case 'AWS::EC2::Volume': return `arn:${p}:ec2:${region}:${account}:volume/${id}`;
    case 'AWS::EC2::SecurityGroup': return `arn:${p}:ec2:${region}:${account}:security-group/${id}`;
    case 'AWS::DynamoDB::Table': return `arn:${p}:dynamodb:${region}:${account}:table/${id}`;
    case 'AWS::Lambda::Function': return `arn:${p}:lambda:${region}:${account}:function:${id}`;
    // Config's own resource path for the rest: stable and unique, if not a service ARN.
    default: return `arn:${p}:config:${region}:${account}:resource/${type}/${id}`;
  }
}

/** A recorder an AWS service keeps for itself (DescribeConfigurationRecorders' servicePrincipal). */
export function isServiceLinked(recorder: unknown): boolean {
  const r = (recorder ?? {}) as Record<string, unknown>;
  return typeof r['servicePrincipal'] === 'string' && r['servicePrincipal'] !== '';
}

/**
 * A rule's InputParameters (a JSON string, as AWS returns it) as an object; numbers written as
 * text become numbers so a control can ask for "at least 7". Unparseable: null (nothing counts).
 */
export function inputParameters(raw: unknown): Record<string, string | number> | null {
  if (raw === undefined || raw === null || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(raw));
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    const text = String(v);
    out[k] = /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
  }
  return out;
}

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  // Service-linked recorders (an AWS service's own, ServicePrincipal set) are not the region's recorder.
  const recorders = prior(ctx, 'config.recorders').filter((r) => !isServiceLinked(dataOf(r)['ConfigurationRecorder']));
  const recording = recorders.some((r) => (dataOf(r)['Status'] as Record<string, unknown> | null)?.['recording'] === true);
  const rules = prior(ctx, 'config.rules');
  if (rules.length === 0) return;
  const client = createClient(ctx, ConfigServiceClient);
  try {
    const perRule = await mapConcurrent(rules, async (ruleRecord) => {
      const rule = (dataOf(ruleRecord)['ConfigRule'] ?? {}) as Record<string, unknown>;
      const name = str(rule['ConfigRuleName']);
      if (!name) return [];
      const source = (rule['Source'] ?? {}) as Record<string, unknown>;
      const input = { ConfigRuleName: name, ComplianceTypes: ALL_COMPLIANCE_TYPES, Limit: 100 };
      const parameters = { ConfigRuleName: name, ComplianceTypes: ALL_COMPLIANCE_TYPES, Limit: 100 };
      const out: EvidenceRecordDraft[] = [];
      for await (const page of paginateGetComplianceDetailsByConfigRule({ client }, input, sendOptions(ctx))) {
        const time = ctx.now().toISOString();
        for (const result of (page.EvaluationResults ?? [])) {
          const q = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
          const type = q?.ResourceType ?? 'AWS::Config::ResourceCompliance';
          const id = q?.ResourceId ?? '';
          out.push(makeDraft(ctx, 'config.rule-evaluations', {
            service: 'config', operation: 'GetComplianceDetailsByConfigRule', parameters, time,
            resourceType: type,
            resource: evaluatedResourceArn(type, id, ctx.region, ctx.account),
            derivedFrom: [ruleRecord.id, ...recorders.map((r) => r.id)],
            data: {
              ...result,
              ConfigRuleName: name,
              SourceIdentifier: str(source['SourceIdentifier']) ?? null,
              SourceOwner: str(source['Owner']) ?? null,
              InputParameters: inputParameters(rule['InputParameters']),
              CreatedBy: str(rule['CreatedBy']) ?? null,
              ResourceType: q?.ResourceType ?? null,
              ResourceId: q?.ResourceId ?? null,
              ComplianceType: result.ComplianceType ?? null,
              RecorderRecording: recording,
            },
          }));
        }
      }
      return out;
    });
    for (const drafts of perRule) yield* drafts;
  } finally {
    client.destroy();
  }
}
