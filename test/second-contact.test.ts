// What a newcomer hit on second contact (issue 20), each through the built CLI against the
// sandbox on loopback: options checked before any AWS call, a malformed endpoint variable,
// a dead endpoint bounded by --timeout and --max-attempts, and one denied role said once.
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { ROOT, runCli } from './helpers/cli.js';

const baseEnv = {
  AWS_ACCESS_KEY_ID: 'AKIDSECONDCONTACT', AWS_SECRET_ACCESS_KEY: 'second-contact-secret', AWS_REGION: 'us-east-1',
  AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true',
  AWS_MAX_ATTEMPTS: undefined,
};
let sample: Sandbox;
let estate: Sandbox;
/** accepts connections and never answers: an endpoint that hangs */
let silent: Server;
let silentUrl: string;
const sockets: Socket[] = [];
let dir: string;

beforeAll(async () => {
  sample = await startSandbox({ fixture: loadFixture(join(ROOT, 'examples/sample/account.yaml')), port: 0 });
  estate = await startSandbox({ fixture: loadFixture(join(ROOT, 'examples/estate/organization.yaml')), port: 0 });
  silent = createServer((s) => { sockets.push(s); s.on('error', () => {}); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  dir = mkdtempSync(join(tmpdir(), 'tp-second-'));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  silent?.close();
  await sample?.close();
  await estate?.close();
});

describe('options are checked before any AWS call', () => {
  it('check --framework soc3: exit 2 naming the framework, and the sandbox saw no call', async () => {
    const before = sample.callLog().length;
    const r = await runCli(['check', '--regions', 'us-east-1', '--framework', 'soc3'], { cwd: dir, env: { ...baseEnv, AWS_ENDPOINT_URL: sample.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown framework 'soc3' (expected one of: soc2,");
    expect(sample.callLog().length).toBe(before);
  });

  it.each([
    [['--max-attempts', '0'], "--max-attempts must be a whole number from 1 to 20, got '0'"],
    [['--timeout', 'ten'], "--timeout must be a number of seconds above 0 and at most 600, got 'ten'"],
  ])('collect %j: exit 2 before any call', async (args, message) => {
    const before = sample.callLog().length;
    const r = await runCli(['collect', '--regions', 'us-east-1', ...args], { cwd: dir, env: { ...baseEnv, AWS_ENDPOINT_URL: sample.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sample.callLog().length).toBe(before);
  });
});

describe('AWS_ENDPOINT_URL', () => {
  it.each([
    ['AWS_ENDPOINT_URL', '127.0.0.1:4566', 'AWS_ENDPOINT_URL="127.0.0.1:4566" is not an http:// or https:// URL (with its scheme: http://127.0.0.1:4566'],
    ['AWS_ENDPOINT_URL_RDS', 'localhost', 'AWS_ENDPOINT_URL_RDS="localhost" is not an http:// or https:// URL (with its scheme: http://localhost'],
    ['AWS_ENDPOINT_URL', 'ftp://127.0.0.1/', 'AWS_ENDPOINT_URL="ftp://127.0.0.1/" is not an http:// or https:// URL'],
  ])('%s=%s is exit 2 naming the variable, not a TypeError', async (name, value, message) => {
    for (const command of [['collect'], ['check']]) {
      const r = await runCli([...command, '--regions', 'us-east-1'], { cwd: dir, env: { ...baseEnv, [name]: value } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/TypeError|Invalid URL/);
    }
  });
});

describe('an endpoint that never answers', () => {
  it('--help prints the defaults of --timeout and --max-attempts', async () => {
    for (const command of ['collect', 'check', 'backfill']) {
      const help = (await runCli([command, '--help'], { env: { COLUMNS: '200' } })).stdout.replace(/\s+/g, ' ');
      expect(help).toContain('--timeout <seconds> time for one AWS request to be answered (default: 10)');
      expect(help).toMatch(/--max-attempts <n> [^-]*\(default: AWS_MAX_ATTEMPTS, else 5\)/);
    }
  });

  it('is given up on after --max-attempts requests of --timeout seconds each', async () => {
    const r = await runCli(['collect', '--regions', 'us-east-1', '--timeout', '1', '--max-attempts', '2'], { cwd: dir, env: { ...baseEnv, AWS_ENDPOINT_URL: silentUrl } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('exceeded the configured 1000 ms requestTimeout');
    expect(r.stderr).toContain('(after 2 attempts)');
  });

  it('honours AWS_MAX_ATTEMPTS, and the flag overrides it', async () => {
    const env = { ...baseEnv, AWS_ENDPOINT_URL: silentUrl, AWS_MAX_ATTEMPTS: '3' };
    const fromEnv = await runCli(['collect', '--regions', 'us-east-1', '--timeout', '0.5'], { cwd: dir, env });
    expect(fromEnv.stderr).toContain('exceeded the configured 500 ms requestTimeout');
    expect(fromEnv.stderr).toContain('(after 3 attempts)');
    const fromFlag = await runCli(['collect', '--regions', 'us-east-1', '--timeout', '0.5', '--max-attempts', '2'], { cwd: dir, env });
    expect(fromFlag.stderr).toContain('(after 2 attempts)');
    const bad = await runCli(['collect', '--regions', 'us-east-1'], { cwd: dir, env: { ...env, AWS_MAX_ATTEMPTS: 'many' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("AWS_MAX_ATTEMPTS must be a whole number from 1 to 20, got 'many'");
  });
});

describe('one denied role', () => {
  it('is said once with a count, not once per collection', async () => {
    const role = 'arn:aws:iam::111100000002:role/not-there';
    const r = await runCli(['collect', '--role-arn', role, '--regions', 'us-east-1,eu-central-1,eu-west-1', '--out', join(dir, 'denied')],
      { cwd: dir, env: { ...baseEnv, AWS_ENDPOINT_URL: estate.url } });
    expect(r.code).toBe(1);
    const sentence = `is not authorized to perform: sts:AssumeRole on resource: ${role}`;
    const failed = Number(/(\d+) collections failed/.exec(r.stdout)?.[1]);
    expect(failed).toBeGreaterThan(20);
    // every collection of the account failed alike; printed at most once per distinct message
    expect(r.stdout.split(sentence).length - 1).toBeLessThanOrEqual(2);
    expect(r.stderr.split(sentence).length - 1).toBeLessThanOrEqual(2);
    expect(r.stdout).toMatch(/111100000002 3 regions and global \d+ collectors: AccessDenied: .* \(x\d+ collections\)/);
  });
});

describe('the check table', () => {
  it('fits 120 columns: titles cut with an ellipsis, whole in --format json', async () => {
    const env = { ...baseEnv, AWS_ENDPOINT_URL: sample.url };
    const args = ['check', '--regions', 'us-east-1,eu-central-1', '--out', join(dir, 'table-evidence')];
    const r = await runCli([...args, '--format', 'table'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(1);
    const table = r.stdout.split('\n\n')[0]!.split('\n');
    expect(table[0]).toMatch(/^STATUS +CONTROL +SEVERITY +TITLE +FAILING$/);
    expect(table.length).toBeGreaterThan(20);
    for (const line of table) expect([...line].length, line).toBeLessThanOrEqual(120);
    const cut = table.filter((l) => l.includes('…'));
    expect(cut.length).toBeGreaterThan(0);
    const json = JSON.parse((await runCli(['evaluate', '--evidence', join(dir, 'table-evidence'), '--format', 'json'], { cwd: dir, env })).stdout) as { controls: { id: string; title: string }[] };
    for (const line of cut) {
      const id = line.split(/\s+/)[1]!;
      const title = json.controls.find((c) => c.id === id)!.title;
      const shown = /\s{2}(\S.*?…)/.exec(line.slice(line.indexOf(id) + id.length))![1]!;
      expect(title.startsWith(shown.replace(/^\S+\s+/, '').slice(0, -1))).toBe(true);
      expect(title.includes('…')).toBe(false);
    }
  });
});
