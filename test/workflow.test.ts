// The example nightly workflow stays valid: it parses, it uses OIDC (no stored AWS keys),
// and every trustpack command and flag it runs exists in the CLI.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, runCli } from './helpers/cli.js';

interface Step { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
const text = readFileSync(join(ROOT, 'examples/github-actions/nightly-evidence.yml'), 'utf8');
const wf = parse(text) as {
  on: { schedule: { cron: string }[] };
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
};
const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
/** every `trustpack ...` command line: the command words, then the rest up to a shell operator */
const invocations = steps
  .flatMap((s) => (s.run ?? '').replace(/\\\n/g, ' ').split('\n'))
  .map((l) => l.match(/(?:^|[\s'"])trustpack ((?:[a-z]+ )*[a-z]+)((?: +[^|>&;]+)*)/))
  .filter((m): m is RegExpMatchArray => m !== null)
  .map((m) => ({ command: m[1]!.split(' '), rest: m[2] ?? '' }));

describe('example nightly workflow', () => {
  it('runs on a schedule with an OIDC role and no long-lived keys', () => {
    expect(wf.on.schedule[0]?.cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(wf.permissions['id-token']).toBe('write');
    const creds = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
    expect(creds?.with?.['role-to-assume']).toBeTruthy();
    expect(JSON.stringify(wf)).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
  });

  it('uploads the pack, the evidence and JUnit results, and writes a job summary', () => {
    const paths = steps.filter((s) => s.uses?.startsWith('actions/upload-artifact')).map((s) => String(s.with?.path ?? '')).join('\n');
    for (const p of ['evidence/', 'evidence-pack.pdf', 'results.junit.xml']) expect(paths).toContain(p);
    expect(steps.some((s) => s.run?.includes('GITHUB_STEP_SUMMARY'))).toBe(true);
  });

  it('uses only commands and flags the CLI has', async () => {
    expect(invocations.length).toBeGreaterThanOrEqual(4);
    const globalHelp = (await runCli(['--help'])).stdout;
    for (const { command, rest } of invocations) {
      const help = await runCli([...command, '--help']);
      expect(help.code, command.join(' ')).toBe(0);
      // a flag belongs to the command, or is one of the program's global options (--project)
      for (const flag of rest.match(/--[a-z0-9-]+/g) ?? []) expect(help.stdout + globalHelp, `${command.join(' ')} ${flag}`).toContain(flag);
    }
  });

  it("runs on the user's own trustpack.yaml, and stops without one", () => {
    // (the hint to run `trustpack init` is a message, not a run; the archive commands read no project file)
    for (const { command, rest } of invocations.filter((i) => i.command[0] !== 'init' && i.command[0] !== 'archive')) expect(rest, command.join(' ')).toContain('--project trustpack.yaml');
    expect(invocations.some((i) => i.rest.includes('--regions')), 'regions come from trustpack.yaml').toBe(false);
    expect(steps.some((s) => s.run?.includes('test -f trustpack.yaml'))).toBe(true);
  });

  it('passes secrets by environment variable name, never into a script or an argument', () => {
    for (const s of steps) expect(s.run ?? '').not.toContain('secrets.');
    const signing = steps.find((s) => s.run?.includes('--sign-passphrase-env'))!;
    const named = /--sign-passphrase-env ([A-Z_]+)/.exec(signing.run!)![1]!;
    expect(signing.env?.[named]).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
    expect(Object.values(signing.env ?? {}).every((v) => /^\$\{\{ secrets\./.test(v))).toBe(true);
  });

  it('says how to adopt it outside a trustpack checkout: a tarball or a git URL', () => {
    expect(text).toContain('npm pack');
    expect(text).toMatch(/git\+https:\/\/github\.com\/[^ ]+\.git#v/);
    const install = steps.find((s) => s.run?.includes('TRUSTPACK_PACKAGE'))!;
    expect(install.run).toContain('npm install --global --no-audit --no-fund "$TRUSTPACK_PACKAGE"');
    // the installed command, never npx (which would fetch whatever public package holds the name)
    expect(steps.map((s) => s.run ?? '').join('\n')).not.toMatch(/\bnpx\b/);
  });

  it('checks the archive against the previous night\'s head and records tonight\'s as an artifact', () => {
    const i = steps.findIndex((s) => s.run?.includes('--expect-head'));
    expect(steps[i]!.run).toContain('${EXPECT_HEAD:+--expect-head "$EXPECT_HEAD"}');
    expect(steps.findIndex((s) => s.run?.includes('gh run download') && s.run.includes('EXPECT_HEAD='))).toBeLessThan(i);
    expect(steps.findIndex((s) => s.run?.includes('trustpack collect') && s.run.includes('--archive'))).toBeLessThan(i);
    const upload = steps.slice(i).find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.with?.name).toBe('archive-head');
  });

  it('caps the job summary: every markdown summary has --max-rows', () => {
    const md = invocations.filter((x) => x.rest.includes('--format markdown'));
    expect(md.length).toBeGreaterThan(0);
    for (const x of md) expect(x.rest).toMatch(/--max-rows \d+/);
  });

  // Each step's script under bash -e as Actions runs it, with `trustpack` replaced by a function
  // that exits with a chosen code: exit 2 (bad input) must fail every step; exit 1 (controls
  // failed, evidence missing) only the gate and `archive verify` (a broken chain).
  describe('never swallows exit 2', () => {
    const scripts = steps.filter((s) => /(^|\s)trustpack [a-z]/m.test(s.run ?? '') && !s.run!.includes('npm '));
    const runStep = (script: string, code: number) => {
      const dir = mkdtempSync(join(tmpdir(), 'tp-wf-'));
      writeFileSync(join(dir, 'trustpack.yaml'), 'organisation: Acme\n');
      return spawnSync('bash', ['-e', '-c', `trustpack() { return ${code}; }\n${script}`], {
        cwd: dir, encoding: 'utf8',
        env: { PATH: process.env.PATH, RUNNER_TEMP: dir, GITHUB_STEP_SUMMARY: join(dir, 'summary.md'), TRUSTPACK_SIGNING_P12_BASE64: '', TRUSTPACK_SIGNING_PASSPHRASE: 'x' },
      }).status;
    };
    it.each(scripts.map((s, i) => [i, s.name ?? s.run!.slice(0, 40), s.run!] as const))('step %i (%s)', (i, _name, script) => {
      expect(runStep(script, 0)).toBe(0);
      expect(runStep(script, 2)).not.toBe(0);
      const last = i === scripts.length - 1;
      const signing = script.includes('trustpack report');
      // report exits 1 only with a gate flag; the gate step must fail on 1; the others go on
      const failsOn1 = last || script.includes('archive verify');
      if (!signing && !script.includes('controls validate')) expect(runStep(script, 1) === 0).toBe(!failsOn1);
    });
  });
});

describe('both example workflows', () => {
  const files = ['nightly-evidence.yml', 'sharded-estate.yml'].map((f) => [f, readFileSync(join(ROOT, 'examples/github-actions', f), 'utf8')] as const);

  it.each(files)('%s pins every action by commit SHA', (_f, t) => {
    const parsed = parse(t) as { jobs: Record<string, { steps: Step[] }> };
    const uses = Object.values(parsed.jobs).flatMap((j) => j.steps).flatMap((s) => (s.uses ? [s.uses] : []));
    expect(uses.length).toBeGreaterThan(3);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  it.each(files)('%s lists every variable and secret it reads in its header', (_f, t) => {
    const header = t.slice(0, t.search(/^name:/m));
    const names = [...new Set([...t.matchAll(/\b(?:vars|secrets)\.([A-Z0-9_]+)/g)].map((m) => m[1]!))];
    expect(names.length).toBeGreaterThan(3);
    for (const n of names) expect(header, n).toMatch(new RegExp(`#.*\\b${n}\\b`));
  });
});
