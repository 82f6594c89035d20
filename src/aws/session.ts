// Credentials, regions and client settings for a collection. Everything comes from the SDK's
// own chains (env keys, AWS_PROFILE, SSO, web identity, instance roles; AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>): nothing here reads credentials or config files by hand.
// SDK modules are imported lazily so `trustpack --help` never pays for them.
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { UsageError } from '../util/errors.js';
import { adaptiveWithConnectionBudget, CONNECT_TIMEOUT_MS } from './connection.js';
import { checkRegionNames } from './regions.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT_SECONDS } from './network-options.js';

// The SDK warns on every run that its 2027 releases need Node 22; our pins are fine on 20.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const DEFAULT_REQUEST_TIMEOUT_MS = DEFAULT_TIMEOUT_SECONDS * 1000;

export interface ClientSettings {
  /** attempts per call, first one included (SDK adaptive retries: back-off + client-side rate limiting) */
  maxAttempts?: number;
  /** time for a request to complete once sent */
  requestTimeoutMs?: number;
  /** time to establish a connection (default CONNECT_TIMEOUT_MS: a dead endpoint fails fast) */
  connectionTimeoutMs?: number;
  /** the HTTP(S) agent for every request (tests inject a failing DNS lookup through it) */
  httpAgent?: unknown;
  /** the shared config/credentials profile; the SDK reads region and endpoint from it too */
  profile?: string;
  /** one keep-alive connection pool for every client of the run (see sharedAgents) */
  agents?: SharedAgents;
}

export interface SharedAgents {
  http: HttpAgent;
  https: HttpsAgent;
  /** closes the pooled connections (the clients' destroy() leaves them alone) */
  close(): void;
}

/**
 * One keep-alive pool for a run. Every collection makes its own SDK clients, and each client would
 * otherwise open its own connections (a TCP, and against AWS a TLS, handshake per client):
 * sharing the agents reuses them. An SDK client's destroy() destroys its agents, so theirs is a
 * no-op here and close() ends the run's pool.
 */
export function sharedAgents(maxSockets: number): SharedAgents {
  class PooledHttp extends HttpAgent {
    override destroy(): void { /* the run closes the pool, not each client */ }
    close(): void { super.destroy(); }
  }
  class PooledHttps extends HttpsAgent {
    override destroy(): void { /* the run closes the pool, not each client */ }
    close(): void { super.destroy(); }
  }
  const http = new PooledHttp({ keepAlive: true, maxSockets });
  const https = new PooledHttps({ keepAlive: true, maxSockets });
  return { http, https, close: () => { http.close(); https.close(); } };
}

/**
 * The config every SDK client of a collection shares. The endpoint is left to the SDK so that
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> (and `endpoint_url` in the profile) apply.
 */
export function clientConfig(
  region: string, credentials: AwsCredentialIdentityProvider, settings: ClientSettings = {},
): Record<string, unknown> {
  const requestTimeout = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const maxAttempts = settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const config: Record<string, unknown> = {
    region,
    credentials,
    retryMode: 'adaptive',
    maxAttempts,
    // the SDK's adaptive retries, with connection failures on a budget of their own (connection.ts)
    retryStrategy: adaptiveWithConnectionBudget(maxAttempts),
    // an options object: the SDK builds its Node HTTP handler with these timeouts
    requestHandler: {
      ...(settings.httpAgent ? { httpAgent: settings.httpAgent, httpsAgent: settings.httpAgent } : {}),
      connectionTimeout: settings.connectionTimeoutMs ?? Math.min(CONNECT_TIMEOUT_MS, requestTimeout),
      requestTimeout,
      // without this the SDK only logs a warning and the request waits forever
      throwOnRequestTimeout: true,
      ...(settings.agents ? { httpAgent: settings.agents.http, httpsAgent: settings.agents.https } : {}),
    },
  };
  if (settings.profile) config['profile'] = settings.profile;
  return config;
}

/** The SDK's default credential chain, for a named profile when given. */
export async function defaultCredentials(profile?: string): Promise<AwsCredentialIdentityProvider> {
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return fromNodeProviderChain(profile ? { profile } : {});
}

const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;

