// The command-line contract of docs/ARCHITECTURE.md: --help everywhere, exit codes, errors without stack traces.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from './helpers/cli.js';

const COMMANDS = [
  ['controls', 'validate'], ['controls', 'list'], ['controls', 'test'], ['coverage'], ['collect'],
  ['evaluate'], ['check'], ['report'], ['verify'], ['sandbox'], ['demo'], ['iam-policy'],
];

describe('trustpack CLI', () => {
  it('prints help for the program and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['controls', 'coverage', 'collect', 'evaluate', 'check', 'report', 'verify', 'sandbox', 'demo']) expect(r.stdout).toContain(c);
  });

  it.each(COMMANDS.map((c) => [c.join(' ')]))('has --help on %s', async (cmd) => {
    const r = await runCli([...cmd.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: trustpack/);
  });

  it('prints the version from package.json', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('refuses an unknown flag with exit 2', async () => {
    const r = await runCli(['coverage', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--no-such-flag'");
  });

  it('refuses an unknown command with exit 2', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
  });

  it('refuses an unknown format with exit 2', async () => {
    const r = await runCli(['coverage', '--format', 'yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices/);
  });

  it('refuses an unknown framework with exit 2', async () => {
    const r = await runCli(['controls', 'list', '--framework', 'iso27001']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown framework 'iso27001'");
  });

  it('validates the shipped catalog', async () => {
    const r = await runCli(['controls', 'validate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+ controls and 5 frameworks valid/);
  });

  it('runs the examples of every shipped control', async () => {
    const r = await runCli(['controls', 'test', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { passed: number; failed: number };
    expect(j.failed).toBe(0);
    expect(j.passed).toBeGreaterThan(20);
  });

  it('reports a broken control file with FILE:LINE:COL and the rule, exit 2, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-cli-'));
    mkdirSync(join(dir, 'controls', 'frameworks'), { recursive: true });
    writeFileSync(join(dir, 'controls', 'frameworks', 'soc2.yaml'), 'id: soc2\ntitle: SOC 2\nversion: "2017"\nrequirements:\n  - { id: CC6.1, title: Logical access }\n');
    writeFileSync(join(dir, 'controls', 'bad.yaml'), [
      'id: bad-control', 'title: A control', 'description: x', 'severity: high', 'kind: automated',
      'collector: rds.db-clusters', 'assert:', '  path: StorageEncrypted', '  op: equalz', '  value: true',
      'frameworks:', '  soc2: [CC6.1]', 'remediation: fix it', '',
    ].join('\n'));
    const r = await runCli(['controls', 'validate', '--controls', join(dir, 'controls')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:9:\d+: .*equalz/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('checks trustpack.yaml against the catalog: an unknown control in control_parameters is exit 2 with FILE:LINE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-cli-'));
    writeFileSync(join(dir, 'trustpack.yaml'), `controls: ${join(ROOT, 'controls')}\ncontrol_parameters:\n  no-such-control: { deletion_window_days: 30 }\n`);
    const r = await runCli(['controls', 'validate'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/trustpack\.yaml:3:\d+: control_parameters names control "no-such-control"/);
  });

  it('refuses an unreadable evidence bundle with exit 2', async () => {
    const r = await runCli(['evaluate', '--evidence', '/nonexistent/bundle']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/bundle');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to write an unsigned pack unless asked, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-cli-'));
    const r = await runCli(['report', '--evidence', dir, '--out', join(dir, 'p.pdf')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no signing key');
    expect(existsSync(join(dir, 'p.pdf'))).toBe(false);
  });

  it('never takes the passphrase from an unset variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-cli-'));
    writeFileSync(join(dir, 'k.p12'), 'not a p12');
    const r = await runCli(['report', '--evidence', dir, '--sign-p12', join(dir, 'k.p12'), '--sign-passphrase-env', 'TP_UNSET_VAR_X'], { env: { TP_UNSET_VAR_X: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TP_UNSET_VAR_X');
    expect(readdirSync(dir)).toEqual(['k.p12']);
  });

  it('exits 2 when verify cannot read the file', async () => {
    const r = await runCli(['verify', '/nonexistent/pack.pdf']);
    expect(r.code).toBe(2);
  });

  it('shows coverage for all five frameworks as JSON', async () => {
    const r = await runCli(['coverage', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { frameworks: { id: string; total: number; covered: number; automated: number }[] };
    expect(j.frameworks.map((f) => f.id).sort()).toEqual(['ccpa', 'csa-ccm-4', 'gdpr', 'pci-dss-4.0.1', 'soc2']);
    for (const f of j.frameworks) {
      expect(f.covered).toBeGreaterThan(0);
      expect(f.automated).toBeLessThanOrEqual(f.covered);
      expect(f.covered).toBeLessThanOrEqual(f.total);
    }
  });
});
