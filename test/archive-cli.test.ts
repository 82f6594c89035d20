// `collect --archive` and `archive add` from the command line, against the sandbox: the entry
// carries the run, its source and asOf; the stored results are those of the project's catalog.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { SAMPLE, useSandboxEnv } from './collect-helpers.js';
import { ROOT, runCli } from './helpers/cli.js';

// the sample project (regions, parameters, waivers) lives beside its account since the project file moved
const PROJECT = ['--project', join(ROOT, 'examples', 'sample', 'trustpack.yaml')];

let sb: Sandbox;
let dir: string;
beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(SAMPLE), port: 0 });
  useSandboxEnv(sb.url);
  dir = await mkdtemp(join(tmpdir(), 'tp-archive-cli-'));
});
afterAll(async () => {
  await sb?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('archive from the CLI', () => {
  it('collect --archive appends the bundle with its results; archive add appends another; verify is intact', async () => {
    const archive = join(dir, 'archive');
    const c = await runCli(['collect', ...PROJECT, '--out', join(dir, 'night1'), '--archive', archive]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/archived run \S+ as entry 1 of /);
    expect(c.stdout).toMatch(/head [0-9a-f]{64}:1/);
    const c2 = await runCli(['collect', ...PROJECT, '--out', join(dir, 'night2')]);
    expect(c2.code).toBe(0);
    const add = await runCli(['archive', 'add', ...PROJECT, join(dir, 'night2'), '--archive', archive]);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('as entry 2 of');

    const entry = JSON.parse(await readFile(join(archive, 'entries', '00000002.json'), 'utf8'));
    const manifest = JSON.parse(await readFile(join(dir, 'night2', 'manifest.json'), 'utf8'));
    expect(entry).toMatchObject({ n: 2, runId: manifest.runId, asOf: manifest.startedAt, source: 'live', accounts: ['111122223333'] });
    expect(entry.regions).toEqual(expect.arrayContaining(['us-east-1', 'eu-central-1']));
    const results = JSON.parse(gunzipSync(await readFile(join(archive, 'objects', `${entry.results}.gz`))).toString('utf8'));
    expect(results.run.id).toBe(manifest.runId);
    expect(results.controls.find((x: { id: string }) => x.id === 'rds-cluster-tls-enforced').status).toBe('FAIL');
    // every records file is stored as a recipe (layout 3), the manifest's sha256 being the bundle's name
    expect(entry.layout).toBe(3);
    expect(Object.keys(entry.recipes).sort()).toEqual((manifest.files as { path: string }[]).map((f) => f.path).sort());
    // both paths store the bundle byte for byte as written (collect --out streams records in
    // collection order; re-serialising them would change every hash): archive get rebuilds each
    const night1 = await readFile(join(dir, 'night1', 'manifest.json'));
    const entry1 = JSON.parse(await readFile(join(archive, 'entries', '00000001.json'), 'utf8'));
    expect(entry1.bundle).toBe(createHash('sha256').update(night1).digest('hex'));
    expect(entry.bundle).toBe(createHash('sha256').update(await readFile(join(dir, 'night2', 'manifest.json'))).digest('hex'));
    for (const [night, run] of [['night1', entry1.runId], ['night2', '2']] as const) {
      const got = await runCli(['archive', 'get', run, '--archive', archive, '--out', join(dir, `got-${night}`)]);
      expect(got.code, got.stderr).toBe(0);
      const names = (await readdir(join(dir, night), { recursive: true })).sort();
      expect((await readdir(join(dir, `got-${night}`), { recursive: true })).sort()).toEqual(names);
      for (const name of names.filter((n) => n.includes('.'))) {
        expect((await readFile(join(dir, `got-${night}`, name))).equals(await readFile(join(dir, night, name))), name).toBe(true);
      }
    }
    // the output folder is never replaced without --force
    expect((await runCli(['archive', 'get', '1', '--archive', archive, '--out', join(dir, 'got-night1')])).code).toBe(2);
    expect((await runCli(['archive', 'get', 'no-such-run', '--archive', archive, '--out', join(dir, 'got-none')])).code).toBe(2);

    const v = await runCli(['archive', 'verify', '--archive', archive, '--format', 'json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ intact: true, entries: 2, orphans: [] });

    // a bundle that is not one: exit 2, nothing appended
    const bad = await runCli(['archive', 'add', join(dir, 'nope'), '--archive', archive]);
    expect(bad.code).toBe(2);
    expect((await readdir(join(archive, 'entries'))).length).toBe(2);
    // an archive location that is neither a folder nor s3://
    expect((await runCli(['archive', 'list', '--archive', 'https://example.invalid/x'])).code).toBe(2);
  });
});
