// Pace, don't hammer. Every HTTP attempt of a collector's SDK client first takes a token from the
// bucket AWS meters it against (one table: buckets shared by all of a service's APIs, as RDS
// meters, and per-API buckets elsewhere, each per account and region), so a run stays under the
// published rates. Throttling that still happens (other tools share the budget, an API missing
// from the table) is ridden out here, below the SDK's retry loop, with capped exponential
// back-off: the SDK's retry quota, shared by sibling calls, is never spent on throttles, and at
// least 8 consecutive throttles of one call survive. Connection failures (refused, DNS,
// unreachable) are not throttling: they fail at once instead of being retried.

export interface Bucket {
  /** sustained requests per second */
  rate: number;
  /** requests that may go at once after a quiet spell */
  burst: number;
}

export interface PacingTable {
  /** one bucket per account and region shared by every API of the service (AWS's RDS budget) */
  shared: Record<string, Bucket>;
  /** one bucket per account, region and API, keyed `service:Operation` */
  apis: Record<string, Bucket>;
}

/**
 * The client's table. RDS: AWS documents a burst of 300 and 12 requests a second per account and
 * region, shared by all RDS APIs (Amazon RDS User Guide, "Request throttling for the Amazon RDS
 * API"); we keep a margin for the account's other tools. Config, KMS, STS, Organizations and
 * Account meter per API; AWS Config's rates are the lowest, so its values are conservative.
 * APIs not listed are paced only once they are throttled (a bucket learned from their throttles,
 * see Pacer). Override any entry with
 * `--rate-limits FILE` (same shape, JSON).
 */
export const DEFAULT_PACING: PacingTable = {
  shared: {
    rds: { rate: 10, burst: 100 },
  },
  apis: {
    'config:DescribeConfigRules': { rate: 4, burst: 8 },
    'config:DescribeComplianceByConfigRule': { rate: 4, burst: 8 },
    'config:GetComplianceDetailsByConfigRule': { rate: 4, burst: 8 },
    'config:DescribeConfigurationRecorders': { rate: 4, burst: 8 },
    'config:DescribeConfigurationRecorderStatus': { rate: 4, burst: 8 },
    'kms:DescribeKey': { rate: 50, burst: 100 },
    'kms:GetKeyRotationStatus': { rate: 50, burst: 100 },
    'kms:ListAliases': { rate: 20, burst: 40 },
    // KMS publishes a per-API request quota for every operation ("Request quotas",
    // docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html), per account and
    // region; the read APIs' defaults are far above what a collection needs. The figures were not
    // re-read for this version, so each is paced at the low 20/s of ListAliases above, a rate
    // no published KMS read quota is below; the learned bucket takes over if one is.
    'kms:ListKeys': { rate: 20, burst: 40 },
    'kms:GetKeyPolicy': { rate: 20, burst: 40 },
    'kms:ListGrants': { rate: 20, burst: 40 },
    'kms:ListKeyRotations': { rate: 20, burst: 40 },
  },
};

/**
 * APIs the collectors call for which AWS publishes no request rate, with the pages read. They are
 * deliberately not in DEFAULT_PACING: a number here would be invented. Such an API is paced only
 * once it is throttled, by the bucket the Pacer learns from its throttles (and the SDK's retry);
 * `--rate-limits FILE` can still set a bucket for any of them.
 */
