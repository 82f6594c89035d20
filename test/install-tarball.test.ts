// Installing trustpack outside its checkout, as the README's own-account section says: `npm pack`,
// an empty folder holding only the tarball, the section's commands run there one by one (npm's
// global prefix pointed into a temporary folder), against the sample account in the sandbox.
// It proves the package's `files`, its bin and every path it resolves relative to itself, and
// that the README's commands are the ones that work. The dependencies come from npm's cache when
// they are there (--prefer-offline), else from the registry (CI).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, startSandbox } from '../src/sandbox/index.js';
import { ROOT } from './helpers/cli.js';

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's own-account block, as logical lines (continuations joined, comments dropped). */
function ownAccountLines(): string[] {
  const marker = readme.indexOf('<!-- own-account:');
  expect(marker, 'README: the own-account block is marked').toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker))![1]!;
  return block.replace(/\\\n/g, ' ').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

function shell(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // its own process group, so a stuck line is killed with its children (npm holds the pipes)
    const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { child.kill('SIGKILL'); } }, 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let work: string;
let codes: { line: string; code: number; stdout: string; stderr: string }[] = [];

beforeAll(async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tp-install-'));
  // the build the other CLI tests run is what is packed (prepare would rebuild it)
  expect(existsSync(join(ROOT, 'dist', 'src', 'cli.js')), 'run `npm run build` first').toBe(true);
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], { cwd: ROOT, stdio: 'ignore' });
  const tarball = `trustpack-${version}.tgz`;
  work = join(tmp, 'work');
  mkdirSync(work);
  copyFileSync(join(tmp, tarball), join(work, tarball));
  sandbox = await startSandbox({ fixture: loadFixture(join(ROOT, 'examples/sample/account.yaml')), port: 0 });
  const prefix = join(tmp, 'global');
  const env: NodeJS.ProcessEnv = {
    PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: process.env.HOME ?? tmp,
    npm_config_prefix: prefix, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    AWS_ENDPOINT_URL: sandbox.url, AWS_ACCESS_KEY_ID: 'AKIDINSTALLTEST', AWS_SECRET_ACCESS_KEY: 'install-test-secret',
    AWS_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
    // how this machine reaches the registry (a proxy, an extra CA): kept, or npm cannot fetch what
    // its cache lacks and the install fails for a reason that is not the package's
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|https?_proxy|no_proxy|npm_config_(cafile|ca|registry|proxy|https_proxy|noproxy|strict_ssl))$/i.test(k))),
  };
  // one shell, so that `export` carries over; each line's exit code and output kept apart
  codes = [];
  for (const line of ownAccountLines()) {
    // asynchronously: the sandbox answers from this process
    const r = await shell(`source ./.env 2>/dev/null; ${line}; s=$?; export -p > ./.env; exit $s`, work, env);
    codes.push({ line, ...r });
  }
}, 600_000);

afterAll(async () => {
  await sandbox?.close();
});

const run = (start: string) => {
  const r = codes.find((c) => c.line.startsWith(start));
  expect(r, `README's own-account block runs \`${start}\``).toBeDefined();
  return r!;
};

describe("the README's own-account section, from a tarball in an empty folder", () => {
  it('installs the tarball the README names, never `npx trustpack`', () => {
    expect(ownAccountLines().join('\n')).not.toMatch(/\bnpx\b/);
    const install = run('npm install --global');
    expect(install.line, 'the README names the tarball npm pack writes').toContain(`./trustpack-${version}.tgz`);
    expect(install.code, install.stderr).toBe(0);
    expect(readdirSync(work)).toContain(`trustpack-${version}.tgz`);
  });

  it('runs the installed trustpack: --version', () => {
    const r = run('trustpack --version');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('init writes a trustpack.yaml that check then uses, with the regions where data lives as allowed_regions', () => {
    const r = run('trustpack init');
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(work, 'trustpack.yaml'), 'utf8');
    expect(text).toContain('organisation: "Acme Ltd"');
    expect(text).toMatch(/^ {2}allowed_regions: \["us-east-1","eu-central-1"\]/m);
  });

  it('iam-policy writes JSON to the file', () => {
    const r = run('trustpack iam-policy');
    expect(r.code, r.stderr).toBe(0);
    const policy = JSON.parse(readFileSync(join(work, 'trustpack-read.json'), 'utf8')) as { Statement: unknown[] };
    expect(policy.Statement.length).toBeGreaterThan(0);
  });

  it('check collects the sandbox account with the project file and fails the controls the sample fails', () => {
    const r = run('trustpack check');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toContain("using the catalog's defaults");
    // allowed_regions from init: the sample's cluster in ap-southeast-2 is outside them
    expect(r.stdout).toMatch(/FAIL rds-data-residency/);
    expect(r.stdout).toMatch(/\d+ controls: \d+ PASS, \d+ FAIL/);
  });

  it('collect, report and verify: a signed pack that verifies, also for pdfsig', () => {
    for (const start of ['trustpack collect', 'trustpack report', 'trustpack verify']) {
      const r = run(start);
      expect(r.code, `${start}: ${r.stderr}`).toBe(0);
    }
    expect(existsSync(join(work, 'evidence', 'manifest.json'))).toBe(true);
    expect(run('trustpack verify').stdout).toMatch(/VALID/);
    const pdfsig = spawnSync('pdfsig', [join(work, 'pack.pdf')], { encoding: 'utf8' });
    expect(pdfsig.stdout).toContain('Signature is Valid.');
  });
});
