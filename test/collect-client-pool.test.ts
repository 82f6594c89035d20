// One SDK client per service, region and config for an account's collections (collectors/
// client-pool.ts), through the sandbox with the real SDK: each call is still counted, paced and
// bounded for the collection that sent it, and one collection's destroy() leaves the others'.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient, paginateDescribeDBClusters } from '@aws-sdk/client-rds';
import { startSandbox, loadFixture, type Sandbox } from '../src/sandbox/index.js';
import { AccountClientPool } from '../collectors/client-pool.js';
import { createClient } from '../collectors/common.js';
import { clientConfig, defaultCredentials } from '../src/aws/session.js';
import { newPacingStats, Pacer } from '../src/aws/pacing.js';
import type { CollectContext } from '../collectors/types.js';
import { SAMPLE, useSandboxEnv } from './collect-helpers.js';

let sandbox: Sandbox;
beforeAll(async () => {
  // DescribeDBInstances alone is throttled: a burst of one, then ten a second
  sandbox = await startSandbox({ fixture: loadFixture(SAMPLE), port: 0, rateLimits: { apis: { 'rds:DescribeDBInstances': { rate: 10, burst: 1 } } } });
  useSandboxEnv(sandbox.url);
});
afterAll(async () => { await sandbox.close(); });

describe('clients shared by the collections of an account', () => {
  it('counts, paces and bounds each call for the collection that sent it', async () => {
    const credentials = await defaultCredentials();
    const pool = new AccountClientPool();
    const pacer = new Pacer({ backoffBaseMs: 10 });
    let inFlight = 0;
    const limit = async <T>(fn: () => Promise<T>): Promise<T> => { inFlight += 1; return fn(); };
    const collection = (clients?: AccountClientPool) => {
      const calls: string[] = [];
      const stats = newPacingStats();
      const ctx: CollectContext = {
        account: '123456789012', region: 'us-east-1', credentials, clientConfig: clientConfig('us-east-1', credentials),
        prior: new Map(), countCall: (op) => { calls.push(op); }, now: () => new Date(), limit, pacing: { pacer, stats },
        ...(clients ? { clients } : {}),
      };
      return { ctx, calls, stats };
    };
    const a = collection(pool);
    const b = collection(pool);
    const clientA = createClient(a.ctx, RDSClient);
    const clientB = createClient(b.ctx, RDSClient);
    // one client underneath, and each view is still an RDSClient (paginators check)
    expect(Object.getPrototypeOf(clientA)).toBe(Object.getPrototypeOf(clientB));
    expect(clientA).toBeInstanceOf(RDSClient);

    const before = sandbox.stats().calls;
    await Promise.all([
      (async () => { for await (const _page of paginateDescribeDBClusters({ client: clientA }, {})) { /* pages */ } })(),
      clientA.send(new DescribeDBClustersCommand({})),
      ...[1, 2, 3].map(() => clientB.send(new DescribeDBInstancesCommand({}))),
    ]);
    expect(a.calls).toEqual(['DescribeDBClusters', 'DescribeDBClusters']);
    expect(b.calls).toEqual(['DescribeDBInstances', 'DescribeDBInstances', 'DescribeDBInstances']);
    // B's throttles are B's: ridden out below the SDK's retries, counted in B's stats only
    expect(b.stats.throttles).toBeGreaterThan(0);
    expect(a.stats.throttles).toBe(0);
    // every HTTP attempt went through the in-flight bound, throttled ones included
    expect(inFlight).toBe(sandbox.stats().calls - before);

    // one collection done: its destroy() leaves the shared client to the others
    clientA.destroy();
    await clientB.send(new DescribeDBClustersCommand({}));
    expect(b.calls.at(-1)).toBe('DescribeDBClusters');
    pool.destroy();

    // without a pool every createClient makes its own client, as before
    const c = collection();
    expect(Object.getPrototypeOf(createClient(c.ctx, RDSClient))).not.toBe(Object.getPrototypeOf(createClient(c.ctx, RDSClient)));
  });
});
