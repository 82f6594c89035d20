// AWS-style request throttling for the sandbox: token buckets per account and region, one shared
// by every API of a service (as RDS meters) or one per API (as Config, KMS and the others do).
// A request finding its bucket empty is answered as AWS answers it (Throttling /
// ThrottlingException, "Rate exceeded"). Off unless the fixture (`rate_limits:`) or the caller
// (`setRateLimits`) sets limits, so the other suites stay fast.
//
//   rate_limits:
//     shared: { rds: { rate: 12, burst: 40 } }                     # all RDS APIs, per account+region
//     apis: { "config:GetComplianceDetailsByConfigRule": { rate: 2, burst: 4 } }

interface RateLimit { rate: number; burst: number }
export interface RateLimits {
  shared?: Record<string, RateLimit>;
  apis?: Record<string, RateLimit>;
}

interface State { tokens: number; last: number }

export class SandboxLimiter {
  private readonly buckets = new Map<string, State>();
  throttled = 0;

  constructor(private readonly limits: RateLimits, private readonly clock: () => number = () => performance.now()) {}

  /** Takes a token for the call; false when the bucket is empty (the call is throttled). */
  allow(service: string, operation: string, account: string, region: string): boolean {
    const shared = this.limits.shared?.[service];
    const spec = shared ?? this.limits.apis?.[`${service}:${operation}`];
    if (!spec) return true;
    const key = shared ? `${service}\u0000${account}\u0000${region}` : `${service}:${operation}\u0000${account}\u0000${region}`;
    const now = this.clock();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: spec.burst, last: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(spec.burst, b.tokens + ((now - b.last) / 1000) * spec.rate);
    b.last = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    this.throttled++;
    return false;
  }
}
