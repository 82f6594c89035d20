// How a collector declares the shape of its records' `data` (collectors/declarations.ts), from
// which scripts/gen-record-fields.mjs builds the field table the control loader checks paths
// against. Plain data: a shape names an AWS SDK structure by its service and name, never by
// importing the client, so reading the declarations loads no SDK.

/** The AWS services collectors call: the IAM prefix, the pacing table's key, and the SDK client package. */
export const SERVICE_PACKAGES = {
  sts: '@aws-sdk/client-sts',
  rds: '@aws-sdk/client-rds',
  kms: '@aws-sdk/client-kms',
  config: '@aws-sdk/client-config-service',
  s3: '@aws-sdk/client-s3',
  cloudtrail: '@aws-sdk/client-cloudtrail',
  logs: '@aws-sdk/client-cloudwatch-logs',
  guardduty: '@aws-sdk/client-guardduty',
  backup: '@aws-sdk/client-backup',
  elasticloadbalancing: '@aws-sdk/client-elastic-load-balancing-v2',
  cloudfront: '@aws-sdk/client-cloudfront',
} as const;

export type AwsService = keyof typeof SERVICE_PACKAGES;

/** A scalar the collector computes. */
export const S = 'scalar';
/** A value whose fields the collector does not fix (a rule's own input parameters, a key policy). */
export const ANY = 'any';

export type FieldShape =
  | typeof S
  | typeof ANY
  | { readonly sdk: readonly [AwsService, string] }
  | { readonly list: FieldShape }
  | { readonly fields: Readonly<Record<string, FieldShape>> };

/**
 * A record's data: `spread` is an SDK structure whose fields sit at the top of the record;
 * `fields` are those the collector adds (or builds, without `spread`), documented in
 * collectors/README.md.
 */
export interface RecordShape {
  readonly spread?: { readonly sdk: readonly [AwsService, string] };
  readonly fields: Readonly<Record<string, FieldShape>>;
}

/** An SDK structure as the client returns it (`DBCluster` of rds). */
export const sdk = (service: AwsService, shape: string): { readonly sdk: readonly [AwsService, string] } => ({ sdk: [service, shape] });
export const list = (x: FieldShape): FieldShape => ({ list: x });
