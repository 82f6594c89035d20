// Errors name the real cause (issue 9, point 4), on loopback only: a closed 127.0.0.1 port, a
// DNS failure injected through the HTTP agent's lookup, a missing profile, no credentials
// (AWS_EC2_METADATA_DISABLED=true, so the SDK never asks the instance metadata address). A dead
// endpoint gets at most two retries whatever the attempt budget; throttling keeps its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callerIdentity, clientConfig } from '../src/aws/session.js';
import { describeError } from '../src/aws/errors.js';
import { endpointOverride, explainSetupFailure } from '../src/aws/explain.js';
import { isConnectionFailure } from '../src/aws/connection.js';
import { describeFailure } from '../src/app/failure.js';
import { BundleError } from '../src/evidence/bundle.js';
import { UsageError } from '../src/util/errors.js';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { ROOT, runCli } from './helpers/cli.js';

process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
const creds = async () => ({ accessKeyId: 'AKIDTESTTEST', secretAccessKey: 'test-secret' });

/** a loopback port that was free a moment ago and has nothing listening */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const noFiles = { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PROFILE: undefined, AWS_EC2_METADATA_DISABLED: 'true' };
const keys = { AWS_ACCESS_KEY_ID: 'AKIDTESTTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' };

describe('a dead endpoint', () => {
  // a refused connection is not retried at all in a collection (the pacer fails it at once:
  // issue 10's "fail fast"), within issue 9's "at most two retries"
  it('CLI: names host:port and the AWS_ENDPOINT_URL override, without retrying a refused connection (exit 2)', async () => {
    const port = await closedPort();
    const r = await runCli(['collect', '--regions', 'us-east-1'], { env: { ...noFiles, ...keys, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`127.0.0.1:${port} (connection refused)`);
    expect(r.stderr).toContain(`AWS_ENDPOINT_URL=http://127.0.0.1:${port}`);
    expect(r.stderr).not.toMatch(/after \d+ attempts/);
    expect(r.stderr).not.toContain('cannot use the AWS credentials');
  });

  it('CLI: a per-service override is named as such', async () => {
    const port = await closedPort();
    const r = await runCli(['collect', '--regions', 'us-east-1'], { env: { ...noFiles, ...keys, AWS_ENDPOINT_URL: undefined, AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}` } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`AWS_ENDPOINT_URL_STS=http://127.0.0.1:${port}`);
  });

  it('connection failures get two retries even when the attempt budget is ten', async () => {
    const port = await closedPort();
    const err = await callerIdentity({ ...clientConfig('us-east-1', creds, { maxAttempts: 10 }), endpoint: `http://127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect(isConnectionFailure(err)).toBe(true);
    expect((err as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(3);
  });

  it('a DNS failure (injected through the agent\'s lookup) names the host that does not resolve', async () => {
    let lookups = 0;
    const agent = new Agent({
      lookup: ((hostname: string, _opts: unknown, cb: (e: NodeJS.ErrnoException) => void) => {
        lookups++;
        const e = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname });
        process.nextTick(() => cb(e));
      }) as never,
    });
    const config = { ...clientConfig('us-east-1', creds, { maxAttempts: 10, httpAgent: agent }), endpoint: 'http://sts.trustpack-test.example:4566' };
    const err = await callerIdentity(config).catch((e: unknown) => e);
    expect(lookups).toBe(3);
    const explained = await explainSetupFailure(describeError(err), { region: 'us-east-1', service: 'sts', env: {} });
    expect(explained.message).toContain('the host name sts.trustpack-test.example does not resolve');
    expect(explained.message).toContain('(after 3 attempts)');
    agent.destroy();
  });
});

describe('with a live endpoint', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ fixture: loadFixture(join(ROOT, 'examples/sample/account.yaml')), port: 0 });
  });
  afterAll(async () => sb?.close());

  it('a per-service override to a dead port is named next to the collections it broke (exit 1)', async () => {
    const port = await closedPort();
    const r = await runCli(['collect', '--regions', 'us-east-1', '--out', join(mkdtempSync(join(tmpdir(), 'tp-ovr-')), 'b')], {
      env: { ...noFiles, ...keys, AWS_ENDPOINT_URL: sb.url, AWS_ENDPOINT_URL_KMS: `http://127.0.0.1:${port}` },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`kms\\.keys: NetworkError: .*127\\.0\\.0\\.1:${port}.*\\(endpoint from AWS_ENDPOINT_URL_KMS=http://127\\.0\\.0\\.1:${port}\\)`));
  });

  it('names the SDK\'s own variable for AWS Config (AWS_ENDPOINT_URL_CONFIG_SERVICE)', () => {
    expect(endpointOverride('config', { AWS_ENDPOINT_URL_CONFIG_SERVICE: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' }))
      .toEqual({ variable: 'AWS_ENDPOINT_URL_CONFIG_SERVICE', url: 'http://127.0.0.1:1' });
    expect(endpointOverride('sts', { AWS_ENDPOINT_URL: 'http://127.0.0.1:2' })).toEqual({ variable: 'AWS_ENDPOINT_URL', url: 'http://127.0.0.1:2' });
  });

  it('four throttled answers in a row are ridden out with five attempts', async () => {
    sb.setFaults({ seed: 1, rules: [{ service: 'sts', kind: 'throttle', times: 4 }] } as never);
    const id = await callerIdentity({ ...clientConfig('us-east-1', creds, { maxAttempts: 5 }), endpoint: sb.url });
    expect(id.account).toMatch(/^\d{12}$/);
    expect(sb.stats().faultsInjected).toBe(4);
  });
});

describe('credentials', () => {
  it('a missing profile: its name, the two files searched and the profiles they hold (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-profile-'));
    const config = join(dir, 'config');
    const credentials = join(dir, 'credentials');
    writeFileSync(config, '[profile staging]\nregion = us-east-1\n');
    writeFileSync(credentials, '[default]\naws_access_key_id = AKIDTESTTEST\naws_secret_access_key = test-secret\n');
    const port = await closedPort(); // never reached: the profile fails first
    const r = await runCli(['collect', '--regions', 'us-east-1', '--profile', 'prodution'], {
      env: { ...noFiles, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AWS profile "prodution" not found');
    expect(r.stderr).toContain(config);
    expect(r.stderr).toContain(credentials);
    expect(r.stderr).toContain('profiles there: default, staging');
  });

  it('no credentials at all: the ways to provide them (exit 2)', async () => {
    const port = await closedPort();
    const r = await runCli(['collect', '--regions', 'us-east-1'], {
      env: { ...noFiles, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_WEB_IDENTITY_TOKEN_FILE: undefined, AWS_ROLE_ARN: undefined, AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no AWS credentials found');
    for (const way of ['AWS_ACCESS_KEY_ID', '--profile', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'instance']) expect(r.stderr).toContain(way);
  });
});

describe('exit codes of failures', () => {
  it('an unexpected error is a bug: exit 70, a short stack, please report', () => {
    const f = describeFailure(new TypeError("Cannot read properties of undefined (reading 'x')"), 'report');
    expect(f.exitCode).toBe(70);
    expect(f.text).toContain('internal error');
    expect(f.text).toMatch(/Please report/);
    expect(f.text).toMatch(/\n\s+at /);
    expect(f.text.split('\n').length).toBeLessThanOrEqual(8);
  });

  it('verify answers every input with 0, 1 or 2, even on a bug', () => {
    expect(describeFailure(new TypeError('x'), 'verify').exitCode).toBe(2);
  });

  it('what an input causes stays 1 or 2, without a stack', () => {
    const bundle = describeFailure(new BundleError('evidence/manifest.json: missing manifest'), 'evaluate');
    expect(bundle).toEqual({ exitCode: 2, text: 'trustpack: evidence/manifest.json: missing manifest' });
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'x.yaml'"), { code: 'ENOENT', syscall: 'open', path: 'x.yaml' });
    expect(describeFailure(enoent, 'sandbox').exitCode).toBe(2);
    class ArchiveLikeError extends UsageError { override name = 'SomeFutureInputError'; }
    expect(describeFailure(new ArchiveLikeError('archive: entry 3 is missing', 1), 'archive').exitCode).toBe(1);
  });
});