/** The account a role ARN lives in; throws a usage error for anything that is not a role ARN. */
export function roleAccount(roleArn: string): string {
  const m = ROLE_ARN.exec(roleArn);
  if (!m || !m[2]) throw new UsageError(`--role-arn: "${roleArn}" is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)`);
  return m[2];
}

/** Temporary credentials from sts:AssumeRole on `roleArn`, session name trustpack-<runId>. */
export async function assumeRoleCredentials(
  base: AwsCredentialIdentityProvider, roleArn: string, runId: string, region: string, settings: ClientSettings = {},
): Promise<AwsCredentialIdentityProvider> {
  roleAccount(roleArn);
  const { fromTemporaryCredentials } = await import('@aws-sdk/credential-providers');
  const { credentials: _c, ...stsConfig } = clientConfig(region, base, settings);
  // fromTemporaryCredentials calls AssumeRole on every invocation, and every SDK client invokes
  // it once: share one session across the run's clients instead of one AssumeRole per client.
  return memoizeCredentials(fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: `trustpack-${runId}`.slice(0, 64) },
    masterCredentials: base,
    clientConfig: stsConfig,
  }));
}

const REFRESH_BEFORE_MS = 5 * 60_000;
/** AWS role sessions last at least 15 minutes */
const SKEWED_CLOCK_REUSE_MS = 10 * 60_000;

/**
 * One credentials promise shared by every caller until 5 minutes before it expires; a failure
 * is not cached, so the next caller tries again. An expiration already (nearly) past by our
 * clock means the endpoint's clock differs from ours (a sandbox with a fixed clock, skew): the
 * session is then reused for 10 minutes rather than renewed on every request.
 */
export function memoizeCredentials(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let current: ReturnType<AwsCredentialIdentityProvider> | undefined;
  let refreshAt = Number.POSITIVE_INFINITY;
  return (props) => {
    if (!current || Date.now() >= refreshAt) {
      const p = provider(props);
      current = p;
      refreshAt = Number.POSITIVE_INFINITY;
      p.then(
        (c) => {
          if (current !== p) return;
          const now = Date.now();
          const exp = c.expiration?.getTime();
          refreshAt = exp === undefined ? Number.POSITIVE_INFINITY
            : exp - REFRESH_BEFORE_MS > now ? exp - REFRESH_BEFORE_MS : now + SKEWED_CLOCK_REUSE_MS;
        },
        () => { if (current === p) current = undefined; },
      );
    }
    return current;
  };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The regions to collect: the explicit list (validated, deduplicated, in the given order), else
 * the region the SDK resolves (AWS_REGION, AWS_DEFAULT_REGION... the profile), else a usage error.
 */
export async function resolveRegions(explicit?: readonly string[], profile?: string, onWarning?: (w: string) => void): Promise<string[]> {
  if (explicit && explicit.length > 0) {
    // the one place region names are checked (src/aws/regions.ts)
    const checked = checkRegionNames(explicit, 'regions');
    for (const w of checked.warnings) onWarning?.(w);
    if (checked.regions.length > 0) return checked.regions;
  }
  const { STSClient } = await import('@aws-sdk/client-sts');
  const client = new STSClient(profile ? { profile } : {});
  try {
    const region = await client.config.region();
    if (typeof region === 'string' && REGION.test(region)) return [region];
    throw new Error('no region');
  } catch {
    throw new UsageError('no AWS region configured: pass --regions us-east-1,... or set AWS_REGION (or a region in the AWS profile)');
  } finally {
    client.destroy();
  }
}

export interface CallerIdentity {
  account: string;
  arn: string;
  userId?: string;
}

/** sts:GetCallerIdentity with the given client config. */
export async function callerIdentity(config: Record<string, unknown>, signal?: AbortSignal): Promise<CallerIdentity> {
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const client = new STSClient(config);
  try {
    const out = await client.send(new GetCallerIdentityCommand({}), signal ? { abortSignal: signal } : {});
    if (!out.Account || !out.Arn) throw new Error('GetCallerIdentity returned no Account or Arn');
    return { account: out.Account, arn: out.Arn, ...(out.UserId ? { userId: out.UserId } : {}) };
  } finally {
    client.destroy();
  }
}
