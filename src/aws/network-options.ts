// How long trustpack waits for AWS, and where it sends requests: `--timeout SECONDS`,
// `--max-attempts N` (else AWS_MAX_ATTEMPTS, as the SDK would read it), and the endpoint
// overrides (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), all checked before the first call so
// a typo is a usage error naming what to fix, never a TypeError or a minute of retries.
import { UsageError } from '../util/errors.js';

/** attempts per call, the first included (throttling and 5xx answers are ridden out within it) */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** time for one request to be answered once sent */
export const DEFAULT_TIMEOUT_SECONDS = 10;
const MAX_ATTEMPTS_LIMIT = 20;
const MAX_TIMEOUT_SECONDS = 600;

export interface NetworkFlags {
  /** `--timeout SECONDS` as typed */
  timeout?: string;
  /** `--max-attempts N` as typed */
  maxAttempts?: string;
}

export interface NetworkSettings {
  maxAttempts: number;
  requestTimeoutMs: number;
}

function wholeNumber(text: string, what: string, max: number): number {
  const n = Number(text.trim());
  if (!/^\s*\d+\s*$/.test(text) || !Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${what} must be a whole number from 1 to ${max}, got '${text}'`);
  return n;
}

function seconds(text: string, what: string): number {
  const n = Number(text.trim());
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !(n > 0) || n > MAX_TIMEOUT_SECONDS) throw new UsageError(`${what} must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}, got '${text}'`);
  return n;
}

/** The flags, else AWS_MAX_ATTEMPTS, else the defaults; and every endpoint override checked. */
export function networkSettings(flags: NetworkFlags, env: NodeJS.ProcessEnv = process.env): NetworkSettings {
  checkEndpointVariables(env);
  const fromEnv = env['AWS_MAX_ATTEMPTS'];
  const maxAttempts = flags.maxAttempts !== undefined ? wholeNumber(flags.maxAttempts, '--max-attempts', MAX_ATTEMPTS_LIMIT)
    : fromEnv !== undefined && fromEnv !== '' ? wholeNumber(fromEnv, 'AWS_MAX_ATTEMPTS', MAX_ATTEMPTS_LIMIT)
      : DEFAULT_MAX_ATTEMPTS;
  const timeout = flags.timeout !== undefined ? seconds(flags.timeout, '--timeout') : DEFAULT_TIMEOUT_SECONDS;
  return { maxAttempts, requestTimeoutMs: Math.round(timeout * 1000) };
}

/**
 * AWS_ENDPOINT_URL and every AWS_ENDPOINT_URL_<SERVICE> must be absolute http(s) URLs: the SDK
 * would otherwise fail each call with "TypeError: Invalid URL" (a scheme left out is the usual slip).
 */
function checkEndpointVariables(env: NodeJS.ProcessEnv = process.env): void {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (name !== 'AWS_ENDPOINT_URL' && !name.startsWith('AWS_ENDPOINT_URL_')) continue;
    if (value === undefined || value === '') continue;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
      const hint = /^[\w.-]+(:\d+)?(\/|$)/.test(value) && !/^https?:/i.test(value) ? ` (with its scheme: http://${value} or https://${value})` : '';
      problems.push(`${name}="${value}" is not an http:// or https:// URL${hint}`);
    }
  }
  if (problems.length > 0) throw new UsageError(`${problems.join('; ')}; fix or unset it: it replaces AWS's own endpoint for every call it covers`);
}
