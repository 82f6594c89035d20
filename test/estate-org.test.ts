// Estates through AWS Organizations, on the sandbox organization (examples/estate/organization.yaml):
// ListAccounts paged, State-based skipping, the management account without the member role,
// --accounts / --exclude-accounts, `--regions all` from account:ListRegions, region name checks.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { checkRegionNames } from '../src/aws/regions.js';
import { PARTITIONS_SOURCE } from '../src/aws/partitions.generated.js';
import { accountsDigest, parseShard, shardAccounts } from '../src/aws/estate.js';
import { NOW, byCollector, useSandboxEnv } from './collect-helpers.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ESTATE = new URL('../examples/estate/organization.yaml', import.meta.url).pathname;
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(ESTATE, NOW), port: 0, now: NOW });
});
afterAll(async () => { await sb?.close(); });
beforeEach(() => useSandboxEnv(sb.url));

const run = (extra: Partial<Parameters<typeof collectEvidence>[0]> = {}) =>
  collectEvidence({ regions: ['us-east-1'], toolVersion: 'test', now: () => NOW, collectors: ['rds.db-clusters'], ...extra });

describe('--org-role', () => {
  it('collects every ACTIVE account through the role, skips the others by State, and says so for the management account', async () => {
    const notices: string[] = [];
    const before = sb.stats().byOperation['organizations:ListAccounts'] ?? 0;
    const b = await run({ orgRole: 'trustpack-audit', onNotice: (m) => notices.push(m) });
    expect(b.manifest.accounts).toEqual(['111100000001', '111100000002', '111100000003', '111100000004']);
    expect(b.manifest.organization).toEqual({
      role: 'trustpack-audit',
      skippedAccounts: [
        { account: '111100000007', state: 'PENDING_CLOSURE' },
        { account: '111100000008', state: 'CLOSED' },
        { account: '111100000009', state: 'SUSPENDED' },
      ],
    });
    // ListAccounts pages at 20; one page here
    expect((sb.stats().byOperation['organizations:ListAccounts'] ?? 0) - before).toBe(1);
    expect(b.manifest.collections.filter((c) => c.status === 'error')).toEqual([]);
    const clusters = byCollector(b, 'rds.db-clusters').map((r) => `${r.source.account}:${(r.data as { DBClusterIdentifier: string }).DBClusterIdentifier}`).sort();
    expect(clusters).toEqual([
      '111100000001:billing-db', '111100000002:locked-db', '111100000002:orders-db', '111100000002:payments-db',
      '111100000003:byok-db', '111100000003:siem-db', '111100000004:search-db',
    ]);
    // the management account has no trustpack-audit role: read with the caller's own credentials
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/management account 111100000001 has no role trustpack-audit .*AccessDenied.*own credentials/);
    expect(b.manifest.notices).toEqual(notices);
    const ids = b.records.filter((r) => r.collector === 'sts.caller-identity').map((r) => (r.data as { Arn: string }).Arn).sort();
    expect(ids).toEqual([
      'arn:aws:sts::111100000001:assumed-role/ci-audit/nightly',
      expect.stringMatching(/^arn:aws:sts::111100000002:assumed-role\/trustpack-audit\/trustpack-/),
      expect.stringMatching(/^arn:aws:sts::111100000003:assumed-role\/trustpack-audit\//),
      expect.stringMatching(/^arn:aws:sts::111100000004:assumed-role\/trustpack-audit\//),
    ]);
  });

  it('--accounts and --exclude-accounts filter the organization; an account outside it is a usage error', async () => {
    const b = await run({ orgRole: 'trustpack-audit', accounts: ['111100000002', '111100000003', '111100000009'], excludeAccounts: ['111100000003'] });
    expect(b.manifest.accounts).toEqual(['111100000002']);
    expect(b.manifest.organization?.skippedAccounts).toEqual([{ account: '111100000009', state: 'SUSPENDED' }]);
    await expect(run({ orgRole: 'trustpack-audit', accounts: ['999999999999'] })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/999999999999 is not in the organization/) });
  });

  it('a member account cannot list the organization: the run stops with the reason', async () => {
    // the sandbox serves ListAccounts to the management account only, as AWS does
    process.env['AWS_ACCESS_KEY_ID'] = 'ASIA111100000002SABC';
    await expect(run({ orgRole: 'trustpack-audit' })).rejects.toMatchObject({ message: expect.stringMatching(/organizations:ListAccounts.*AccessDeniedException/) });
  });
});