export const UNPUBLISHED_RATES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(['DescribeTrails', 'GetTrailStatus', 'GetEventSelectors'].map((op) => [`cloudtrail:${op}`,
    '"Quotas in AWS CloudTrail" (docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html) lists resource quotas only']),
  ),
  'logs:DescribeLogGroups': '"CloudWatch Logs endpoints and quotas" (docs.aws.amazon.com/general/latest/gr/cwl_region.html) meters APIs per account and region; its DescribeLogGroups figure was not read here, so none is used',
  ...Object.fromEntries(['ListDetectors', 'GetDetector', 'ListFindings', 'GetFindings'].map((op) => [`guardduty:${op}`,
    '"Quotas for Amazon GuardDuty" (docs.aws.amazon.com/guardduty/latest/ug/guardduty_limits.html) lists resource quotas only']),
  ),
  ...Object.fromEntries(['ListBuckets', 'GetObjectLockConfiguration', 'GetBucketVersioning', 'GetBucketEncryption', 'GetBucketLifecycleConfiguration',
    'GetBucketReplication', 'GetPublicAccessBlock'].map((op) => [`s3:${op}`,
    '"Optimizing Amazon S3 performance" (docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html) publishes object request rates per prefix only, none for bucket configuration or ListBuckets']),
  ),
  ...Object.fromEntries(['ListBackupVaults', 'DescribeBackupVault', 'ListRecoveryPointsByBackupVault', 'ListBackupPlans', 'GetBackupPlan'].map((op) => [`backup:${op}`,
    '"AWS Backup quotas" (docs.aws.amazon.com/aws-backup/latest/devguide/aws-backup-limits.html) lists no rate for the read APIs']),
  ),
  ...Object.fromEntries(['DescribeLoadBalancers', 'DescribeListeners', 'DescribeRules', 'DescribeSSLPolicies'].map((op) => [`elasticloadbalancingv2:${op}`,
    'the Elastic Load Balancing API reference documents Throttling per account and region without a rate']),
  ),
  'cloudfront:ListDistributions': 'the CloudFront Developer Guide\'s "Quotas" lists no control-plane request rate',
};

/** The table with `override`'s entries replacing the defaults' (a rate of 0 removes an entry). */
export function mergePacing(base: PacingTable, override: Partial<PacingTable> | undefined): PacingTable {
  const merge = (a: Record<string, Bucket>, b: Record<string, Bucket> | undefined): Record<string, Bucket> => {
    const out = { ...a, ...(b ?? {}) };
    for (const [k, v] of Object.entries(out)) if (!(v.rate > 0)) delete out[k];
    return out;
  };
  return { shared: merge(base.shared, override?.shared), apis: merge(base.apis, override?.apis) };
}

/** A token bucket whose waiters are served in arrival order. */
export class TokenBucket {
  private tokens: number;
  private rate: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly spec: Bucket, private readonly clock: () => number = () => performance.now()) {
    this.tokens = spec.burst;
    this.rate = spec.rate;
    this.last = clock();
  }

  /** The sustained rate now (a learned bucket's changes with the throttles it meets). */
  get currentRate(): number {
    return this.rate;
  }

  /** Changes the sustained rate from now on (tokens earned so far are kept). */
  setRate(rate: number): void {
    const now = this.clock();
    this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.rate = rate;
  }

  /** Resolves once a token is taken; returns the milliseconds waited. */
  take(sleep: (ms: number) => Promise<void>): Promise<number> {
    const start = this.clock();
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = this.clock();
        this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
        this.last = now;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await sleep(((1 - this.tokens) / this.rate) * 1000);
      }
    });
    this.queue = turn;
    return turn.then(() => this.clock() - start);
  }
}

export interface PacingOptions {
  table?: PacingTable;
  /** first back-off after a throttle, doubled on each consecutive one (tests pass 1) */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** throttles of one call ridden out before it fails (at least 8, the default) */
  maxThrottleRetries?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface PacingStats {
  throttles: number;
  retries: number;
  /** time spent backing off after throttles */
  backoffMs: number;
  /** time spent waiting for a token before sending */
  pacedMs: number;
}

export const newPacingStats = (): PacingStats => ({ throttles: 0, retries: 0, backoffMs: 0, pacedMs: 0 });

const THROTTLE_NAMES = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled', 'RequestThrottledException',
  'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown', 'BandwidthLimitExceeded', 'EC2ThrottledException',
  'ProvisionedThroughputExceededException', 'PriorRequestNotComplete', 'TransactionInProgressException',
]);
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function isThrottle(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return Boolean(e && (THROTTLE_NAMES.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429));
}

