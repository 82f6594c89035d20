// `trustpack init` through the built CLI: flags off a terminal, questions on one (a real
// pseudo-terminal from util-linux `script`), never overwriting, and every value checked.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, loadProject } from '../src/controls/load.js';
import { COLLECTORS } from '../collectors/registry.js';
import { BIN, ROOT, runCli } from './helpers/cli.js';

const controls = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) }).controls;
const fresh = () => mkdtempSync(join(tmpdir(), 'tp-init-'));
const noRegion = { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined };

describe('trustpack init off a terminal', () => {
  it('writes a trustpack.yaml that the project schema and the catalog accept, with the values given', async () => {
    const dir = fresh();
    const r = await runCli(['init', '--organisation', 'Acme: Ltd', '--regions', 'eu-west-1,eu-central-1', '--system-description', 'The Acme platform',
      '--accounts', '012345678901', '--services', 'Aurora,KMS', '--preparer', 'Jo Doe, CISO', '--reviewer', 'Sam Roe, CTO',
      '--param', 'deletion_window_days=30', '--param', 'allowed_snapshot_accounts=444455556666,012345678901'], { cwd: dir, env: noRegion });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const file = join(dir, 'trustpack.yaml');
    expect(r.stdout).toContain(`wrote ${file}`);
    const loaded = loadProject(file, { controls });
    expect(loaded.problems).toEqual([]);
    expect(loaded.config).toEqual({
      organisation: 'Acme: Ltd',
      regions: ['eu-west-1', 'eu-central-1'],
      system: { scope: 'The Acme platform', accounts: ['012345678901'], services: ['Aurora', 'KMS'] },
      preparer: 'Jo Doe, CISO',
      reviewer: 'Sam Roe, CTO',
      parameters: { deletion_window_days: 30, allowed_snapshot_accounts: ['444455556666', '012345678901'] },
    });
    // the defaults it did not change are there to edit, as comments
    expect(readFileSync(file, 'utf8')).toMatch(/^ {2}# min_member_zones: 2 +# count:/m);
    expect(readdirSync(dir)).toEqual(['trustpack.yaml']);
  });

  it('keeps a value with a newline one value: it never becomes a key of its own', async () => {
    const dir = fresh();
    const r = await runCli(['init', '--organisation', 'Acme\nreviewer: Mallory', '--regions', 'eu-west-1'], { cwd: dir, env: noRegion });
    expect(r.code).toBe(0);
    const loaded = loadProject(join(dir, 'trustpack.yaml'), { controls });
    expect(loaded.problems).toEqual([]);
    expect(loaded.config.organisation).toBe('Acme\nreviewer: Mallory');
    expect(loaded.config.reviewer).toBeUndefined();
  });

  it('the file it writes is taken by the CLI: controls validate in that folder exits 0', async () => {
    const dir = fresh();
    await runCli(['init', '--organisation', 'Acme', '--regions', 'eu-west-1'], { cwd: dir, env: noRegion });
    const r = await runCli(['controls', 'validate'], { cwd: dir });
    expect(r.code).toBe(0);
  });

  it('refuses to overwrite an existing trustpack.yaml, exit 2, before asking anything', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'trustpack.yaml'), 'organisation: Mine\n');
    const r = await runCli(['init', '--organisation', 'Acme', '--regions', 'eu-west-1'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'trustpack.yaml')} already exists`);
    expect(readFileSync(join(dir, 'trustpack.yaml'), 'utf8')).toBe('organisation: Mine\n');
  });

  it.each([
    [['--regions', 'eu-west-1'], '--organisation NAME is required'],
    [['--organisation', 'Acme'], '--regions r1,r2 is required'],
    [['--organisation', 'Acme', '--regions', 'EU West'], '"EU West" is not a region name'],
    [['--organisation', 'Acme', '--regions', 'eu-west-1', '--param', 'deletion_window_days=15 days'], 'parameter deletion_window_days (days: a whole number of days, 0 or more)'],
    [['--organisation', 'Acme', '--regions', 'eu-west-1', '--param', 'allowed_snapshot_accounts=1234'], '"1234" is not a 12-digit AWS account id'],
    [['--organisation', 'Acme', '--regions', 'eu-west-1', '--param', 'retention=3'], '--param retention: no control declares this parameter'],
    [['--organisation', 'Acme', '--regions', 'eu-west-1', '--accounts', '12345'], '--accounts: "12345" is not a 12-digit AWS account id'],
  ])('bad input %j is exit 2 and writes nothing', async (args, message) => {
    const dir = fresh();
    const r = await runCli(['init', ...args], { cwd: dir, env: noRegion });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('trustpack init on a terminal', () => {
  it('asks for what the flags left out, re-asks a value of the wrong type, and writes the answers', async () => {
    const dir = fresh();
    // answers in the order of the questions; "15 days" is refused and asked again
    const answers: [RegExp, string][] = [
      [/Organisation/, 'Acme Ltd'],
      [/Regions/, 'eu-west-1, us-east-1'],
      [/System description/, 'Our SaaS platform'],
      [/account ids/, '012345678901'],
      [/services/, ''],
      [/Reviewer/, 'Sam Roe'],
      [/allowed_ca_certificates/, ''],
      [/allowed_min_tls_versions/, ''],
      [/allowed_regions/, ''],
      [/allowed_snapshot_accounts/, ''],
      [/customer_held_keys/, ''],
      [/customer_held_origins/, ''],
      [/deletion_window_days/, '15 days'],
      [/deletion_window_days/, '20'],
      [/log_bucket_names/, ''],
      [/max_key_material_age_days/, ''],
      [/max_rotation_period_days/, '180'],
      [/min_log_retention_days/, ''],
      [/min_member_zones/, ''],
    ];
    const env = { ...process.env, NO_COLOR: '1', AWS_REGION: '', TERM: 'dumb' } as NodeJS.ProcessEnv;
    // `script` gives the CLI a real pseudo-terminal as stdin, so process.stdin.isTTY is true
    const child = spawn('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} init --preparer "Jo Doe"`, '/dev/null'], { cwd: dir, env });
    let screen = '';
    let next = 0;
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        screen += d;
        // a prompt ends the output: "question: " then readline's cursor move
        const pending = answers[next];
        if (pending && /: (\x1b\[\d+G)?$/.test(screen) && pending[0].test(screen.slice(screen.lastIndexOf('\n') + 1))) {
          next++;
          child.stdin.write(pending[1] + '\r');
        }
      });
      child.on('close', (c) => { clearTimeout(timer); resolve(c); });
    });
    expect(next, screen).toBe(answers.length);
    expect(code, screen).toBe(0);
    expect(screen).toContain('should be a whole number of days, 0 or more, got text "15 days"');
    const loaded = loadProject(join(dir, 'trustpack.yaml'), { controls });
    expect(loaded.problems).toEqual([]);
    expect(loaded.config).toEqual({
      organisation: 'Acme Ltd',
      regions: ['eu-west-1', 'us-east-1'],
      system: { scope: 'Our SaaS platform', accounts: ['012345678901'] },
      preparer: 'Jo Doe',
      reviewer: 'Sam Roe',
      parameters: { deletion_window_days: 20, max_rotation_period_days: 180 },
    });
    expect(existsSync(join(dir, 'trustpack.yaml'))).toBe(true);
  }, 45_000);
});

