// logs.log-groups: the CloudWatch Logs groups the database audit logs and the trails write to,
// in this region: /aws/rds/cluster/ID/LOG for each log a cluster exports (rds.db-clusters), and
// each trail's CloudWatchLogsLogGroupArn (cloudtrail.trails), each read with DescribeLogGroups
// (logGroupNamePrefix = the name, every page) and matched by its exact name.
//
// Added fields: `Exists` (false when no group of that name exists: logs are not delivered),
// `WrittenBy` (the cluster or trail ARN whose logs go there). An absent retentionInDays is
// "never expire", as AWS documents it.
import { CloudWatchLogsClient, paginateDescribeLogGroups, type LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, dataOf, errorDraft, makeDraft, mapConcurrent, partition, prior, str } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const wanted = new Map<string, string[]>();
  const want = (name: string, by: string) => wanted.set(name, [...(wanted.get(name) ?? []), by]);
  for (const r of prior(ctx, 'rds.db-clusters')) {
    const d = dataOf(r);
    const logs = d['EnabledCloudwatchLogsExports'];
    for (const log of Array.isArray(logs) ? logs : []) want(`/aws/rds/cluster/${str(d['DBClusterIdentifier'])}/${String(log)}`, r.resource);
  }
  for (const r of prior(ctx, 'cloudtrail.trails')) {
    const m = /^arn:[\w-]+:logs:([a-z0-9-]+):\d{12}:log-group:(.+?)(?::\*)?$/.exec(str(dataOf(r)['CloudWatchLogsLogGroupArn']) ?? '');
    if (m && m[1] === ctx.region) want(m[2]!, r.resource);
  }
  if (wanted.size === 0) return;
  const client = createClient(ctx, CloudWatchLogsClient);
  try {
    const time = ctx.now().toISOString();
    const drafts = await mapConcurrent([...wanted.keys()].sort(), async (name) => {
      const common = {
        service: 'logs', operation: 'DescribeLogGroups', parameters: { logGroupNamePrefix: name, limit: 50 }, time,
        resourceType: 'AWS::Logs::LogGroup', resource: `arn:${partition(ctx.region)}:logs:${ctx.region}:${ctx.account}:log-group:${name}`,
      };
      try {
        let found: LogGroup | undefined;
        for await (const p of paginateDescribeLogGroups({ client }, { logGroupNamePrefix: name, limit: 50 }, { ...(ctx.signal ? { abortSignal: ctx.signal } : {}) })) {
          found ??= (p.logGroups ?? []).find((g) => g.logGroupName === name);
          if (found) break;
        }
        const data = found
          ? { ...JSON.parse(JSON.stringify(found)) as Record<string, unknown>, Exists: true, WrittenBy: wanted.get(name)!.sort() }
          : { logGroupName: name, Exists: false, WrittenBy: wanted.get(name)!.sort() };
        return makeDraft(ctx, 'logs.log-groups', { ...common, data });
      } catch (err) {
        return errorDraft(ctx, 'logs.log-groups', { ...common, failed: { operation: 'logs:DescribeLogGroups', err } });
      }
    });
    yield* drafts;
  } finally {
    client.destroy();
  }
}
