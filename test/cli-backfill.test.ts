// The CLI of backfilling (built dist/, a child process): `collect --as-of`, `backfill`, and
// what `evaluate` and `history` say about runs rebuilt from AWS Config history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, loadFixture, type Sandbox } from '../src/sandbox/index.js';
import { ROOT, runCli } from './helpers/cli.js';

const DAY = 86_400_000;
const day = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().slice(0, 10);
let sb: Sandbox;
let env: Record<string, string | undefined>;
let dir: string;

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(join(ROOT, 'test/fixtures/history/account.yaml')), port: 0 });
  env = {
    AWS_ENDPOINT_URL: sb.url, AWS_ACCESS_KEY_ID: 'AKIDBACKFILLTEST', AWS_SECRET_ACCESS_KEY: 'backfill-secret', AWS_REGION: 'us-east-1',
    AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  dir = mkdtempSync(join(tmpdir(), 'trustpack-cli-backfill-'));
});
afterAll(async () => {
  await sb?.close();
});

describe('collect --as-of', () => {
  it('refuses a date that is not one, and the future, with exit 2', async () => {
    const bad = await runCli(['collect', '--as-of', '2026-02-30', '--regions', 'us-east-1'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--as-of: 2026-02-30 is not a calendar date/);
    const later = await runCli(['collect', '--as-of', day(-3 * DAY), '--regions', 'us-east-1'], { env });
    expect(later.code).toBe(2);
    expect(later.stderr).toMatch(/in the future/);
    const vague = await runCli(['collect', '--as-of', 'last tuesday', '--regions', 'us-east-1'], { env });
    expect(vague.code).toBe(2);
  });

  it('rebuilds the state at the end of the day from history; evaluate says so', async () => {
    const date = day(55 * DAY);
    const out = join(dir, 'asof');
    const r = await runCli(['collect', '--as-of', date, '--regions', 'us-east-1', '--out', out], { env });
    // automated backups and parameter groups have no history: some evidence is missing (exit 1)
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`as of ${date}T23:59:59.000Z, rebuilt from AWS Config's configuration history`);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest['asOf']).toBe(`${date}T23:59:59.000Z`);
    expect(manifest['source']).toBe('config-history');
    const ev = await runCli(['evaluate', '--evidence', out, '--format', 'json'], { env });
    const results = JSON.parse(ev.stdout) as { run: { asOf: string; source: string }; controls: { id: string; status: string }[] };
    expect(results.run).toMatchObject({ asOf: `${date}T23:59:59.000Z`, source: 'config-history' });
    // 55 days ago orders-prod had no deletion protection (63..42 days ago)
    expect(results.controls.find((c) => c.id === 'rds-cluster-deletion-protection')!.status).toBe('FAIL');
    // the pack's appendix says, per collector and control, what came from history and what could not
    const pack = join(dir, 'asof.pdf');
    const rep = await runCli(['report', '--evidence', out, '--unsigned', '--out', pack], { env });
    expect(rep.code).toBe(0);
    // the default pack (every framework, each organised by criterion) is over 1 MB of -layout text
    const text = (await promisify(execFile)('pdftotext', ['-layout', pack, '-'], { maxBuffer: 64 << 20 })).stdout;
    expect(text).toContain('Rebuilt from AWS Config history');
    expect(text).toContain(`as of ${date} 23:59:59 UTC, rebuilt on`);
    expect(text).toMatch(/rds.cluster-automated-backups\s+not rebuilt: NotInConfigHistory/);
    expect(text).toMatch(/rds.db-clusters\s+\d+ records rebuilt from configuration items/);
    expect(text).toMatch(/rds-cluster-tls-enforced: /);
  }, 120_000);
});

describe('backfill', () => {
  it('refuses a bad period or step with exit 2', async () => {
    const a = join(dir, 'bad-archive');
    expect((await runCli(['backfill', '--archive', a, '--period', '2026-07-01', '--regions', 'us-east-1'], { env })).code).toBe(2);
    expect((await runCli(['backfill', '--archive', a, '--period', '2026-07-01..2026-07-03', '--every', '1w', '--regions', 'us-east-1'], { env })).code).toBe(2);
  });

  it('appends a run per day, skips them on a rerun, and history shows them as rebuilt', async () => {
    const archive = join(dir, 'archive');
    const period = `${day(45 * DAY)}..${day(41 * DAY)}`;
    const first = await runCli(['backfill', '--archive', archive, '--period', period, '--regions', 'us-east-1'], { env });
    expect(first.stdout).toMatch(/5 runs appended/);
    expect(first.stdout).toMatch(/GetResourceConfigHistory \d+/);
    const again = await runCli(['backfill', '--archive', archive, '--period', period, '--regions', 'us-east-1'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/all 5 steps already archived from history; nothing appended/);
    const h = await runCli(['history', '--archive', archive, '--format', 'table'], { env });
    expect(h.stdout).toContain('5 runs (0 live, 5 rebuilt from AWS Config history)');
    expect(h.stdout).toContain('legend: [history]');
    const list = await runCli(['archive', 'list', '--archive', archive, '--format', 'json'], { env });
    const entries = (JSON.parse(list.stdout) as { entries: { source: string }[] }).entries;
    expect(entries.map((e) => e.source)).toEqual(Array(5).fill('config-history'));
  });
});
