// `collect --shard K/N` + `trustpack merge`: the merged bundle of an estate's shards evaluates
// exactly as one unsharded run of the same estate; merge refuses a missing or repeated shard,
// another estate's shard and another catalog's shard (exit 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { readBundle, writeBundle } from '../src/evidence/bundle.js';
import { loadCatalog } from '../src/controls/load.js';
import { catalogDigest } from '../src/controls/digest.js';
import { evaluate } from '../src/engine/evaluate.js';
import { COLLECTORS } from '../collectors/registry.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import { NOW, useSandboxEnv } from './collect-helpers.js';
import { ROOT, runCli } from './helpers/cli.js';

const ESTATE = new URL('../examples/estate/organization.yaml', import.meta.url).pathname;
const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
const digest = catalogDigest(catalog.controls);
let sb: Sandbox;
let tmp: string;
let unsharded: EvidenceBundle;

const collect = (extra: Partial<Parameters<typeof collectEvidence>[0]> = {}) =>
  collectEvidence({
    regions: ['us-east-1', 'ap-east-1'], orgRole: 'trustpack-audit', toolVersion: 'test', now: () => NOW,
    runId: '20261128T233000Z-0000', catalogDigest: digest, ...extra,
  });

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(ESTATE, NOW), port: 0, now: NOW });
  useSandboxEnv(sb.url);
  tmp = await mkdtemp(join(tmpdir(), 'trustpack-shards-'));
  unsharded = await collect();
  for (const k of [1, 2, 3]) await writeBundle(await collect({ shard: { k, n: 3 } }), join(tmp, `shard-${k}`));
});
afterAll(async () => {
  await sb?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const evaluated = (b: EvidenceBundle) => {
  const r = evaluate(catalog.controls, b, { toolVersion: 'test', now: NOW });
  return { summary: r.summary, controls: r.controls, accounts: r.run.accounts, regions: r.run.regions };
};

describe('shards and merge', () => {
  it('each shard records K, N, the account list digest and the catalog digest, and holds only its slice', async () => {
    const shards = await Promise.all([1, 2, 3].map((k) => readBundle(join(tmp, `shard-${k}`))));
    expect(shards.map((s) => s.manifest.accounts)).toEqual([['111100000001', '111100000004'], ['111100000002'], ['111100000003']]);
    for (const [i, s] of shards.entries()) {
      expect(s.manifest.shard).toEqual({ k: i + 1, n: 3, accountsSha256: expect.stringMatching(/^[0-9a-f]{64}$/), accounts: 4 });
      expect(s.manifest.catalogDigest).toBe(digest);
    }
    expect(new Set(shards.map((s) => s.manifest.shard?.accountsSha256)).size).toBe(1);
  });

  it('trustpack merge writes one bundle that evaluates exactly as the unsharded run', async () => {
    const out = join(tmp, 'merged');
    const r = await runCli(['merge', join(tmp, 'shard-2'), join(tmp, 'shard-3'), join(tmp, 'shard-1'), '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/merged 3 shard\(s\): 4 accounts/);
    const merged = await readBundle(out);
    expect(merged.manifest.mergedFrom?.map((m) => m.k)).toEqual([1, 2, 3]);
    expect(merged.manifest.shard).toBeUndefined();
    expect(merged.records.map((x) => x.id).sort()).toEqual(unsharded.records.map((x) => x.id).sort());
    // calls of a resource read once for the run count where the read happened: not compared
    expect(merged.manifest.collections.map(({ startedAt: _s, endedAt: _e, calls: _c, ...c }) => c))
      .toEqual(unsharded.manifest.collections.map(({ startedAt: _s, endedAt: _e, calls: _c, ...c }) => c));
    const a = evaluated(unsharded);
    expect(a.summary.FAIL + a.summary.PASS).toBeGreaterThan(0);
    expect(evaluated(merged)).toEqual(a);
  });

  it('merge --out into an existing folder: refused without --force (exit 2, untouched), replaced with it', async () => {
    const out = join(tmp, 'merged-again');
    const shards = [1, 2, 3].map((k) => join(tmp, `shard-${k}`));
    await runCli(['merge', ...shards, '--out', out]);
    await writeFile(join(out, 'note.txt'), 'mine');
    const refused = await runCli(['merge', ...shards, '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--out ${out}: already exists and is not empty; choose another path, or pass --force to replace it`);
    expect(await readFile(join(out, 'note.txt'), 'utf8')).toBe('mine');
    const forced = await runCli(['merge', ...shards, '--out', out, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    await expect(readFile(join(out, 'note.txt'))).rejects.toThrow();
    expect((await readBundle(out)).manifest.mergedFrom?.map((m) => m.k)).toEqual([1, 2, 3]);
  });

  it('refuses a missing shard, a repeated shard, another estate and another catalog (exit 2, nothing written)', async () => {
    const s = (k: number) => join(tmp, `shard-${k}`);
    const cases: [string[], RegExp][] = [
      [[s(1), s(2)], /shard 3\/3 missing/],
      [[s(1), s(2), s(2), s(3)], /shard 2\/3 given twice/],
    ];
    // another catalog: the same shard with a different catalog digest (its manifest rewritten
    // and its hashes still right, so only the digest check can refuse it)
    const other = await collect({ shard: { k: 3, n: 3 }, catalogDigest: 'f'.repeat(64) });
    await writeBundle(other, join(tmp, 'other-catalog'));
    cases.push([[s(1), s(2), join(tmp, 'other-catalog')], /different catalog digest/]);
    const fewer = await collect({ shard: { k: 3, n: 3 }, excludeAccounts: ['111100000004'] });
    await writeBundle(fewer, join(tmp, 'other-estate'));
    cases.push([[s(1), s(2), join(tmp, 'other-estate')], /different account list/]);
    for (const [dirs, msg] of cases) {
      const out = join(tmp, `refused-${Math.random().toString(36).slice(2)}`);
      const r = await runCli(['merge', ...dirs, '--out', out]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
      await expect(readFile(join(out, 'manifest.json'))).rejects.toThrow();
    }
  });

  it('refuses a shard whose files were changed after collection', async () => {
    const dir = join(tmp, 'tampered');
    await writeBundle(await readBundle(join(tmp, 'shard-2')), dir);
    const f = join(dir, 'records', 'rds.db-clusters.jsonl');
    await writeFile(f, (await readFile(f, 'utf8')).replace('orders-db', 'orders-dX'));
    const r = await runCli(['merge', join(tmp, 'shard-1'), dir, join(tmp, 'shard-3'), '--out', join(tmp, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sha256 does not match/);
  });

  // Red team, second round: a shard that speaks for another shard's accounts. Each forged shard is
  // written with writeBundle, so its hashes are right and only the ownership checks can refuse it.
  it('refuses a shard whose account-keyed fields or records name accounts or scopes it does not own (exit 2, names the shard and the field)', async () => {
    const s = (k: number) => join(tmp, `shard-${k}`);
    const base = await readBundle(s(3));
    const own = base.manifest.accounts[0]!;
    const foreign = '111100000001';
    const forged: [string, (b: EvidenceBundle) => void, RegExp][] = [
      ['accountRegions', (b) => { b.manifest.accountRegions = { [own]: ['us-east-1', 'ap-east-1'], [foreign]: ['us-east-1'] }; }, /shard 3\/3 .*field accountRegions names account 111100000001/],
      ['regionsNotEnabled', (b) => { b.manifest.regionsNotEnabled = { [foreign]: [{ region: 'ap-east-1', status: 'DISABLED' }] }; }, /shard 3\/3 .*field regionsNotEnabled names account 111100000001/],
      ['collections', (b) => { b.manifest.collections.push({ ...b.manifest.collections[0]!, account: foreign }); }, /shard 3\/3 .*field collections names account 111100000001/],
      ['accounts', (b) => { b.manifest.accounts = [foreign, own]; }, /shard 3\/3 .*field accounts: account 111100000001 is also in/],
      ['records-foreign', (b) => { b.records.push({ ...b.records[0]!, source: { ...b.records[0]!.source, account: foreign } }); }, /shard 3\/3 .*field records: .*is from account 111100000001/],
      ['records-missing', (b) => { const i = b.records.findIndex((r) => b.manifest.collections.some((c) => c.collector === r.collector && c.records > 0)); b.records.splice(i, 1); }, /shard 3\/3 .*field collections: .* lists \d+ records, its records file holds/],
    ];
    expect(base.records.length).toBeGreaterThan(0);
    for (const [name, forge, msg] of forged) {
      const b = structuredClone(base);
      forge(b);
      const dir = join(tmp, `forged-${name}`);
      await writeBundle(b, dir);
      const out = join(tmp, `refused-${name}`);
      const r = await runCli(['merge', s(1), s(2), dir, '--out', out]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, name).toMatch(msg);
      await expect(readFile(join(out, 'manifest.json'))).rejects.toThrow();
    }
  });
});
