// The collector catalog against its contract (collectors/README.md), dependency order, regions.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { COLLECTORS, collectorIds, loadCollector, withDependencies } from '../collectors/registry.js';
import { resolveRegions, roleAccount, clientConfig, memoizeCredentials } from '../src/aws/session.js';
import { describeError, scrubSecrets } from '../src/aws/errors.js';
import { newRunId } from '../collectors/run.js';

const readme = readFileSync(new URL('../collectors/README.md', import.meta.url), 'utf8');
const contractRows = readme.split('\n').filter((l) => /^\| `[a-z0-9.-]+` \|/.test(l)).map((l) => l.split('|').map((c) => c.trim()));

describe('registry', () => {
  it('has exactly the collectors of the contract, with its scopes, resource types and dependencies', () => {
    const ids = contractRows.map((r) => r[1]!.replace(/`/g, ''));
    expect([...collectorIds()].sort()).toEqual([...ids].sort());
    for (const row of contractRows) {
      const info = COLLECTORS.find((c) => c.id === row[1]!.replace(/`/g, ''))!;
      expect(row[2]).toContain(info.scope);
      if (row[2]!.includes('join')) {
        expect(info.operations).toEqual([]);
        for (const dep of info.dependsOn ?? []) {
          expect(row[2]!.includes(dep) || (row[2]!.includes('the four RDS collectors') && dep.startsWith('rds.'))).toBe(true);
        }
      } else {
        for (const op of (row[3]!.match(/[a-z]+:\w+/g) ?? []).map((s) => s.split(':')[1])) expect(info.operations).toContain(op);
      }
      if (row[4]!.startsWith('AWS::')) expect(info.resourceType).toBe(row[4]);
    }
  });

  it('keeps the SDK out of the catalog: registry.ts imports no AWS package', () => {
    const src = readFileSync(new URL('../collectors/registry.ts', import.meta.url), 'utf8');
    expect(src).not.toMatch(/from '@aws-sdk|import\('@aws-sdk/);
  });

  it('orders dependencies first and adds the missing ones', () => {
    const order = withDependencies(['rds.encryption-keys']);
    expect(new Set(order)).toEqual(new Set(['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots', 'rds.cluster-automated-backups', 'kms.keys', 'rds.encryption-keys']));
    for (const id of withDependencies(collectorIds())) {
      const info = COLLECTORS.find((c) => c.id === id)!;
      for (const d of info.dependsOn ?? []) expect(order.indexOf(d) <= order.indexOf(id) || !order.includes(id)).toBe(true);
    }
    const all = withDependencies(collectorIds());
    all.forEach((id, i) => {
      for (const d of COLLECTORS.find((c) => c.id === id)!.dependsOn ?? []) expect(all.indexOf(d)).toBeLessThan(i);
    });
    expect(() => withDependencies(['s3.objects'])).toThrow(/unknown collector "s3.objects"/);
  });

  it('loads every collector module on demand', async () => {
    for (const id of collectorIds()) {
      const c = await loadCollector(id);
      expect(c.id).toBe(id);
      expect(typeof c.collect).toBe('function');
    }
  });
});

describe('session', () => {
  it('resolves regions: the explicit list, else the configured one, else a clear error', async () => {
    const saved = { ...process.env };
    try {
      process.env['AWS_CONFIG_FILE'] = '/nonexistent/config';
      process.env['AWS_SHARED_CREDENTIALS_FILE'] = '/nonexistent/credentials';
      delete process.env['AWS_PROFILE'];
      delete process.env['AWS_DEFAULT_REGION'];
      expect(await resolveRegions(['us-east-1', ' eu-central-1', 'us-east-1'])).toEqual(['us-east-1', 'eu-central-1']);
      await expect(resolveRegions(['us-east-1', 'Frankfurt'])).rejects.toThrow(/"Frankfurt" is not an AWS region name/);
      process.env['AWS_REGION'] = 'ap-southeast-2';
      expect(await resolveRegions()).toEqual(['ap-southeast-2']);
      delete process.env['AWS_REGION'];
      await expect(resolveRegions()).rejects.toThrow(/^no AWS region configured: pass --regions/);
    } finally {
      process.env = saved;
    }
  });

  it('validates role ARNs and configures adaptive retries with timeouts', () => {
    expect(roleAccount('arn:aws:iam::444455556666:role/trustpack-audit')).toBe('444455556666');
    expect(() => roleAccount('arn:aws:iam::4444:user/x')).toThrow(/is not an IAM role ARN/);
    const cfg = clientConfig('us-east-1', async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }), { maxAttempts: 3, requestTimeoutMs: 2000 });
    expect(cfg).toMatchObject({ region: 'us-east-1', retryMode: 'adaptive', maxAttempts: 3, requestHandler: { requestTimeout: 2000, connectionTimeout: 2000, throwOnRequestTimeout: true } });
    expect(clientConfig('us-east-1', async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }))).toMatchObject({ maxAttempts: 5, requestHandler: { requestTimeout: 10_000 } });
  });

  it('shares one set of temporary credentials; retries after a failure; survives a skewed clock', async () => {
    let calls = 0;
    let fail = true;
    const provider = memoizeCredentials(async () => {
      calls++;
      if (fail) throw new Error('denied');
      // an expiration already past by our clock (a sandbox with a fixed clock)
      return { accessKeyId: 'a', secretAccessKey: 'b', expiration: new Date(Date.now() - 3600_000) };
    });
    await expect(provider()).rejects.toThrow('denied');
    fail = false;
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a).toBe(b);
    await provider();
    expect(calls).toBe(2);
  });

  it('makes time-sortable run ids', () => {
    expect(newRunId(new Date('2026-11-28T23:30:00.123Z'))).toMatch(/^20261128T233000Z-[0-9a-f]{4}$/);
  });
});

describe('errors', () => {
  it('gives one line without credentials', () => {
    const e = Object.assign(new Error('bad\nkey AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n   at x (y.js:1)'), { name: 'AccessDenied', $fault: 'client', $metadata: { attempts: 1 } });
    const d = describeError(e);
    expect(d.code).toBe('AccessDenied');
    expect(d.message).not.toMatch(/\n|AKIA|wJalr/);
    expect(scrubSecrets('X-Amz-Security-Token=abcdef&x=1')).toBe('X-Amz-Security-Token=[redacted]&x=1');
    expect(describeError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })).code).toBe('NetworkError');
  });
});
