// Why the first AWS call of a run failed, in words that name the real cause: the endpoint that
// could not be reached (host and port, and the AWS_ENDPOINT_URL* variable when one overrides
// AWS's own endpoints), a host name that does not resolve, a profile that is in neither shared
// file (its name and both files), or no credentials at all (the ways to provide them).
// Reads the shared config files only through the SDK's own loader, and only to explain.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import type { CollectionError } from './errors.js';

interface SetupContext {
  /** --profile, when given */
  profile?: string;
  /** the region the first call went to */
  region: string;
  /** the SDK service id of the first call, for its AWS_ENDPOINT_URL_<SERVICE> variable */
  service?: string;
  env?: NodeJS.ProcessEnv;
}

/** The SDK's service ids where they differ from the endpoint prefix (AWS_ENDPOINT_URL_<ID>). */
const SDK_SERVICE_ID: Record<string, string> = { config: 'CONFIG_SERVICE' };

/** The endpoint override in effect for `service`, as the SDK resolves it: the per-service variable first. */
export function endpointOverride(service: string, env: NodeJS.ProcessEnv = process.env): { variable: string; url: string } | undefined {
  const specific = `AWS_ENDPOINT_URL_${SDK_SERVICE_ID[service] ?? service.toUpperCase().replace(/[\s-]+/g, '_')}`;
  for (const variable of [specific, 'AWS_ENDPOINT_URL']) {
    const url = env[variable];
    if (url) return { variable, url };
  }
  return undefined;
}

function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'http:' ? '80' : '443')}`;
  } catch {
    return url;
  }
}

const NETWORK = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|ETIMEDOUT)\b|without establishing a connection/;

function networkCause(e: CollectionError, ctx: SetupContext, env: NodeJS.ProcessEnv): string {
  const service = ctx.service ?? 'sts';
  const override = endpointOverride(service, env);
  const addr = /(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\]):(\d+)/i.exec(e.message);
  const target = override ? hostPort(override.url) : addr ? `${addr[1]}:${addr[2]}` : `${service}.${ctx.region}.amazonaws.com:443`;
  const attempts = /\(after \d+ attempts\)/.exec(e.message)?.[0] ?? '';
  let what: string;
  if (/\b(ENOTFOUND|EAI_AGAIN)\b/.test(e.message)) {
    const host = /(?:ENOTFOUND|EAI_AGAIN) ([^\s()]+)/.exec(e.message)?.[1] ?? target.replace(/:\d+$/, '');
    what = `the host name ${host} does not resolve (DNS lookup failed${/EAI_AGAIN/.test(e.message) ? ', temporarily' : ''}) for ${target}`;
  } else if (/ECONNREFUSED/.test(e.message)) {
    what = `nothing accepts connections at ${target} (connection refused)`;
  } else if (/EHOSTUNREACH|ENETUNREACH/.test(e.message)) {
    what = `no network route to ${target}`;
  } else {
    what = `no connection to ${target} within the connect timeout`;
  }
  const where = override
    ? `The endpoint comes from ${override.variable}=${override.url}, which overrides AWS's own endpoints: check it, or unset it to reach AWS.`
    : `That is AWS's own endpoint for ${service} in ${ctx.region}: check the network, a proxy (HTTPS_PROXY) or a firewall.`;
  return `cannot reach the AWS endpoint: ${what}${attempts ? ` ${attempts}` : ''}. ${where}`;
}

async function profileCause(profile: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const configFile = env['AWS_CONFIG_FILE'] || join(homedir(), '.aws', 'config');
  const credentialsFile = env['AWS_SHARED_CREDENTIALS_FILE'] || join(homedir(), '.aws', 'credentials');
  const { loadSharedConfigFiles } = await import('@smithy/core/config');
  const files = await loadSharedConfigFiles({ filepath: credentialsFile, configFilepath: configFile, ignoreCache: true });
  if (files.configFile[profile] || files.credentialsFile[profile]) return undefined;
  const known = [...new Set([...Object.keys(files.configFile), ...Object.keys(files.credentialsFile)])].sort();
  return `AWS profile "${profile}" not found: searched ${configFile} (AWS_CONFIG_FILE) and ${credentialsFile} (AWS_SHARED_CREDENTIALS_FILE)` +
    (known.length ? `; profiles there: ${known.join(', ')}` : '; neither file defines a profile') +
    '. Create it with `aws configure --profile NAME` or `aws configure sso`, or name another.';
}

const WAYS = [
  'environment keys (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, plus AWS_SESSION_TOKEN for temporary ones)',
  'a profile (--profile NAME or AWS_PROFILE; `aws configure` or `aws configure sso` then `aws sso login`)',
  'web identity (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, as GitHub Actions OIDC sets them)',
  'a container or instance role (ECS/EKS task role, EC2 instance profile)',
];

/**
 * A UsageError for a run whose caller identity could not be established: exit 2 when the
 * setup is wrong (credentials, profile, endpoint override), 1 when AWS itself was unreachable.
 */
export async function explainSetupFailure(e: CollectionError | undefined, ctx: SetupContext): Promise<UsageError> {
  const env = ctx.env ?? process.env;
  if (!e) return new UsageError('sts:GetCallerIdentity gave no identity', 1);
  if (NETWORK.test(e.message) || e.code === 'NetworkError') {
    const override = endpointOverride(ctx.service ?? 'sts', env);
    return new UsageError(networkCause(e, ctx, env), override ? 2 : 1);
  }
  if (e.code === 'CredentialsError') {
    const profile = ctx.profile ?? env['AWS_PROFILE'];
    if (profile) {
      const why = await profileCause(profile, env).catch(() => undefined);
      if (why) return new UsageError(why, 2);
      return new UsageError(`AWS profile "${profile}" gave no credentials: ${e.message}`, 2);
    }
    const imds = env['AWS_EC2_METADATA_DISABLED'] === 'true' ? ' (AWS_EC2_METADATA_DISABLED=true: the instance role was not asked)' : '';
    return new UsageError(`no AWS credentials found${imds}. Provide them in one of these ways:\n${WAYS.map((w) => `  - ${w}`).join('\n')}`, 2);
  }
  const setup = /AccessDenied|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|UnrecognizedClient/.test(e.code);
  return setup
    ? new UsageError(`the AWS credentials were refused: ${e.code}: ${e.message}`, 2)
    : new UsageError(`sts:GetCallerIdentity failed: ${e.code}: ${e.message}`, 1);
}
