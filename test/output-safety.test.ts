// Outputs never destroy what was there (issue 9, point 3): every option that names an output
// path refuses an existing non-empty target with exit 2 unless --force, before any collection
// starts, naming the user's path; `demo --out DIR` leaves unrelated files in DIR alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, rmSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, loadFixture, type Sandbox } from '../src/sandbox/index.js';
import { ROOT, runCli } from './helpers/cli.js';
import { checkDemoFolder } from '../src/app/output-target.js';

let sandbox: Sandbox;
let env: Record<string, string | undefined>;
let work: string;
let bundle: string;

beforeAll(async () => {
  sandbox = await startSandbox({ fixture: loadFixture(join(ROOT, 'examples/sample/account.yaml')), port: 0 });
  env = {
    AWS_ENDPOINT_URL: sandbox.url, AWS_ACCESS_KEY_ID: 'AKIDSAMPLETEST', AWS_SECRET_ACCESS_KEY: 'sample-secret',
    AWS_REGION: 'us-east-1', AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  work = mkdtempSync(join(tmpdir(), 'tp-outputs-'));
  bundle = join(work, 'bundle');
  const r = await runCli(['collect', '--regions', 'us-east-1', '--out', bundle], { env });
  expect(r.stderr).not.toMatch(/Error:/);
  expect(existsSync(join(bundle, 'manifest.json'))).toBe(true);
});
afterAll(async () => {
  await sandbox?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function precious(path: string): string {
  writeFileSync(path, 'precious, not trustpack output\n');
  return path;
}

describe('an existing output is refused without --force', () => {
  it('collect --out a non-empty folder: exit 2 naming it, before any AWS call', async () => {
    const dir = join(work, 'taken');
    mkdirSync(dir);
    precious(join(dir, 'notes.txt'));
    const before = sandbox.stats().calls;
    const r = await runCli(['collect', '--regions', 'us-east-1', '--out', dir], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--out ${dir}: already exists and is not empty`);
    expect(r.stderr).toContain('--force');
    expect(r.stderr).not.toMatch(/\.tmp-/);
    expect(sandbox.stats().calls).toBe(before); // refused before the collection started
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('collect --out an existing non-empty folder with --force replaces it with a bundle', async () => {
    const dir = join(work, 'forced');
    mkdirSync(dir);
    precious(join(dir, 'notes.txt'));
    const r = await runCli(['collect', '--regions', 'us-east-1', '--out', dir, '--force'], { env });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'manifest.json'))).toBe(true);
  });

  it('check --output an existing file and check --out a non-empty folder: exit 2 before any AWS call', async () => {
    const file = precious(join(work, 'check.json'));
    const before = sandbox.stats().calls;
    const a = await runCli(['check', '--regions', 'us-east-1', '--format', 'json', '--output', file], { env });
    expect(a.code).toBe(2);
    expect(a.stderr).toContain(`--output ${file}: already exists`);
    const b = await runCli(['check', '--regions', 'us-east-1', '--out', bundle], { env });
    expect(b.code).toBe(2);
    expect(b.stderr).toContain(`--out ${bundle}: already exists`);
    expect(sandbox.stats().calls).toBe(before);
    expect(readFileSync(file, 'utf8')).toBe('precious, not trustpack output\n');
  });

  it('evaluate --output an existing file: exit 2, untouched; --force replaces it; an empty file is fine', async () => {
    const file = precious(join(work, 'results.json'));
    const r = await runCli(['evaluate', '--evidence', bundle, '--format', 'json', '--output', file], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--output ${file}: already exists and is not empty`);
    expect(readFileSync(file, 'utf8')).toBe('precious, not trustpack output\n');
    const f = await runCli(['evaluate', '--evidence', bundle, '--format', 'json', '--output', file, '--force'], { env });
    expect(f.code).toBe(1); // the sample account fails controls on purpose
    expect(JSON.parse(readFileSync(file, 'utf8')).tool.name).toBe('trustpack');
    const empty = join(work, 'empty.json');
    writeFileSync(empty, '');
    const e = await runCli(['evaluate', '--evidence', bundle, '--format', 'json', '--output', empty], { env });
    expect(e.code).toBe(1);
  });

  it('report --out an existing file: exit 2, untouched; a folder where the PDF goes is refused even with --force', async () => {
    const file = precious(join(work, 'pack.pdf'));
    const r = await runCli(['report', '--evidence', bundle, '--unsigned', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--out ${file}: already exists and is not empty`);
    expect(readFileSync(file, 'utf8')).toBe('precious, not trustpack output\n');
    const d = await runCli(['report', '--evidence', bundle, '--unsigned', '--out', work, '--force']);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain(`--out ${work}: is a folder`);
    const f = await runCli(['report', '--evidence', bundle, '--unsigned', '--out', file, '--force']);
    expect(f.code).toBe(0);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('a write that fails names the user\'s path, never the temporary sibling', async () => {
    const blocker = precious(join(work, 'not-a-folder'));
    const r = await runCli(['report', '--evidence', bundle, '--unsigned', '--out', join(blocker, 'pack.pdf')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(blocker, 'pack.pdf'));
    expect(r.stderr).not.toMatch(/\.tmp-/);
  });
});

describe('demo --out DIR', () => {
  it('keeps unrelated files, refuses to replace files it did not write, replaces its own output on the next run', async () => {
    const dir = join(work, 'demo');
    mkdirSync(join(dir, 'evidence'), { recursive: true });
    precious(join(dir, 'mine.txt'));
    precious(join(dir, 'evidence', 'notes.txt'));
    const refused = await runCli(['demo', '--out', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(join(dir, 'evidence', 'notes.txt'));
    expect(refused.stderr).toContain('--force');
    expect(readdirSync(join(dir, 'evidence'))).toEqual(['notes.txt']);

    const dir2 = join(work, 'demo2');
    mkdirSync(dir2);
    precious(join(dir2, 'mine.txt'));
    const first = await runCli(['demo', '--out', dir2]);
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(['demo', '--out', dir2]); // its own earlier output: replaced without --force
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(dir2, 'mine.txt'), 'utf8')).toBe('precious, not trustpack output\n');
    writeFileSync(join(dir2, 'summary.md'), 'edited by hand\n');
    const edited = await runCli(['demo', '--out', dir2]);
    expect(edited.code).toBe(2);
    expect(edited.stderr).toContain(join(dir2, 'summary.md'));
    expect(readFileSync(join(dir2, 'summary.md'), 'utf8')).toBe('edited by hand\n');
  }, 120_000);
});

describe('the demo folder check, in-process', () => {
  const NAMES = ['evidence/', 'results.json', 'summary.md'];

  it('takes a demo output from before the marker (a bare trustpack bundle in evidence/) as its own', () => {
    const dir = join(work, 'legacy');
    cpSync(bundle, join(dir, 'evidence'), { recursive: true });
    writeFileSync(join(dir, 'results.json'), '{}\n');
    expect(() => checkDemoFolder(dir, NAMES, false)).not.toThrow();
  });

  it('refuses when that evidence folder holds anything besides the bundle', () => {
    const dir = join(work, 'legacy-plus');
    cpSync(bundle, join(dir, 'evidence'), { recursive: true });
    precious(join(dir, 'evidence', 'notes.txt'));
    expect(() => checkDemoFolder(dir, NAMES, false)).toThrow(/evidence\/notes\.txt/);
    expect(() => checkDemoFolder(dir, NAMES, true)).not.toThrow();
  });

  it('refuses a results.json of the user\'s own, with no demo output beside it', () => {
    const dir = join(work, 'users-own');
    mkdirSync(dir);
    precious(join(dir, 'results.json'));
    expect(() => checkDemoFolder(dir, NAMES, false)).toThrow(/results\.json, which an earlier demo did not write/);
  });
});