/** refused, DNS, unreachable: the endpoint is not there, waiting will not bring it */
function connectionFailure(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * An API the table does not pace gets a bucket of its own once it is throttled: it starts at
 * LEARNED_START requests a second, halves on every further throttle and creeps back up by
 * LEARNED_STEP on every success (additive increase, multiplicative decrease, as TCP and the SDK's
 * adaptive mode do), so concurrent calls queue for tokens instead of hammering the API in step.
 */
const LEARNED_START = 2;
const LEARNED_FLOOR = 1;
const LEARNED_STEP = 0.1;
const LEARNED_CEILING = 50;

export class Pacer {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly learned = new Map<string, TokenBucket>();
  readonly table: PacingTable;
  private readonly base: number;
  private readonly cap: number;
  private readonly maxRetries: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(opts: PacingOptions = {}) {
    this.table = opts.table ?? DEFAULT_PACING;
    this.base = opts.backoffBaseMs ?? 100;
    this.cap = opts.backoffCapMs ?? 5_000;
    this.maxRetries = Math.max(8, opts.maxThrottleRetries ?? 8);
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
  }

  /** The bucket a call is metered against, or undefined when the table does not pace it. */
  bucketFor(service: string, operation: string, account: string, region: string): TokenBucket | undefined {
    const shared = this.table.shared[service];
    const key = shared ? `${service}\u0000${account}\u0000${region}` : `${service}:${operation}\u0000${account}\u0000${region}`;
    const spec = shared ?? this.table.apis[`${service}:${operation}`];
    if (!spec) return undefined;
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(spec);
      this.buckets.set(key, b);
    }
    return b;
  }

  /**
   * Sends one attempt (`send`), paced by its bucket, retrying throttles with capped, jittered
   * exponential back-off. Connection failures are re-thrown as a ConnectionFailure the SDK does
   * not retry.
   */
  async run<T>(call: { service: string; operation: string; account: string; region: string }, send: () => Promise<T>, stats: PacingStats): Promise<T> {
    const tabled = this.bucketFor(call.service, call.operation, call.account, call.region);
    const learnedKey = `${call.service}:${call.operation}\u0000${call.account}\u0000${call.region}`;
    for (let attempt = 0; ; attempt++) {
      const bucket = tabled ?? this.learned.get(learnedKey);
      // token waits are real time (the rate is AWS's); only the back-off's sleep is injectable
      if (bucket) stats.pacedMs += await bucket.take(realSleep);
      try {
        const out = await send();
        if (!tabled && bucket) bucket.setRate(Math.min(LEARNED_CEILING, bucket.currentRate + LEARNED_STEP));
        return out;
      } catch (err) {
        const refused = connectionFailure(err);
        if (refused) throw new ConnectionFailure(refused, err);
        if (!isThrottle(err)) throw err;
        if (!tabled) {
          if (bucket) bucket.setRate(Math.max(LEARNED_FLOOR, bucket.currentRate / 2));
          else this.learned.set(learnedKey, new TokenBucket({ rate: LEARNED_START, burst: 1 }));
        }
        if (attempt >= this.maxRetries) throw new ThrottledPastRetries(err, attempt + 1);
        stats.throttles++;
        stats.retries++;
        const ceiling = Math.min(this.cap, this.base * 2 ** attempt);
        const delay = ceiling / 2 + this.random() * (ceiling / 2);
        stats.backoffMs += delay;
        await this.sleep(delay);
      }
    }
  }
}

/** A connection that could not be made: not retried (the SDK sees neither a code nor a cause it retries). */
export class ConnectionFailure extends Error {
  readonly syscode: string;
  constructor(code: string, err: unknown) {
    super(`${code}: ${(err as Error)?.message ?? String(err)}`);
    this.name = 'NetworkError';
    this.syscode = code;
  }
}

/**
 * Throttled past the pacer's retries. Its name is not one the SDK retries (its retries would
 * start the pacer's over, spending the shared retry quota): the manifest still shows AWS's code.
 */
class ThrottledPastRetries extends Error {
  readonly throttledCode: string;
  readonly $metadata: { httpStatusCode?: number; attempts: number };
  constructor(err: unknown, attempts: number) {
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    super(`${e.message ?? 'Rate exceeded'} (throttled ${attempts} times in a row; gave up)`);
    this.name = 'ThrottledPastRetries';
    this.throttledCode = e.name ?? 'Throttling';
    this.$metadata = { ...(e.$metadata?.httpStatusCode !== undefined ? { httpStatusCode: e.$metadata.httpStatusCode } : {}), attempts: 1 };
  }
}