describe('the project schema', () => {
  it("accepts every key of the project file (docs/CONTRACTS.md)", () => {
    const dir = fresh();
    const file = join(dir, 'trustpack.yaml');
    writeFileSync(file, [
      'organisation: Acme', 'regions: [eu-west-1]',
      'system: { scope: "The platform", accounts: ["012345678901"], services: [Aurora] }',
      'preparer: Jo', 'reviewer: Sam', 'logo: brand/logo.PNG',
      'parameters: { deletion_window_days: 30 }', 'control_parameters: { rds-cluster-members-multi-az: { min_member_zones: 3 } }',
      'waivers: waivers.yaml', 'attestations: attestations.yaml', 'responses: responses.yaml', '',
    ].join('\n'));
    const r = loadProject(file, { controls });
    expect(r.problems).toEqual([]);
    expect(r.config.responses).toBe('responses.yaml');
    expect(r.config.system?.accounts).toEqual(['012345678901']);
  });

  it('names a logo that is not a PNG or JPEG and an account id YAML read as a number, at their lines', () => {
    const dir = fresh();
    const file = join(dir, 'trustpack.yaml');
    writeFileSync(file, 'organisation: Acme\nlogo: logo.gif\nsystem:\n  accounts: [012345678901]\n');
    const r = loadProject(file);
    expect(r.problems.map((p) => [p.line, p.rule])).toEqual(expect.arrayContaining([[2, 'schema'], [4, 'schema']]));
    expect(r.problems.map((p) => p.message).join('\n')).toContain('must be the path of a PNG or JPEG file');
  });
});
