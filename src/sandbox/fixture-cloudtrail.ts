// Fixture CloudTrail trails, defined in their home region, in the shapes of the CloudTrail API
// reference: DescribeTrails' trailList entry, GetTrailStatus, GetEventSelectors.
//
//   trails:
//     - name: org-trail
//       bucket: example-cloudtrail-logs      # S3BucketName (required)
//       multi_region: true                   # IsMultiRegionTrail (default true)
//       organization: false                  # IsOrganizationTrail
//       validation: true                     # LogFileValidationEnabled (default true)
//       logging: true                        # GetTrailStatus IsLogging (default true)
//       stopped: 1 day ago                   # StopLoggingTime when logging is false (default 1 day ago)
//       delivery_error: AccessDenied         # LatestDeliveryError
//       log_group: /aws/cloudtrail/org       # CloudWatchLogsLogGroupArn (in this account and region)
//       read_write: All                      # basic selector ReadWriteType (default All)
//       management_events: true              # IncludeManagementEvents (default true)
//       exclude_sources: [kms.amazonaws.com] # ExcludeManagementEventSources
//       advanced:                            # AdvancedEventSelectors (replace the basic selector)
//         - name: management
//           fields: [{ field: eventCategory, Equals: [Management] }, { field: eventSource, NotEquals: [kms.amazonaws.com] }]
import type { Cursor } from './reader.js';
import type { Trail, WireObject } from './model.js';
import { arn, DAY, type Ctx } from './fixture-context.js';


export function readTrail(c: Cursor, ctx: Ctx): Trail {
  c.keys(['name', 'bucket', 'multi_region', 'organization', 'validation', 'logging', 'stopped', 'started', 'delivery_error',
    'log_group', 'read_write', 'management_events', 'exclude_sources', 'advanced', 'kms_key']);
  const name = c.str('name');
  const logging = c.bool('logging', true);
  const logGroup = c.optStr('log_group');
  const advanced = c.has('advanced') ? c.list('advanced').map(readSelector) : undefined;
  const trail: Trail['trail'] = {
    Name: name,
    S3BucketName: c.str('bucket'),
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: c.bool('multi_region', true),
    HomeRegion: ctx.region,
    TrailARN: arn(ctx, 'cloudtrail', `trail/${name}`),
    LogFileValidationEnabled: c.bool('validation', true),
    CloudWatchLogsLogGroupArn: logGroup ? arn(ctx, 'logs', `log-group:${logGroup}:*`) : undefined,
    CloudWatchLogsRoleArn: logGroup ? `arn:aws:iam::${ctx.account}:role/CloudTrail_CloudWatchLogs_Role` : undefined,
    KmsKeyId: c.optStr('kms_key'),
    HasCustomEventSelectors: advanced !== undefined || c.has('read_write') || c.has('exclude_sources') || c.has('management_events'),
    HasInsightSelectors: false,
    IsOrganizationTrail: c.bool('organization', false),
  };
  const started = c.date('started', '400 days ago');
  const delivered = new Date(ctx.now.getTime() - 5 * 60_000);
  const deliveryError = c.optStr('delivery_error');
  const status: WireObject = {
    IsLogging: logging,
    LatestDeliveryError: deliveryError,
    LatestDeliveryTime: logging ? delivered : new Date(c.date('stopped', '1 day ago').getTime() + 60_000),
    StartLoggingTime: started,
    StopLoggingTime: logging ? undefined : c.date('stopped', '1 day ago'),
    LatestDigestDeliveryTime: trail.LogFileValidationEnabled ? new Date(ctx.now.getTime() - DAY / 24) : undefined,
    LatestCloudWatchLogsDeliveryTime: logGroup && logging ? delivered : undefined,
    TimeLoggingStarted: started.toISOString(),
    TimeLoggingStopped: logging ? undefined : c.date('stopped', '1 day ago').toISOString(),
  };
  const selectors: Trail['selectors'] = advanced ? { AdvancedEventSelectors: advanced } : {
    EventSelectors: [{
      ReadWriteType: c.oneOf('read_write', ['All', 'ReadOnly', 'WriteOnly'] as const, 'All'),
      IncludeManagementEvents: c.bool('management_events', true),
      DataResources: [],
      ExcludeManagementEventSources: c.strings('exclude_sources'),
    }],
  };
  return { trail, status, selectors };
}

const FIELD_OPERATORS = ['Equals', 'StartsWith', 'EndsWith', 'NotEquals', 'NotStartsWith', 'NotEndsWith'] as const;

function readSelector(c: Cursor): WireObject {
  c.keys(['name', 'fields']);
  const fields = c.list('fields').map((fc) => {
    // written as AWS names them: { field: readOnly, Equals: ["false"] }
    fc.keys(['field', ...FIELD_OPERATORS]);
    const out: WireObject = { Field: fc.str('field') };
    for (const op of FIELD_OPERATORS) if (fc.has(op)) out[op] = fc.strings(op);
    return out;
  });
  return { Name: c.str('name', 'Management events selector'), FieldSelectors: fields };
}
