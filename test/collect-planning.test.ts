// The pure steps of collectEvidence, split out of it (issue 17): which accounts a run plans from
// its flags, which of them a shard takes, and how the bundle's manifest is assembled and ordered.
// The steps that call AWS are covered end to end against the sandbox (estate-*.test.ts).
import { describe, expect, it } from 'vitest';
import { checkAccountFlags, roleArnPlans, shardPlans } from '../src/aws/account-plan.js';
import { accountsDigest } from '../src/aws/estate.js';
import { assembleBundle, type RunOutcome } from '../src/evidence/assemble.js';
import type { Collection, EvidenceRecord } from '../src/evidence/model.js';

const role = (account: string, name = 'audit'): string => `arn:aws:iam::${account}:role/${name}`;

describe('account planning', () => {
  it('plans one account per distinct role ARN, honouring --accounts and --exclude-accounts', () => {
    const arns = [role('111111111111'), role('222222222222'), role('111111111111'), role('333333333333')];
    expect(roleArnPlans(arns).map((p) => p.account)).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(roleArnPlans(arns, undefined, ['222222222222']).map((p) => p.account)).toEqual(['111111111111', '333333333333']);
    expect(roleArnPlans(arns, ['333333333333'], []).map((p) => p.roleArn)).toEqual([role('333333333333')]);
    expect(roleArnPlans(arns, [], ['999999999999'])).toHaveLength(3);
  });

  it('gives a shard its slice of the sorted estate, and the digest of the whole estate', () => {
    const estate = ['444444444444', '111111111111', '333333333333', '222222222222'];
    const plans = estate.map((account) => ({ account }));
    const first = shardPlans(plans, estate, { k: 1, n: 2 });
    const second = shardPlans(plans, estate, { k: 2, n: 2 });
    expect(first.plans.map((p) => p.account).sort()).toEqual(['111111111111', '333333333333']);
    expect(second.plans.map((p) => p.account).sort()).toEqual(['222222222222', '444444444444']);
    expect(first.shardInfo).toEqual({ k: 1, n: 2, accounts: 4, accountsSha256: accountsDigest(estate) });
    expect(second.shardInfo.accountsSha256).toBe(first.shardInfo.accountsSha256);
  });

  it('refuses bad account flags before any call', () => {
    expect(() => checkAccountFlags({ roleArns: ['arn:aws:iam::12:user/x'] })).toThrow(/--role-arn: .* is not an IAM role ARN/);
    expect(() => checkAccountFlags({ orgRole: 'no spaces' })).toThrow(/--org-role: "no spaces" is not an IAM role name/);
    expect(() => checkAccountFlags({ orgRole: 'audit', roleArns: [role('111111111111')] })).toThrow(/cannot be combined/);
    expect(() => checkAccountFlags({ orgRole: 'path/audit' })).not.toThrow();
  });
});

describe('manifest assembly', () => {
  const collection = (collector: string, account: string, region: string): Collection =>
    ({ collector, account, region, status: 'ok', calls: 1, records: 1, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z' });
  const record = (collector: string, id: string): EvidenceRecord => ({ id, collector, data: {} } as unknown as EvidenceRecord);
  const outcome = (over: Partial<RunOutcome>): RunOutcome => ({
    runId: 'r', toolVersion: '0.0.0', collectorOrder: ['sts.caller-identity', 'rds.db-clusters', 'kms.keys'],
    accounts: ['222222222222', '111111111111', '222222222222'], regions: ['eu-west-1'], allRegions: false,
    accountRegions: new Map(), regionsNotEnabled: {}, startedAt: new Date(0), endedAt: new Date(1000),
    collections: [], records: [], notices: [], pacing: {}, spilled: true, ...over,
  });

  it('orders collections by account, region, then run order; records by run order, then id', () => {
    const b = assembleBundle(outcome({
      collections: [collection('kms.keys', '1', 'eu-west-1'), collection('rds.db-clusters', '1', 'eu-west-1'), collection('sts.caller-identity', '1', 'global'), collection('sts.caller-identity', '0', 'global')],
      records: [record('kms.keys', 'a'), record('rds.db-clusters', 'z'), record('rds.db-clusters', 'b'), record('sts.caller-identity', 'y')],
    }));
    expect(b.manifest.collections.map((c) => `${c.account}/${c.region}/${c.collector}`)).toEqual([
      '0/global/sts.caller-identity', '1/eu-west-1/rds.db-clusters', '1/eu-west-1/kms.keys', '1/global/sts.caller-identity',
    ]);
    expect(b.records.map((r) => `${r.collector}:${r.id}`)).toEqual(['sts.caller-identity:y', 'rds.db-clusters:b', 'rds.db-clusters:z', 'kms.keys:a']);
    expect(b.manifest.accounts).toEqual(['222222222222', '111111111111']);
  });

  it('states only what the run had: no organization, shard, notices or pacing keys when there were none', () => {
    const plain = assembleBundle(outcome({})).manifest;
    for (const key of ['organization', 'shard', 'notices', 'pacing', 'accountRegions', 'asOf', 'caller', 'catalogDigest']) expect(plain, key).not.toHaveProperty(key);
    const full = assembleBundle(outcome({
      allRegions: true, accountRegions: new Map([['2', ['us-east-1']], ['1', ['eu-west-1', 'us-east-1']]]),
      orgRole: 'audit', notices: ['n'], pacing: { 'rds.db-clusters': { throttles: 1, retries: 1, backoffMs: 5, pacedMs: 0 } },
      asOf: new Date(0), shard: { k: 1, n: 2, accountsSha256: 'x', accounts: 4 },
    })).manifest;
    expect(full.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(Object.keys(full.accountRegions!)).toEqual(['1', '2']);
    expect(full.organization).toEqual({ role: 'audit', skippedAccounts: [] });
    expect(full).toMatchObject({ notices: ['n'], asOf: '1970-01-01T00:00:00.000Z', source: 'config-history', shard: { k: 1, n: 2 } });
  });
});
