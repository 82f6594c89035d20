// A new user's first run from a fresh clone (the repository's root: no trustpack.yaml there), against the sample
// account in the sandbox (real SDK over loopback): the sample company's settings must not apply
// (its waivers, attestations, allowed DR account and name), and the run says once that it uses
// the catalog's defaults.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, loadFixture } from '../src/sandbox/index.js';
import type { Results } from '../src/engine/results.js';
import { ROOT, runCli } from './helpers/cli.js';

const NOTE = "using the catalog's defaults";
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let env: Record<string, string | undefined>;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ fixture: loadFixture(join(ROOT, 'examples/sample/account.yaml')), port: 0 });
  env = {
    AWS_ENDPOINT_URL: sandbox.url, AWS_ACCESS_KEY_ID: 'AKIDFIRSTCONTACT', AWS_SECRET_ACCESS_KEY: 'first-contact-secret',
    AWS_REGION: 'us-east-1', AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  dir = mkdtempSync(join(tmpdir(), 'tp-first-'));
});
afterAll(async () => {
  await sandbox?.close();
});

describe('a run without a project file', () => {
  let results: Results;
  let stderr: string;

  beforeAll(async () => {
    const r = await runCli(['check', '--regions', 'us-east-1,eu-central-1', '--format', 'json', '--out', join(dir, 'evidence')], { cwd: ROOT, env });
    stderr = r.stderr;
    results = JSON.parse(r.stdout) as Results;
  });

  it("says once, on stderr, that it uses the catalog's defaults and how to write a project file", () => {
    expect(stderr.split(NOTE).length - 1).toBe(1);
    expect(stderr).toContain('trustpack init');
  });

  it("applies none of the sample company's attestations: every manual control FAILS", () => {
    const manual = results.controls.filter((c) => c.kind === 'manual');
    expect(manual.length).toBeGreaterThan(0);
    expect(manual.map((c) => c.status)).toEqual(manual.map(() => 'FAIL'));
    expect(results.summary.MANUAL).toBe(0);
    expect(JSON.stringify(results)).not.toContain('Alex Chen');
  });

  it("applies none of its waivers nor its allowed DR account", () => {
    expect(results.summary.WAIVED).toBe(0);
    const shared = results.controls.find((c) => c.id === 'rds-snapshot-shared-only-with-allowed-accounts')!;
    expect(shared.status).toBe('FAIL');
    // the sample allows its DR account 444455556666; the catalog's default allows nobody
    expect(shared.findings.filter((f) => f.status === 'FAIL').map((f) => f.resource)).toContain('arn:aws:rds:us-east-1:111122223333:cluster-snapshot:orders-prod-dr-copy');
  });

  it("does not put the sample company's name on the pack", async () => {
    const pack = join(dir, 'pack.pdf');
    const r = await runCli(['report', '--evidence', join(dir, 'evidence'), '--unsigned', '--out', pack], { cwd: ROOT, env: { AWS_EC2_METADATA_DISABLED: 'true' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split(NOTE).length - 1).toBe(1);
    const text = execFileSync('pdftotext', [pack, '-'], { encoding: 'utf8' });
    expect(text).not.toContain('Example SaaS');
    expect(text).not.toContain('Alex Chen');
  });
});
