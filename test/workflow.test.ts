// The example nightly workflow stays valid: it parses, it uses OIDC (no stored AWS keys),
// and every trustpack command and flag it runs exists in the CLI.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, runCli } from './helpers/cli.js';

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
const wf = parse(readFileSync(join(ROOT, 'examples/github-actions/nightly-evidence.yml'), 'utf8')) as {
  on: { schedule: { cron: string }[] };
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
};
const steps = Object.values(wf.jobs).flatMap((j) => j.steps);

describe('example nightly workflow', () => {
  it('runs on a schedule with an OIDC role and no long-lived keys', () => {
    expect(wf.on.schedule[0]?.cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(wf.permissions['id-token']).toBe('write');
    const creds = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
    expect(creds?.with?.['role-to-assume']).toBeTruthy();
    expect(JSON.stringify(wf)).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
  });

  it('uploads the pack, the evidence and JUnit results, and writes a job summary', () => {
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    const paths = String(upload?.with?.path ?? '');
    for (const p of ['evidence/', 'evidence-pack.pdf', 'results.junit.xml']) expect(paths).toContain(p);
    expect(steps.some((s) => s.run?.includes('GITHUB_STEP_SUMMARY'))).toBe(true);
  });

  it('uses only commands and flags the CLI has', async () => {
    const invocations = steps
      .flatMap((s) => (s.run ?? '').replace(/\\\n/g, ' ').split('\n'))
      .map((l) => l.match(/npx trustpack ([a-z]+)((?: +[^|>&;]+)*)/))
      .filter((m): m is RegExpMatchArray => m !== null);
    expect(invocations.length).toBeGreaterThanOrEqual(4);
    for (const m of invocations) {
      const help = await runCli([m[1]!, '--help']);
      expect(help.code).toBe(0);
      for (const flag of (m[2] ?? '').match(/--[a-z0-9-]+/g) ?? []) expect(help.stdout, `${m[1]} ${flag}`).toContain(flag);
    }
  });
});