describe('--regions all', () => {
  it('collects each account\'s enabled regions; opt-in regions not enabled are listed, not errors', async () => {
    const b = await run({ orgRole: 'trustpack-audit', accounts: ['111100000002', '111100000003'], regions: ['all'] });
    const r2 = b.manifest.accountRegions?.['111100000002'] ?? [];
    const r3 = b.manifest.accountRegions?.['111100000003'] ?? [];
    expect(r2).toContain('ap-east-1');
    expect(r2).toContain('us-east-1');
    expect(r2).not.toContain('me-south-1');
    expect(r3).not.toContain('ap-east-1');
    expect(r3).toHaveLength(17); // the regions every account has by default
    expect(b.manifest.regionsNotEnabled?.['111100000002']).toContainEqual({ region: 'me-south-1', status: 'DISABLED' });
    expect(b.manifest.collections.filter((c) => c.status === 'error')).toEqual([]);
    // one collection per enabled region of each account, none for regions it does not have
    const scopes = b.manifest.collections.filter((c) => c.collector === 'rds.db-clusters');
    expect(scopes).toHaveLength(r2.length + r3.length);
    expect(byCollector(b, 'rds.db-clusters').map((r) => `${r.source.region}:${(r.data as { DBClusterIdentifier: string }).DBClusterIdentifier}`).sort())
      .toEqual(['ap-east-1:hk-db', 'us-east-1:byok-db', 'us-east-1:locked-db', 'us-east-1:orders-db', 'us-east-1:payments-db', 'us-east-1:siem-db']);
  });
});

describe('region names (src/aws/regions.ts)', () => {
  it('known names pass; near misses are usage errors with a suggestion; unknown well-formed names warn', () => {
    expect(checkRegionNames(['us-east-1', ' eu-central-1', 'us-east-1'], '--regions')).toEqual({ regions: ['us-east-1', 'eu-central-1'], warnings: [] });
    expect(() => checkRegionNames(['us-esat-1'], '--regions')).toThrow(/--regions: unknown region "us-esat-1"; did you mean "us-east-1"\?/);
    expect(() => checkRegionNames(['eu-centrall-1'], 'trustpack.yaml: regions')).toThrow(/trustpack\.yaml: regions: .*did you mean "eu-central-1"/);
    try { checkRegionNames(['us-wset-2'], '--regions'); } catch (e) { expect((e as { exitCode: number }).exitCode).toBe(2); }
    const w = checkRegionNames(['ap-nowhere-9'], '--regions');
    expect(w.regions).toEqual(['ap-nowhere-9']);
    expect(w.warnings[0]).toMatch(/not in the AWS SDK's partition data/);
    expect(() => checkRegionNames(['Frankfurt'], '--regions')).toThrow(/not an AWS region name/);
  });

  it('the vendored partition data is the installed SDK\'s (sha256 of the source file)', () => {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('@aws-sdk/core/package.json');
    const text = readFileSync(join(dirname(pkg), PARTITIONS_SOURCE.path));
    expect(createHash('sha256').update(text).digest('hex')).toBe(PARTITIONS_SOURCE.sha256);
  });
});

describe('shards', () => {
  it('K/N slices the sorted account list modulo N, every account in exactly one slice', () => {
    const ids = ['111100000004', '111100000001', '111100000003', '111100000002', '111100000005'];
    const slices = [1, 2, 3].map((k) => shardAccounts(ids, { k, n: 3 }));
    expect(slices).toEqual([['111100000001', '111100000004'], ['111100000002', '111100000005'], ['111100000003']]);
    expect(accountsDigest(ids)).toBe(accountsDigest([...ids].reverse()));
    expect(parseShard('2/4')).toEqual({ k: 2, n: 4 });
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/--shard/);
  });
});
