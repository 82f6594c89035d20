// The example sharded workflow stays valid: it parses, shards 1..N each run once with --shard
// K/N, the merge job waits for them and names every shard, and every command and flag exists.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, runCli } from './helpers/cli.js';

interface Step { uses?: string; run?: string; with?: Record<string, unknown> }
interface Job { needs?: string | string[]; strategy?: { matrix: { shard: number[] } }; steps: Step[] }
const wf = parse(readFileSync(join(ROOT, 'examples/github-actions/sharded-estate.yml'), 'utf8')) as {
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};

describe('example sharded estate workflow', () => {
  const collect = wf.jobs['collect']!;
  const merge = wf.jobs['merge-and-report']!;
  const shards = collect.strategy!.matrix.shard;

  it('collects shards 1..N through the organization and merges all of them in a job that waits for them', () => {
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));
    const run = collect.steps.map((s) => s.run ?? '').join('\n');
    expect(run).toMatch(/--org-role \S+/);
    const step = collect.steps.find((x) => x.run?.includes('--shard'))! as Step & { env?: Record<string, string> };
    expect(step.env?.['SHARD']).toBe('${{ matrix.shard }}');
    expect(run).toContain(`--shard "$SHARD/${shards.length}"`);
    expect(merge.needs).toBe('collect');
    const mergeRun = merge.steps.map((s) => s.run ?? '').find((r) => r.includes('trustpack merge')) ?? '';
    for (const k of shards) expect(mergeRun).toContain(`shards/shard-${k}`);
    expect(wf.permissions['id-token']).toBe('write');
    expect(JSON.stringify(wf)).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
  });

  it('appends the merged bundle (never a shard) to the archive, checked against the previous head', () => {
    const runs = merge.steps.map((s) => s.run ?? '');
    const merged = runs.findIndex((r) => r.includes('trustpack merge'));
    const added = runs.findIndex((r) => /trustpack archive add evidence .*--archive "\$TRUSTPACK_ARCHIVE"/.test(r));
    const verified = runs.findIndex((r) => r.includes('--expect-head'));
    expect(merged).toBeGreaterThanOrEqual(0);
    expect(added).toBeGreaterThan(merged);
    expect(verified).toBeGreaterThan(added);
    expect(collect.steps.map((s) => s.run ?? '').join('\n')).not.toContain('--archive');
    // every markdown summary is capped
    for (const r of runs.filter((x) => x.includes('--format markdown'))) expect(r).toMatch(/--max-rows \d+/);
  });

  it('pastes no expression or secret into a script: values arrive as environment variables', () => {
    for (const s of Object.values(wf.jobs).flatMap((j) => j.steps)) {
      expect(s.run ?? '').not.toContain('${{');
    }
  });

  it('uses only commands and flags the CLI has', async () => {
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
    const invocations = steps
      .flatMap((s) => (s.run ?? '').replace(/\\\n/g, ' ').split('\n'))
      .map((l) => l.match(/(?:^|[\s'"])trustpack ((?:[a-z]+ )*[a-z]+)((?: +[^|>&;]+)*)/))
      .filter((m): m is RegExpMatchArray => m !== null)
      // `archive add evidence`: command words the CLI has, then the bundle argument
      .map((m) => { const words = m[1]!.split(' '); const n = words[0] === 'archive' ? 2 : 1; return [m[0], words.slice(0, n).join(' '), `${words.slice(n).join(' ')} ${m[2] ?? ''}`] as unknown as RegExpMatchArray; });
    expect(invocations.map((m) => m[1])).toEqual(expect.arrayContaining(['collect', 'merge', 'archive add', 'archive verify', 'evaluate', 'report']));
    expect(steps.map((s) => s.run ?? '').join('\n')).not.toMatch(/\bnpx\b/);
    // --project is the program's own option, valid before or after any command
    const global = (await runCli(['--help'])).stdout;
    for (const m of invocations) {
      const help = await runCli([...m[1]!.split(' '), '--help']);
      expect(help.code).toBe(0);
      for (const flag of (m[2] ?? '').match(/--[a-z0-9-]+/g) ?? []) expect(help.stdout + global, `${m[1]} ${flag}`).toContain(flag);
    }
  });
});
