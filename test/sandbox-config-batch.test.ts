// The sandbox's BatchGetResourceConfig through the real SDK and the AWS CLI, as the API reference
// describes it: each resource's current item without tags, deleted resources absent, 1 to 100 keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import {
  BatchGetResourceConfigCommand, ConfigServiceClient, GetResourceConfigHistoryCommand, ListDiscoveredResourcesCommand,
} from '@aws-sdk/client-config-service';
import { startSandbox, loadFixture, type Sandbox } from '../src/sandbox/index.js';
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

describe('BatchGetResourceConfig', () => {
  it('returns each resource\'s newest item, without tags, and nothing for deleted or unknown resources', async () => {
    const r = await config.send(new BatchGetResourceConfigCommand({
      resourceKeys: [
        { resourceType: 'AWS::RDS::DBCluster', resourceId: clusterId },
        { resourceType: 'AWS::RDS::DBClusterSnapshot', resourceId: 'orders-prod-old' },
        { resourceType: 'AWS::RDS::DBCluster', resourceId: 'no-such-cluster' },
      ],
    }));
    expect(r.unprocessedResourceKeys).toEqual([]);
    expect(r.baseConfigurationItems).toHaveLength(1);
    const item = r.baseConfigurationItems![0]!;
    // the newest item is the one that restored deletion protection 42 days ago
    const newest = await config.send(new GetResourceConfigHistoryCommand({
      resourceType: 'AWS::RDS::DBCluster', resourceId: clusterId, earlierTime: new Date(now.getTime() - 45 * DAY), laterTime: new Date(now.getTime() - 40 * DAY), limit: 1,
    }));
    expect(item.configurationStateId).toBe(newest.configurationItems![0]!.configurationStateId);
    expect(Math.abs(item.configurationItemCaptureTime!.getTime() - (now.getTime() - 42 * DAY))).toBeLessThan(1000);
    expect(JSON.parse(item.configuration!)).toEqual(JSON.parse(newest.configurationItems![0]!.configuration!));
    expect(item).not.toHaveProperty('tags');
    expect(newest.configurationItems![0]!.tags).toBeDefined();
  });

  it('refuses no keys and more than 100 keys with a ValidationException', async () => {
    await expect(config.send(new BatchGetResourceConfigCommand({ resourceKeys: [] }))).rejects.toMatchObject({ name: 'ValidationException' });
    const keys = Array.from({ length: 101 }, (_, i) => ({ resourceType: 'AWS::RDS::DBCluster' as const, resourceId: `c${i}` }));
    await expect(config.send(new BatchGetResourceConfigCommand({ resourceKeys: keys }))).rejects.toMatchObject({ name: 'ValidationException' });
    const hundred = await config.send(new BatchGetResourceConfigCommand({ resourceKeys: keys.slice(0, 100) }));
    expect(hundred.baseConfigurationItems).toEqual([]);
  });

  it('returns the keys past what it processes in unprocessedResourceKeys, for the client to send again', async () => {
    const small = await startSandbox({ fixture: loadFixture(join(ROOT, 'test/fixtures/history/account.yaml'), now), port: 0, configBatchProcessed: 1 });
    const c = new ConfigServiceClient(clientConfig(small, 'us-east-1'));
    try {
      const keys = [{ resourceType: 'AWS::RDS::DBCluster' as const, resourceId: clusterId }, { resourceType: 'AWS::RDS::DBCluster' as const, resourceId: 'no-such-cluster' }];
      const first = await c.send(new BatchGetResourceConfigCommand({ resourceKeys: keys }));
      expect(first.baseConfigurationItems!.map((i) => i.resourceId)).toEqual([clusterId]);
      expect(first.unprocessedResourceKeys).toEqual([keys[1]]);
      const again = await c.send(new BatchGetResourceConfigCommand({ resourceKeys: first.unprocessedResourceKeys! }));
      expect(again.baseConfigurationItems).toEqual([]);
      expect(again.unprocessedResourceKeys).toEqual([]);
    } finally {
      c.destroy();
      await small.close();
    }
  });

  it('is read by the AWS CLI', async () => {
    const { stdout: out } = await promisify(execFile)('/usr/bin/aws', ['configservice', 'batch-get-resource-config', '--resource-keys',
      `resourceType=AWS::RDS::DBCluster,resourceId=${clusterId}`, '--endpoint-url', sb.url, '--output', 'json'], {
      env: { PATH: process.env['PATH'] ?? '', AWS_ACCESS_KEY_ID: 'AKIASANDBOXTEST00000', AWS_SECRET_ACCESS_KEY: 'dummy', AWS_DEFAULT_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
    });
    const r = JSON.parse(out) as { baseConfigurationItems: { resourceId: string; configurationItemStatus: string }[]; unprocessedResourceKeys: unknown[] };
    expect(r.baseConfigurationItems.map((i) => `${i.resourceId} ${i.configurationItemStatus}`)).toEqual([`${clusterId} OK`]);
    expect(r.unprocessedResourceKeys).toEqual([]);
  }, 60_000);
});
