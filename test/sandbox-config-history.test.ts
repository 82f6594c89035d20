// The sandbox's AWS Config history calls through the real SDK and the AWS CLI: deleted
// resources, paging, the seven-day span, order and limit, errors named as AWS names them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import {
  ConfigServiceClient, GetResourceConfigHistoryCommand, ListDiscoveredResourcesCommand, type ResourceType,
} from '@aws-sdk/client-config-service';
import { startSandbox, loadFixture, type Sandbox } from '../src/sandbox/index.js';
import { parseFixture } from '../src/sandbox/fixture.js';
import { clientConfig } from './sandbox-helpers.js';
import { ROOT } from './helpers/cli.js';

const DAY = 86_400_000;
const now = new Date();
let sb: Sandbox;
let config: ConfigServiceClient;
let clusterId: string;

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(join(ROOT, 'test/fixtures/history/account.yaml'), now), port: 0 });
  config = new ConfigServiceClient(clientConfig(sb, 'us-east-1'));
  const listed = await config.send(new ListDiscoveredResourcesCommand({ resourceType: 'AWS::RDS::DBCluster' }));
  clusterId = listed.resourceIdentifiers![0]!.resourceId!;
});
afterAll(async () => {
  config?.destroy();
  await sb?.close();
});

const history = (input: Record<string, unknown>) =>
  config.send(new GetResourceConfigHistoryCommand({ resourceType: 'AWS::RDS::DBCluster', resourceId: clusterId, ...input }));

/**
 * Follows nextToken as a client must: newest first without earlierTime, each page spans seven
 * days, so pages can be empty with a token. Stops at the first item when `first`.
 */
async function walk(input: Record<string, unknown>, first = false, send = history) {
  const items: NonNullable<Awaited<ReturnType<typeof history>>['configurationItems']> = [];
  const pages: number[] = [];
  let nextToken: string | undefined;
  do {
    const r = await send({ ...input, ...(nextToken ? { nextToken } : {}) });
    items.push(...(r.configurationItems ?? []));
    pages.push(r.configurationItems?.length ?? 0);
    nextToken = first && items.length > 0 ? undefined : r.nextToken;
  } while (nextToken);
  return { items, pages };
}

