// The BatchGetResourceConfig shortcut of the history store (collectors/history/store.ts), through
// the sandbox with the real SDK: a resource unchanged for years costs no GetResourceConfigHistory
// call at all, and an as-of collection rebuilds exactly the records the full walk back rebuilds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ResourceIdentifier } from '@aws-sdk/client-config-service';
import { startSandbox, loadFixture, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence, type HistoryStores } from '../collectors/run.js';
import { ConfigHistoryStore } from '../collectors/history/store.js';
import { prop } from '../collectors/history/items.js';
import { clientConfig, defaultCredentials } from '../src/aws/session.js';
import type { CollectContext } from '../collectors/types.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import { ROOT } from './helpers/cli.js';
import { useSandboxEnv } from './collect-helpers.js';

const DAY = 86_400_000;
const now = new Date();
const asOf = new Date(now.getTime() - 80 * DAY);
let sandbox: Sandbox;

async function context(): Promise<CollectContext> {
  const credentials = await defaultCredentials();
  return {
    account: '111122223333', region: 'us-east-1', credentials, clientConfig: clientConfig('us-east-1', credentials),
    prior: new Map(), countCall: () => {}, now: () => now,
  };
}

async function store(batchCurrent: boolean): Promise<ConfigHistoryStore> {
  return new ConfigHistoryStore(await context(), asOf, asOf, { batchCurrent });
}

/** The records without what differs between any two runs (run id, times of collection). */
function rebuilt(b: EvidenceBundle): unknown[] {
  return b.records.map((r) => ({ collector: r.collector, resource: r.resource, data: r.data, error: r.error ?? null,
    // the caller identity is asked live, at collection time
    stateId: r.source.configurationStateId ?? null, captured: r.source.origin === 'config-history' ? r.source.time : null }))
    .sort((a, b) => `${a.collector} ${a.resource}`.localeCompare(`${b.collector} ${b.resource}`));
}

async function collectAsOf(batchCurrent: boolean): Promise<{ bundle: EvidenceBundle; calls: Record<string, number> }> {
  const history: HistoryStores = { from: asOf, to: asOf, stores: new Map(), batchCurrent };
  const bundle = await collectEvidence({ regions: ['us-east-1'], toolVersion: 'test', asOf, history });
  const calls: Record<string, number> = {};
  for (const s of history.stores.values()) {
    for (const [op, n] of Object.entries(s.stats.byOperation)) calls[op] = (calls[op] ?? 0) + n;
    s.destroy();
  }
  return { bundle, calls };
}

beforeAll(async () => {
  sandbox = await startSandbox({ fixture: loadFixture(join(ROOT, 'test/fixtures/history/account.yaml'), now), port: 0 });
  useSandboxEnv(sandbox.url);
});
afterAll(async () => {
  await sandbox?.close();
});

describe('history store: current items from BatchGetResourceConfig', () => {
  it('finds a KMS key unchanged for 700 days without one GetResourceConfigHistory call, the same item the walk back finds', async () => {
    const fast = await store(true);
    const slow = await store(false);
    try {
      const c = { countCall: () => {} };
      const [key] = (await fast.discovered('AWS::KMS::Key', c)).filter((r: ResourceIdentifier) => !r.resourceDeletionTime);
      expect(key).toBeDefined();
      const a = await fast.itemAt(key!, asOf, c);
      expect(fast.stats.byOperation['GetResourceConfigHistory'] ?? 0).toBe(0);
      expect(fast.stats.byOperation['BatchGetResourceConfig']).toBe(1);
      const b = await slow.itemAt(key!, asOf, c);
      // the walk back: an empty page per seven days between the key's creation and the range start
      expect(slow.stats.byOperation['GetResourceConfigHistory']).toBeGreaterThan(80);
      expect(slow.stats.byOperation['BatchGetResourceConfig'] ?? 0).toBe(0);
      expect(a!.stateId).toBe(b!.stateId);
      expect(a!.captureTime.getTime()).toBe(b!.captureTime.getTime());
      expect(a!.configuration).toEqual(b!.configuration);
      expect(a!.supplementary).toEqual(b!.supplementary);
      // the batch carries no tags: reading them would be a guess, so it is refused
      expect(a!.notCarried).toEqual(['tags']);
    } finally {
      fast.destroy();
      slow.destroy();
    }
  });

  it('reads the tags of an unchanged RDS resource with one history call for exactly its current item', async () => {
    const fast = await store(true);
    try {
      const c = { countCall: () => {} };
      const snaps = (await fast.discovered('AWS::RDS::DBClusterSnapshot', c)).filter((r) => !r.resourceDeletionTime);
      expect(snaps.map((s) => s.resourceId)).toContain('orders-prod-keep');
      const item = await fast.itemAt(snaps.find((s) => s.resourceId === 'orders-prod-keep')!, asOf, c);
      expect(fast.stats.byOperation['GetResourceConfigHistory']).toBe(1);
      expect(item!.notCarried).toBeUndefined();
      expect(prop(item!, 'tags')).toBeTypeOf('object');
    } finally {
      fast.destroy();
    }
  });

  it('rebuilds the same records with and without the shortcut, for fewer history calls', async () => {
    const walk = await collectAsOf(false);
    const batch = await collectAsOf(true);
    expect(rebuilt(batch.bundle)).toEqual(rebuilt(walk.bundle));
    expect(batch.bundle.records.length).toBeGreaterThan(3);
    expect(batch.bundle.manifest.collections.map((c) => `${c.collector} ${c.status}`))
      .toEqual(walk.bundle.manifest.collections.map((c) => `${c.collector} ${c.status}`));
    expect(batch.calls['BatchGetResourceConfig']).toBeGreaterThan(0);
    expect(walk.calls['BatchGetResourceConfig'] ?? 0).toBe(0);
    // resources changed since asOf (the cluster, instance 2, the recorder, the rule verdicts) still
    // walk back; the unchanged ones (keys, aliases, the kept snapshot) no longer do
    expect(batch.calls['GetResourceConfigHistory']!).toBeLessThan(walk.calls['GetResourceConfigHistory']!);
  });

  it('sends unprocessed keys again until every one is processed: the same records', async () => {
    const walk = await collectAsOf(false);
    const full = await collectAsOf(true);
    // a Config that processes one key a call: every further key of a type costs one more call
    const small = await startSandbox({ fixture: loadFixture(join(ROOT, 'test/fixtures/history/account.yaml'), now), port: 0, configBatchProcessed: 1 });
    useSandboxEnv(small.url);
    try {
      const retried = await collectAsOf(true);
      expect(rebuilt(retried.bundle)).toEqual(rebuilt(walk.bundle));
      expect(retried.calls['BatchGetResourceConfig']).toBeGreaterThan(full.calls['BatchGetResourceConfig']!);
      expect(retried.calls['GetResourceConfigHistory']).toBe(full.calls['GetResourceConfigHistory']);
      expect(small.stats().byOperation['config:BatchGetResourceConfig']).toBe(retried.calls['BatchGetResourceConfig']);
    } finally {
      useSandboxEnv(sandbox.url);
      await small.close();
    }
  });
});
