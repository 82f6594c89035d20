// `check` and `evaluate` read a bundle folder one collector's records file at a time
// (evaluateByCollector over openBundle): the results must be exactly evaluate()'s over the whole
// bundle, and a changed file must still fail the run, even one no control reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { openBundle, readBundle, writeBundle } from '../src/evidence/bundle.js';
import { evaluate, evaluateByCollector, type EvaluateOptions } from '../src/engine/evaluate.js';
import { loadCatalog } from '../src/controls/load.js';
import { COLLECTORS } from '../collectors/registry.js';
import { ROOT } from './helpers/cli.js';
import { NOW, SAMPLE, useSandboxEnv } from './collect-helpers.js';

const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
const opts: EvaluateOptions = { toolVersion: 'test', now: NOW, globalCollectors: COLLECTORS.filter((c) => c.scope === 'global').map((c) => c.id) };
let sb: Sandbox;
let tmp: string;
let dir: string;

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(SAMPLE, NOW), port: 0, now: NOW });
  useSandboxEnv(sb.url);
  tmp = await mkdtemp(join(tmpdir(), 'trustpack-by-collector-'));
  dir = join(tmp, 'bundle');
  await writeBundle(await collectEvidence({ regions: ['us-east-1', 'eu-central-1'], toolVersion: 'test', now: () => NOW }), dir);
});
afterAll(async () => {
  await sb?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('evaluateByCollector', () => {
  it('gives exactly the results of evaluate() over the whole bundle, and reads each file once', async () => {
    const whole = evaluate(catalog.controls, await readBundle(dir), opts);
    const opened = await openBundle(dir);
    const asked: string[] = [];
    const streamed = await evaluateByCollector(catalog.controls, opened.manifest, (c) => {
      asked.push(c);
      return opened.records(c);
    }, opts);
    await opened.checkUnread();
    expect(JSON.stringify(streamed)).toBe(JSON.stringify(whole));
    expect(new Set(asked).size).toBe(asked.length);
    // the sample catalog has FAILs and PASSes: the comparison is not between two empty results
    expect(whole.summary.FAIL).toBeGreaterThan(0);
    expect(whole.summary.PASS).toBeGreaterThan(0);
  });

  it('a records file no control reads is still checked: a changed byte fails', async () => {
    const copy = join(tmp, 'tampered');
    await writeBundle(await readBundle(dir), copy);
    const opened = await openBundle(copy);
    const read = new Set(catalog.controls.map((c) => c.collector).filter(Boolean));
    const unread = opened.manifest.files.find((f) => !read.has(f.path.slice('records/'.length, -'.jsonl'.length)));
    // every collector feeds a control today; then tamper with one that is read, the run must fail either way
    const victim = unread ?? opened.manifest.files[0]!;
    await appendFile(join(copy, victim.path), '\n');
    await expect((async () => {
      await evaluateByCollector(catalog.controls, opened.manifest, (c) => opened.records(c), opts);
      await opened.checkUnread();
    })()).rejects.toThrow(/sha256 does not match the manifest/);
  });
});
