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

  it('--data-regions writes the regions as allowed_regions, the regions the residency controls accept', async () => {
    const dir = fresh();
    const r = await runCli(['init', '--organisation', 'Acme', '--regions', 'eu-west-1,eu-central-1', '--data-regions'], { cwd: dir, env: noRegion });
    expect(r.code, r.stderr).toBe(0);
    const loaded = loadProject(join(dir, 'trustpack.yaml'), { controls });
    expect(loaded.problems).toEqual([]);
    expect(loaded.config.parameters).toEqual({ allowed_regions: ['eu-west-1', 'eu-central-1'] });
    // without it, the catalog's default stands (a comment to edit)
    const other = fresh();
    await runCli(['init', '--organisation', 'Acme', '--regions', 'eu-west-1'], { cwd: other, env: noRegion });
    expect(loadProject(join(other, 'trustpack.yaml'), { controls }).config.parameters).toBeUndefined();
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
    // the region check `check` applies: a typo init wrote would be refused by every later command
    [['--organisation', 'Acme', '--regions', 'eu-wset-1'], '--regions: unknown region "eu-wset-1"; did you mean "eu-west-1"?'],
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
      // a region typo and a short account id are asked again (with the reason), not the end of the interview
      [/Regions/, 'eu-wset-1'],
      [/Regions/, 'eu-west-1, us-east-1'],
      [/kept only in eu-west-1, us-east-1/, 'y'],
      [/System description/, 'Our SaaS platform'],
      [/account ids/, '12345'],
      [/account ids/, '012345678901'],
      [/services/, ''],
      [/Reviewer/, 'Sam Roe'],
      // every catalog parameter but allowed_regions (asked above), in name order
      [/accepted_sse_algorithms/, ''],
      [/accepted_tls_protocols/, ''],
      [/allowed_backup_accounts/, ''],
      [/allowed_ca_certificates/, ''],
      [/allowed_key_principals/, ''],
      [/allowed_min_tls_versions/, ''],
      [/allowed_replication_accounts/, ''],
      [/allowed_snapshot_accounts/, ''],
      [/application_db_users/, ''],
      [/customer_data_bucket_pattern/, ''],
      [/customer_held_keys/, ''],
      [/customer_held_origins/, ''],
      [/deleted_data_buckets/, ''],
      [/deletion_window_days/, '15 days'],
      [/deletion_window_days/, '20'],
      [/log_bucket_names/, ''],
      [/max_finding_age_days/, ''],
      [/max_key_material_age_days/, ''],
      [/max_rotation_period_days/, '180'],
      [/min_log_retention_days/, ''],
      [/min_member_zones/, ''],
      [/needed_resource_types/, ''],
      [/required_features/, ''],
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
    expect(screen).toContain('unknown region "eu-wset-1"; did you mean "eu-west-1"?');
    expect(screen).toContain('"12345" is not a 12-digit AWS account id');
    expect(screen, 'no flag the user never typed').not.toMatch(/--regions|--accounts/);
    const loaded = loadProject(join(dir, 'trustpack.yaml'), { controls });
    expect(loaded.problems).toEqual([]);
    expect(loaded.config).toEqual({
      organisation: 'Acme Ltd',
      regions: ['eu-west-1', 'us-east-1'],
      system: { scope: 'Our SaaS platform', accounts: ['012345678901'] },
      preparer: 'Jo Doe',
      reviewer: 'Sam Roe',
      parameters: { allowed_regions: ['eu-west-1', 'us-east-1'], deletion_window_days: 20, max_rotation_period_days: 180 },
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

// One check of the project file for every command, every problem in one pass: a file with four
// mistakes of different kinds (a key the schema refuses, a region typo, an unknown parameter, a
// value of the wrong type) is reported whole by `controls validate --project` and by `check`,
// which stops before any AWS call (the endpoint is a closed port).
describe('a project file with four mistakes', () => {
  const dir = fresh();
  writeFileSync(join(dir, 'trustpack.yaml'), [
    'organisation: Acme',
    'regions: [us-esat-1, eu-central-1]',
    'colour: blue',
    'parameters:',
    '  deletion_window_dayz: 30',
    '  allowed_snapshot_accounts: ["12345"]', '',
  ].join('\n'));
  const expected = [
    ['trustpack.yaml:2:11:', 'unknown region "us-esat-1"; did you mean "us-east-1"?', '[region]'],
    ['trustpack.yaml:3:1:', 'unknown key "colour"', '[schema]'],
    ['trustpack.yaml:5:3:', 'no control declares a parameter "deletion_window_dayz"', '[unknown-parameter]'],
    ['trustpack.yaml:6:31:', '"12345" is not a 12-digit AWS account id', '[parameter-type]'],
  ];
  it.each([
    [['controls', 'validate', '--project', 'trustpack.yaml']],
    [['check', '--format', 'json']],
  ])('%j reports all four at once, exit 2', async (args) => {
    const r = await runCli(args, { cwd: dir, env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1' } });
    expect(r.code).toBe(2);
    for (const parts of expected) {
      const line = r.stderr.split('\n').find((l) => l.includes(parts[0]!));
      expect(line, `${parts[0]} in\n${r.stderr}`).toBeDefined();
      for (const p of parts.slice(1)) expect(line).toContain(p);
    }
    expect(r.stderr).toContain('4 problems found');
    expect(r.stdout).toBe('');
  });
});
