// Fixture CloudWatch Logs groups: the groups RDS creates for each cluster's exported logs
// (/aws/rds/cluster/ID/LOG) and the groups trails deliver to, never expiring unless listed, plus
// `log_groups: [{ name, retention: DAYS, kms_key: ARN }]` (which also overrides a derived group).
import type { Cursor } from './reader.js';
import type { Region, WireObject } from './model.js';
import { arn, type Ctx } from './fixture-context.js';

/** The retention values CloudWatch Logs accepts (PutRetentionPolicy). */
const RETENTIONS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export function readLogGroups(c: Cursor, ctx: Ctx, region: Region): (WireObject & { logGroupName: string })[] {
  const created = new Date(ctx.now.getTime() - 400 * 86_400_000);
  const group = (name: string, retention?: number, kmsKeyId?: string): WireObject & { logGroupName: string } => ({
    logGroupName: name, creationTime: created.getTime(), retentionInDays: retention, metricFilterCount: 0,
    arn: arn(ctx, 'logs', `log-group:${name}:*`), storedBytes: 0, kmsKeyId, logGroupClass: 'STANDARD',
    logGroupArn: arn(ctx, 'logs', `log-group:${name}`),
  });
  const byName = new Map<string, WireObject & { logGroupName: string }>();
  for (const cl of region.clusters) {
    for (const log of (cl['EnabledCloudwatchLogsExports'] as string[] | undefined) ?? []) {
      const name = `/aws/rds/cluster/${cl.DBClusterIdentifier}/${log}`;
      byName.set(name, group(name));
    }
  }
  for (const t of region.trails ?? []) {
    const m = /:log-group:(.+):\*$/.exec(String(t.trail['CloudWatchLogsLogGroupArn'] ?? ''));
    if (m) byName.set(m[1]!, group(m[1]!));
  }
  for (const gc of c.list('log_groups')) {
    gc.keys(['name', 'retention', 'kms_key']);
    const retention = gc.has('retention') ? gc.num('retention') : undefined;
    if (retention !== undefined && !RETENTIONS.includes(retention)) gc.fail(`"retention" must be one of ${RETENTIONS.join(', ')}`);
    byName.set(gc.str('name'), group(gc.str('name'), retention, gc.optStr('kms_key')));
  }
  return [...byName.values()].sort((a, b) => (a.logGroupName < b.logGroupName ? -1 : 1));
}
