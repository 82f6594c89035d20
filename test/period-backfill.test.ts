// A partly backfilled period: runs rebuilt from AWS Config history and a live run in one
// archive; the period pack (read back with pdftotext, an independent tool) marks which runs
// were rebuilt, says so in its legend, and names what history could not rebuild. Issue 18: the
// config_rule verdicts of rebuilt runs (rule parameters as of today) are listed apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, loadFixture, type Sandbox } from '../src/sandbox/index.js';
import { ROOT, runCli } from './helpers/cli.js';

const DAY = 86_400_000;
const day = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().slice(0, 10);
let sb: Sandbox;
let text: string;

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(join(ROOT, 'test/fixtures/history/account.yaml')), port: 0 });
  const env = {
    AWS_ENDPOINT_URL: sb.url, AWS_ACCESS_KEY_ID: 'AKIDPERIODBACKFILL', AWS_SECRET_ACCESS_KEY: 'period-secret', AWS_REGION: 'us-east-1',
    AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const dir = mkdtempSync(join(tmpdir(), 'trustpack-period-backfill-'));
  const archive = join(dir, 'archive');
  // the Config rules are evaluated (as corroboration) only when the project asks for them
  const project = join(dir, 'trustpack.yaml');
  writeFileSync(project, 'corroborate_with_config_rules: true\n');
  const b = await runCli(['backfill', '--project', project, '--archive', archive, '--period', `${day(3 * DAY)}..${day(DAY)}`, '--regions', 'us-east-1'], { env });
  expect(b.stdout).toMatch(/3 runs appended/);
  const live = await runCli(['collect', '--project', project, '--regions', 'us-east-1', '--archive', archive, '--out', join(dir, 'live')], { env });
  expect(live.stdout).toMatch(/archived run/);
  const pack = join(dir, 'period.pdf');
  const r = await runCli(['report', '--project', project, '--archive', archive, '--period', `${day(3 * DAY)}..${day(0)}`, '--out', pack, '--unsigned'], { env });
  expect(r.code).toBe(0);
  text = (await promisify(execFile)('pdftotext', ['-layout', pack, '-'])).stdout;
}, 180_000);
afterAll(async () => {
  await sb?.close();
});

describe('the period pack of a partly backfilled period', () => {
  it('counts the rebuilt runs on the cover and lists each run with its source', () => {
    expect(text).toMatch(/4 \(3 rebuilt from AWS Config history\)/);
    expect(text.match(/config-history/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/\blive\b/);
  });

  it('says in the legend how rebuilt runs are marked', () => {
    expect(text).toMatch(/outlined mark is a run rebuilt after the fact/);
  });

  it('marks exceptions from rebuilt runs and names what history could not give', () => {
    expect(text).toContain('[rebuilt from Config history]');
    expect(text).toContain('Runs rebuilt from AWS Config history');
    expect(text).toMatch(/3 of 4 runs in this period were rebuilt/);
    expect(text).toMatch(/NotInConfigHistory/);
  });

  it('lists the config_rule verdicts of rebuilt runs apart: rule parameters as of today, rebuilt runs only', () => {
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Config rule verdicts in rebuilt runs: rule parameters as of today');
    // three rebuilt runs; the live run of today is not among them
    expect(flat).toMatch(new RegExp(`config-rule-rds-storage-encrypted \\(AWS Config rule RDS_STORAGE_ENCRYPTED\\): 3 rebuilt runs from ${day(3 * DAY)} to ${day(DAY)}; PASS 3; no exception from rebuilt runs\\.`));
  });
});
