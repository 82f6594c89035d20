// config.recorders: AWS Config's configuration recorders and whether each is recording. Config
// rule results only count as evidence while the recorder is on.
import {
  ConfigServiceClient, DescribeConfigurationRecordersCommand, DescribeConfigurationRecorderStatusCommand,
} from '@aws-sdk/client-config-service';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, makeDraft, partition, requireArray, requireString, sendOptions } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, ConfigServiceClient);
  try {
    const [recorders, statuses] = await Promise.all([
      client.send(new DescribeConfigurationRecordersCommand({}), sendOptions(ctx)),
      client.send(new DescribeConfigurationRecorderStatusCommand({}), sendOptions(ctx)),
    ]);
    const time = ctx.now().toISOString();
    const statusList = requireArray(statuses.ConfigurationRecordersStatus, 'ConfigurationRecordersStatus');
    for (const recorder of requireArray(recorders.ConfigurationRecorders, 'ConfigurationRecorders')) {
      const name = requireString(recorder.name, 'ConfigurationRecorder.name');
      const status = statusList.find((s) => s.name === name) ?? null;
      yield makeDraft(ctx, 'config.recorders', {
        service: 'config', operation: 'DescribeConfigurationRecorders+DescribeConfigurationRecorderStatus',
        parameters: {}, time,
        resourceType: 'AWS::Config::ConfigurationRecorder',
        resource: recorder.arn ?? `arn:${partition(ctx.region)}:config:${ctx.region}:${ctx.account}:config-recorder/${name}`,
        data: { ConfigurationRecorder: recorder, Status: status },
      });
    }
  } finally {
    client.destroy();
  }
}