describe('ListDiscoveredResources', () => {
  it('lists deleted resources only when asked, with their deletion time', async () => {
    const type: ResourceType = 'AWS::RDS::DBClusterSnapshot';
    const live = await config.send(new ListDiscoveredResourcesCommand({ resourceType: type }));
    expect(live.resourceIdentifiers!.map((r) => r.resourceName)).toEqual(['orders-prod-keep']);
    const all = await config.send(new ListDiscoveredResourcesCommand({ resourceType: type, includeDeletedResources: true }));
    const old = all.resourceIdentifiers!.find((r) => r.resourceName === 'orders-prod-old')!;
    expect(Math.abs(old.resourceDeletionTime!.getTime() - (now.getTime() - 70 * DAY))).toBeLessThan(1000);
  });

  it('pages with limit and nextToken', async () => {
    const first = await config.send(new ListDiscoveredResourcesCommand({ resourceType: 'AWS::RDS::DBInstance', limit: 1 }));
    expect(first.resourceIdentifiers).toHaveLength(1);
    expect(first.nextToken).toBeTruthy();
    const second = await config.send(new ListDiscoveredResourcesCommand({ resourceType: 'AWS::RDS::DBInstance', limit: 1, nextToken: first.nextToken }));
    expect(second.resourceIdentifiers![0]!.resourceName).not.toBe(first.resourceIdentifiers![0]!.resourceName);
    expect(second.nextToken).toBeUndefined();
  });

  it('refuses a type Config has no history for, as AWS refuses an unknown enum value', async () => {
    await expect(config.send(new ListDiscoveredResourcesCommand({ resourceType: 'AWS::RDS::DBClusterParameterGroup' as ResourceType })))
      .rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('GetResourceConfigHistory', () => {
  it('serves items in Config casing: configuration as a JSON string, tags as a map', async () => {
    const item = (await walk({ limit: 1 }, true)).items[0]!;
    expect(item.configurationItemStatus).toBe('OK');
    const cfg = JSON.parse(item.configuration!) as Record<string, unknown>;
    expect(cfg['dbclusterIdentifier']).toBe('orders-prod');
    expect(cfg['deletionProtection']).toBe(true);
    expect(cfg).not.toHaveProperty('DBClusterIdentifier');
    expect(item.configurationStateId).toMatch(/^\d+$/);
  });

  it('keeps supplementary facts as JSON strings (a key\'s rotation status)', async () => {
    const keys = await config.send(new ListDiscoveredResourcesCommand({ resourceType: 'AWS::KMS::Key' }));
    const key = (input: Record<string, unknown>) =>
      config.send(new GetResourceConfigHistoryCommand({ resourceType: 'AWS::KMS::Key', resourceId: keys.resourceIdentifiers![0]!.resourceId!, ...input }));
    const r = await walk({ limit: 1 }, true, key);
    expect(r.items[0]!.supplementaryConfiguration).toEqual({ KeyRotationStatus: 'true' });
  });

  it('answers newest first by default, oldest first with Forward, within the window', async () => {
    const earlier = new Date(now.getTime() - 66 * DAY);
    const later = new Date(now.getTime() - 60 * DAY);
    const rev = await history({ earlierTime: earlier, laterTime: later });
    expect(rev.configurationItems!.map((i) => JSON.parse(i.configuration!).deletionProtection)).toEqual([false]);
    const all = await walk({ laterTime: now, limit: 100 });
    expect(all.items.map((i) => i.configurationItemStatus)).toEqual(['OK', 'OK', 'ResourceDiscovered']);
    const fwd = await history({ laterTime: now, chronologicalOrder: 'Forward', limit: 100 });
    expect(fwd.configurationItems!.map((i) => i.configurationItemStatus)).toEqual(['ResourceDiscovered', 'OK', 'OK']);
  });

  it('pages by limit (default 10) with nextToken', async () => {
    const one = await history({ limit: 1, chronologicalOrder: 'Forward' });
    expect(one.nextToken).toBeTruthy();
    const two = await history({ limit: 1, chronologicalOrder: 'Forward', nextToken: one.nextToken });
    expect(two.configurationItems![0]!.configurationStateId).not.toBe(one.configurationItems![0]!.configurationStateId);
    await expect(history({ limit: 1, nextToken: 'bm90IG91cnM' })).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
  });

  it('newest first without earlierTime spans seven days a page: empty pages carry a token while older items exist', async () => {
    // the cluster's items: created two years ago, then 63 and 42 days ago (test/fixtures/history)
    const times = (await history({ chronologicalOrder: 'Forward', limit: 100 })).configurationItems!.map((i) => i.configurationItemCaptureTime!.getTime());
    expect(times).toHaveLength(3);
    const newest = Math.max(...times);
    expect(now.getTime() - newest).toBeGreaterThan(7 * DAY);
    // the first page covers the last seven days, where nothing changed: empty, with a token
    const first = await history({ limit: 1 });
    expect(first.configurationItems).toEqual([]);
    expect(first.nextToken).toBeTruthy();
    // following the tokens reaches the item in force: one page per seven days back to it
    const found = await walk({ limit: 1 }, true);
    expect(found.items.map((i) => i.configurationItemCaptureTime!.getTime())).toEqual([newest]);
    expect(found.pages).toHaveLength(Math.floor((now.getTime() - newest) / (7 * DAY)) + 1);
    expect(found.pages.slice(0, -1).every((n) => n === 0)).toBe(true);
    // walking on to the end gives every item, newest first, and the last page has no token
    const all = await walk({ limit: 100 });
    expect(all.items.map((i) => i.configurationItemCaptureTime!.getTime())).toEqual([...times].sort((a, b) => b - a));
    expect(all.pages).toHaveLength(Math.floor((now.getTime() - Math.min(...times)) / (7 * DAY)) + 1);
    // a token belongs to its query
    await expect(history({ limit: 1, chronologicalOrder: 'Forward', nextToken: first.nextToken })).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
  });

  it('refuses a time range longer than seven days, or backwards', async () => {
    await expect(history({ earlierTime: new Date(now.getTime() - 8 * DAY), laterTime: now })).rejects.toMatchObject({ name: 'InvalidTimeRangeException' });
    await expect(history({ earlierTime: now, laterTime: new Date(now.getTime() - DAY) })).rejects.toMatchObject({ name: 'InvalidTimeRangeException' });
    await expect(history({ earlierTime: new Date(now.getTime() - 7 * DAY), laterTime: now })).resolves.toBeDefined();
  });

  it('refuses a limit over 100 and an unknown resource', async () => {
    await expect(history({ limit: 101 })).rejects.toMatchObject({ name: 'InvalidLimitException' });
    await expect(history({ resourceId: 'cluster-NOPE' })).rejects.toMatchObject({ name: 'ResourceNotDiscoveredException' });
  });

  it('serves an item Config did not record without a configuration', async () => {
    const instances = await config.send(new ListDiscoveredResourcesCommand({ resourceType: 'AWS::RDS::DBInstance', resourceName: 'orders-prod-instance-2' }));
    const r = await config.send(new GetResourceConfigHistoryCommand({
      resourceType: 'AWS::RDS::DBInstance', resourceId: instances.resourceIdentifiers![0]!.resourceId!, laterTime: new Date(now.getTime() - 49 * DAY), limit: 1,
    }));
    expect(r.configurationItems![0]!.configurationItemStatus).toBe('ResourceNotRecorded');
    expect(r.configurationItems![0]!.configuration).toBeUndefined();
  });

  it('is read by the AWS CLI', async () => {
    // asynchronously: the sandbox answers from this same process
    const { stdout: out } = await promisify(execFile)('/usr/bin/aws', ['configservice', 'get-resource-config-history', '--resource-type', 'AWS::RDS::DBCluster',
      '--resource-id', clusterId, '--chronological-order', 'Forward', '--endpoint-url', sb.url, '--output', 'json'], {
      env: { PATH: process.env['PATH'] ?? '', AWS_ACCESS_KEY_ID: 'AKIASANDBOXTEST00000', AWS_SECRET_ACCESS_KEY: 'dummy', AWS_DEFAULT_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
    });
    const items = (JSON.parse(out) as { configurationItems: { configurationItemStatus: string }[] }).configurationItems;
    expect(items.map((i) => i.configurationItemStatus)).toEqual(['ResourceDiscovered', 'OK', 'OK']);
  }, 60_000);
});

describe('fixture timelines', () => {
  const base = `accounts:
  - id: "111122223333"
    regions:
      us-east-1:
        clusters: [{ id: orders-prod, engine: aurora-postgresql }]
        config: { recorders: [{ name: default }] }
        history:
          timelines:
`;
  it('name the file, line and problem of a bad timeline', () => {
    expect(() => parseFixture(`${base}            - { resource: AWS::RDS::DBCluster/nope, items: [] }\n`, 'f.yaml'))
      .toThrow(/^f\.yaml:9:15: no AWS::RDS::DBCluster named nope in us-east-1/);
    expect(() => parseFixture(`${base}            - resource: AWS::RDS::DBCluster/orders-prod\n              items: [{ at: 3 days ago, status: Gone }]\n`, 'f.yaml'))
      .toThrow(/^f\.yaml:10:.*"status" must be one of OK, ResourceDiscovered/);
    expect(() => parseFixture(`${base}            - { resource: orders-prod, items: [] }\n`, 'f.yaml'))
      .toThrow(/must be TYPE\/NAME/);
  });
});
