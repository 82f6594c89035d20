// Estates from the command line, as the README shows them: `trustpack check --org-role` on the
// sandbox organization (examples/estate/organization.yaml), region names checked on the command
// line and in trustpack.yaml, bad shard and rate-limit input; and the AWS CLI (botocore, an
// independent client) paging through the sandbox's Organizations answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { readBundle } from '../src/evidence/bundle.js';
import type { Results } from '../src/engine/results.js';
import { ROOT, runCli } from './helpers/cli.js';

const ESTATE = join(ROOT, 'examples/estate/organization.yaml');
let sb: Sandbox;
let tmp: string;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(ESTATE), port: 0 });
  tmp = await mkdtemp(join(tmpdir(), 'trustpack-estate-cli-'));
  env = {
    AWS_ENDPOINT_URL: sb.url, AWS_ACCESS_KEY_ID: 'AKIDESTATETEST', AWS_SECRET_ACCESS_KEY: 'estate-secret-never-printed',
    AWS_REGION: 'us-east-1', AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
});
afterAll(async () => {
  await sb?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('trustpack check --org-role on the sandbox organization', () => {
  it('collects the ACTIVE accounts, says what it skipped and why, and evaluates', async () => {
    const r = await runCli(['check', '--org-role', 'trustpack-audit', '--regions', 'us-east-1', '--format', 'json'], { env, cwd: tmp });
    expect(r.code, r.stderr).toBe(1); // the estate has deliberate defects
    const results = JSON.parse(r.stdout) as Results;
    expect(results.run.accounts).toEqual(['111100000001', '111100000002', '111100000003', '111100000004']);
    expect(results.run.skippedAccounts).toEqual([
      { account: '111100000007', state: 'PENDING_CLOSURE' }, { account: '111100000008', state: 'CLOSED' }, { account: '111100000009', state: 'SUSPENDED' },
    ]);
    expect(r.stderr).toMatch(/note: the management account 111100000001 has no role trustpack-audit/);
    expect(r.stderr).toMatch(/skipped account 111100000009: SUSPENDED/);
    expect(r.stderr).toMatch(/\d+ resources could not be read \(per-resource ERROR records/);
    const rotation = results.controls.find((c) => c.id === 'kms-cmk-rotation-enabled')!;
    expect(rotation.findings.some((f) => f.status === 'ERROR' && f.owner === '999988887777')).toBe(true);
    expect(r.stderr).not.toContain('estate-secret-never-printed');
  });
});

describe('collect --out streams the records to disk as collections finish', () => {
  it('the bundle it renames into place reads back whole and evaluates as check does', async () => {
    const out = join(tmp, 'streamed');
    const c = await runCli(['collect', '--org-role', 'trustpack-audit', '--regions', 'us-east-1', '--out', out], { env, cwd: tmp });
    // the estate has keys no role may read: exit 1, as collect's help says, after the bundle is written
    expect(c.code, c.stderr).toBe(1);
    expect(c.stdout).toMatch(/\d+ resources could not be read/);
    const bundle = await readBundle(out); // every file's sha256, every record's id
    const m = bundle.manifest;
    expect(m.files.reduce((n, f) => n + (f.records ?? 0), 0)).toBe(bundle.records.length);
    expect(c.stdout).toContain(`${bundle.records.length} records`);
    // a collector that ran fine and found nothing still has its (empty) file
    for (const col of m.collections.filter((x) => x.status === 'ok')) expect(m.files.map((f) => f.path)).toContain(`records/${col.collector}.jsonl`);
    const evaluated = await runCli(['evaluate', '--evidence', out, '--format', 'json'], { env, cwd: tmp });
    const checked = await runCli(['check', '--org-role', 'trustpack-audit', '--regions', 'us-east-1', '--format', 'json'], { env, cwd: tmp });
    // two runs: record ids (and so finding order) differ with the time; the verdicts must not
    const strip = (text: string) => (JSON.parse(text) as Results).controls.map((x) => ({ id: x.id, status: x.status, findings: x.findings.map((f) => `${f.resource} ${f.status}`).sort() }));
    expect(strip(evaluated.stdout)).toEqual(strip(checked.stdout));
    // nothing left beside it
    expect(readdirSync(tmp).filter((n) => n.startsWith('.streamed'))).toEqual([]);
  });

  it('exits 1 when resources could not be read, after the bundle is written and archived', async () => {
    const out = join(tmp, 'archived-with-gaps');
    const archive = join(tmp, 'archive-with-gaps');
    const c = await runCli(['collect', '--org-role', 'trustpack-audit', '--regions', 'us-east-1', '--out', out, '--archive', archive], { env, cwd: tmp });
    expect(c.code, c.stderr).toBe(1);
    expect(c.stdout).toMatch(/\d+ resources could not be read/);
    expect(c.stdout).toMatch(/archived run .* as entry 1 of/);
    const bundle = await readBundle(out);
    expect(bundle.records.some((r) => r.error !== undefined)).toBe(true);
    const listed = await runCli(['archive', 'list', '--archive', archive, '--format', 'json'], { env, cwd: tmp });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(bundle.manifest.runId);
  });

  it('a run that cannot start leaves nothing at the destination nor beside it', async () => {
    const out = join(tmp, 'never-streamed');
    const r = await runCli(['collect', '--org-role', 'trustpack-audit', '--regions', 'us-east-1', '--out', out], {
      env: { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, cwd: tmp, // nothing listens there
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot list the organization's accounts .*NetworkError/);
    expect(readdirSync(tmp).filter((n) => n.includes('never-streamed'))).toEqual([]);
  });
});

describe('bad estate input is a usage error (exit 2) naming where', () => {
  it('a region name one edit from a known one, on the command line and in trustpack.yaml', async () => {
    const cli = await runCli(['collect', '--regions', 'us-east-1,eu-wset-1', '--out', join(tmp, 'never')], { env, cwd: tmp });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/--regions: unknown region "eu-wset-1"; did you mean "eu-west-1"\?/);
    const dir = await mkdtemp(join(tmp, 'proj-'));
    await writeFile(join(dir, 'trustpack.yaml'), 'organisation: Example\nregions: [us-east-1, ap-southeast-22]\n');
    const yaml = await runCli(['collect', '--out', join(dir, 'never')], { env, cwd: dir });
    expect(yaml.code).toBe(2);
    // FILE:LINE:COL, from the one project-file check every command applies
    expect(yaml.stderr).toMatch(/trustpack\.yaml:2:\d+: regions: unknown region "ap-southeast-22"; did you mean "ap-southeast-2"\? \[region\]/);
  });

  it('an unknown but well-formed region is collected with a warning', async () => {
    const r = await runCli(['collect', '--regions', 'us-east-1,xx-nowhere-7', '--out', join(tmp, 'warned')], { env, cwd: tmp });
    expect(r.stderr).toMatch(/warning: --regions: region "xx-nowhere-7" is not in the AWS SDK's partition data/);
    expect(r.code).toBe(0);
  });

  it('a shard outside 1..N, and a rate-limit file that is not a table', async () => {
    const shard = await runCli(['collect', '--org-role', 'trustpack-audit', '--shard', '5/4', '--regions', 'us-east-1'], { env, cwd: tmp });
    expect(shard.code).toBe(2);
    expect(shard.stderr).toMatch(/--shard: "5\/4" must be K\/N with 1 <= K <= N/);
    await writeFile(join(tmp, 'limits.json'), JSON.stringify({ apis: { DescribeKey: { rate: 1, burst: 1 } } }));
    const limits = await runCli(['collect', '--rate-limits', join(tmp, 'limits.json'), '--regions', 'us-east-1'], { env, cwd: tmp });
    expect(limits.code).toBe(2);
    expect(limits.stderr).toMatch(/--rate-limits .*limits\.json: apis key "DescribeKey" must be service:Operation/);
  });
});

describe('the AWS CLI reads the sandbox organization', () => {
  it('aws organizations list-accounts pages through every member (botocore follows NextToken)', async () => {
    const { stdout } = await promisify(execFile)('/usr/bin/aws', ['organizations', 'list-accounts', '--page-size', '2', '--region', 'us-east-1', '--endpoint-url', sb.url, '--output', 'json'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmp, AWS_ACCESS_KEY_ID: 'AKIDESTATETEST', AWS_SECRET_ACCESS_KEY: 'x', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '' },
      timeout: 60_000,
    });
    const out = JSON.parse(stdout) as { Accounts: { Id: string; State?: string; Arn: string }[] };
    expect(out.Accounts.map((a) => a.Id)).toEqual(['111100000001', '111100000002', '111100000003', '111100000004', '111100000007', '111100000008', '111100000009']);
    expect(out.Accounts.every((a) => /^arn:aws:organizations::111100000001:account\/o-[a-z0-9]{10}\/\d{12}$/.test(a.Arn))).toBe(true);
  });
});
