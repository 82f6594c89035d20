// guardduty.detectors: the region's GuardDuty detector (ListDetectors), its status and features
// (GetDetector), and its open high-severity findings: ListFindings with severity >= 7 and
// service.archived false returns ids only, GetFindings (50 at a time) their createdAt. A region
// without a detector is one record with Status "not configured", which the controls judge.
//
// Added fields: `DetectorId`, `DisabledFeatures` (names of features whose status is not ENABLED),
// `OpenHighFindings` ([{Id, Type, Severity, CreatedAt}]), `OpenHighFindingsCount`,
// `OldestOpenHighFindingCreatedAt` (null when there is none).
import {
  GetDetectorCommand, GetFindingsCommand, GuardDutyClient, paginateListDetectors, paginateListFindings,
  type Finding,
} from '@aws-sdk/client-guardduty';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, errorDraft, makeDraft, partition, requireArray, sendOptions } from './common.js';
import { NOT_CONFIGURED } from './s3-buckets.js';

/** The high-severity (7 and above), unarchived findings, as GuardDuty's console filters them. */
export const OPEN_HIGH = { Criterion: { severity: { Gte: 7 }, 'service.archived': { Eq: ['false'] } } };

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, GuardDutyClient);
  const arnBase = `arn:${partition(ctx.region)}:guardduty:${ctx.region}:${ctx.account}:detector`;
  try {
    const ids: string[] = [];
    for await (const p of paginateListDetectors({ client }, { MaxResults: 50 }, sendOptions(ctx))) ids.push(...requireArray(p.DetectorIds, 'DetectorIds'));
    const time = ctx.now().toISOString();
    if (ids.length === 0) {
      yield makeDraft(ctx, 'guardduty.detectors', {
        service: 'guardduty', operation: 'ListDetectors', parameters: { MaxResults: 50 }, time,
        resourceType: 'AWS::GuardDuty::Detector', resource: arnBase,
        data: { DetectorId: null, Status: NOT_CONFIGURED, Features: [], DisabledFeatures: [], OpenHighFindings: [], OpenHighFindingsCount: 0, OldestOpenHighFindingCreatedAt: null },
      });
      return;
    }
    for (const id of ids) {
      const common = {
        service: 'guardduty', operation: 'ListDetectors+GetDetector+ListFindings+GetFindings',
        parameters: { DetectorId: id, FindingCriteria: OPEN_HIGH }, time,
        resourceType: 'AWS::GuardDuty::Detector', resource: `${arnBase}/${id}`,
      };
      let data: Record<string, unknown>;
      try {
        const { $metadata: _m, ...detector } = await client.send(new GetDetectorCommand({ DetectorId: id }), sendOptions(ctx));
        const features = detector.Features ?? [];
        data = {
          DetectorId: id, ...JSON.parse(JSON.stringify(detector)) as Record<string, unknown>,
          DisabledFeatures: features.filter((f) => f.Status !== 'ENABLED').map((f) => String(f.Name)).sort(),
        };
      } catch (err) {
        yield errorDraft(ctx, 'guardduty.detectors', { ...common, failed: { operation: 'guardduty:GetDetector', err } });
        continue;
      }
      try {
        const findingIds: string[] = [];
        for await (const p of paginateListFindings({ client }, { DetectorId: id, FindingCriteria: OPEN_HIGH, MaxResults: 50 }, sendOptions(ctx))) {
          findingIds.push(...requireArray(p.FindingIds, 'FindingIds'));
        }
        const findings: Finding[] = [];
        for (let i = 0; i < findingIds.length; i += 50) {
          const got = await client.send(new GetFindingsCommand({ DetectorId: id, FindingIds: findingIds.slice(i, i + 50) }), sendOptions(ctx));
          findings.push(...requireArray(got.Findings, 'Findings'));
        }
        const open = findings.map((f) => ({ Id: f.Id ?? null, Type: f.Type ?? null, Severity: f.Severity ?? null, CreatedAt: f.CreatedAt ?? null }))
          .sort((a, b) => String(a.CreatedAt).localeCompare(String(b.CreatedAt)));
        data['OpenHighFindings'] = open;
        data['OpenHighFindingsCount'] = open.length;
        data['OldestOpenHighFindingCreatedAt'] = open[0]?.CreatedAt ?? null;
        yield makeDraft(ctx, 'guardduty.detectors', { ...common, data });
      } catch (err) {
        yield errorDraft(ctx, 'guardduty.detectors', {
          ...common, data, failed: { operation: 'guardduty:ListFindings', err, fields: ['OpenHighFindings', 'OpenHighFindingsCount', 'OldestOpenHighFindingCreatedAt'] },
        });
      }
    }
  } finally {
    client.destroy();
  }
}
