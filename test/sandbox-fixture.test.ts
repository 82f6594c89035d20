// Fixture and fault-plan files: relative dates, derived fields, the sample account, errors with file and line.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { FixtureError, generateAccount, loadFaultPlan, loadFixture, parseFixture, resolveDate } from '../src/sandbox/index.js';
import { FaultInjector, parseFaultPlan } from '../src/sandbox/faults.js';
import { NOW } from './sandbox-helpers.js';

const DAY = 86_400_000;
const F = 'test/fixtures/sandbox';

function fixtureError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FixtureError);
    return (e as Error).message;
  }
  throw new Error('expected a FixtureError');
}

describe('relative dates', () => {
  it('resolve against now', () => {
    expect(resolveDate('3 days ago', NOW)).toEqual(new Date(NOW.getTime() - 3 * DAY));
    expect(resolveDate('in 60 days', NOW)).toEqual(new Date(NOW.getTime() + 60 * DAY));
    expect(resolveDate('2 hours ago', NOW)).toEqual(new Date(NOW.getTime() - 2 * 3_600_000));
    expect(resolveDate('1 week ago', NOW)).toEqual(new Date(NOW.getTime() - 7 * DAY));
    expect(resolveDate('now', NOW)).toEqual(NOW);
    expect(resolveDate('2024-03-01T10:00:00Z', NOW)).toEqual(new Date('2024-03-01T10:00:00Z'));
    expect(resolveDate('2024-03-01', NOW)).toEqual(new Date('2024-03-01T00:00:00Z'));
    expect(resolveDate('three days ago', NOW)).toBeUndefined();
    expect(resolveDate('2024-13-45', NOW)).toBeUndefined();
  });

  it('N days ago is always N days before now (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (n, now) => {
      expect(resolveDate(`${n} days ago`, now)!.getTime()).toBe(now.getTime() - n * DAY);
      expect(resolveDate(`in ${n} days`, now)!.getTime()).toBe(now.getTime() + n * DAY);
    }));
  });

  it('fixture dates move with now, so a fixture never goes stale', () => {
    const text = readFileSync('examples/sample/account.yaml', 'utf8');
    for (const now of [NOW, new Date('2031-01-01T00:00:00Z')]) {
      const f = parseFixture(text, 'account.yaml', now);
      const snap = f.accounts[0]!.regions['us-east-1']!.snapshots.find((s) => s.DBClusterSnapshotIdentifier === 'legacy-reporting-2024-export')!;
      expect(now.getTime() - (snap['SnapshotCreateTime'] as Date).getTime()).toBe(40 * DAY);
    }
  });
});

describe('the sample account fixture', () => {
  const f = parseFixture(readFileSync('examples/sample/account.yaml', 'utf8'), 'account.yaml', NOW);
  const account = f.accounts[0]!;
  const us = account.regions['us-east-1']!;
  const eu = account.regions['eu-central-1']!;
  const keyOf = (region: typeof us, arn: unknown) => {
    const key = region.keys.find((k) => k.metadata.Arn === arn)!;
    return { key, aliases: region.aliases.filter((a) => a.TargetKeyId === key.metadata.KeyId).map((a) => a.AliasName) };
  };

  it('has the account, caller and regions of the README', () => {
    expect(account.id).toBe('111122223333');
    expect(account.callerArn).toBe('arn:aws:sts::111122223333:assumed-role/trustpack-audit/nightly');
    expect(Object.keys(account.regions)).toEqual(['us-east-1', 'eu-central-1']);
  });

  it('has every cluster with its engine, key, AZs, members, parameter group, retention, protection and logs', () => {
    const row = (r: typeof us, id: string) => {
      const c = r.clusters.find((x) => x.DBClusterIdentifier === id)!;
      const members = r.instances.filter((i) => i.DBClusterIdentifier === id).map((i) => `${String(i['AvailabilityZone'])}${c.DBClusterMembers.find((m) => m['DBInstanceIdentifier'] === i.DBInstanceIdentifier)!['IsClusterWriter'] ? ' writer' : ''}`);
      const pg = r.parameterGroups.find((g) => g.group.DBClusterParameterGroupName === c.DBClusterParameterGroup)!;
      const tls = pg.parameters.find((p) => p.ParameterName === (c.Engine === 'aurora-mysql' ? 'require_secure_transport' : 'rds.force_ssl'))!;
      return [c.Engine, String(c.EngineVersion).slice(0, 4), keyOf(r, c.KmsKeyId).aliases[0], c['AvailabilityZones'], members, c.DBClusterParameterGroup,
        tls['ParameterValue'], c.BackupRetentionPeriod, c['DeletionProtection'], c['EnabledCloudwatchLogsExports']];
    };
    const azs = (r: string) => [`${r}a`, `${r}b`, `${r}c`];
    expect(row(us, 'orders-prod')).toEqual(['aurora-postgresql', '15.4', 'alias/orders-data', azs('us-east-1'), ['us-east-1a writer', 'us-east-1b'], 'orders-pg15', '1', 7, true, ['postgresql']]);
    expect(row(us, 'legacy-reporting')).toEqual(['aurora-mysql', '5.7.', 'alias/legacy-reporting', azs('us-east-1'), ['us-east-1a writer'], 'legacy-mysql57', 'OFF', 7, true, ['audit', 'error']]);
    expect(row(eu, 'customers-eu')).toEqual(['aurora-postgresql', '15.4', 'alias/customers-eu-byok', azs('eu-central-1'), ['eu-central-1a writer', 'eu-central-1b'], 'customers-pg15', '1', 14, true, ['postgresql']]);
    expect(row(eu, 'analytics-eu')).toEqual(['aurora-mysql', '8.0.', 'alias/aws/rds', azs('eu-central-1'), ['eu-central-1a writer', 'eu-central-1c'], 'analytics-mysql80', 'ON', 7, true, ['audit']]);
    expect(eu.clusters.find((c) => c.DBClusterIdentifier === 'customers-eu')!.TagList).toContainEqual({ Key: 'city', Value: 'Zürich' });
    for (const r of [us, eu]) for (const i of r.instances.filter((x) => x.DBClusterIdentifier)) expect(i['KmsKeyId']).toBe(r.clusters.find((c) => c.DBClusterIdentifier === i.DBClusterIdentifier)!.KmsKeyId);
  });

  it('has the keys of the README (D1, D6)', () => {
    const facts = (r: typeof us) => r.keys.map((k) => [r.aliases.find((a) => a.TargetKeyId === k.metadata.KeyId)!.AliasName, k.metadata.KeyManager, k.metadata['KeySpec'], k.metadata.Origin, k.rotationEnabled]);
    expect(facts(us)).toEqual([['alias/orders-data', 'CUSTOMER', 'SYMMETRIC_DEFAULT', 'AWS_KMS', true], ['alias/legacy-reporting', 'CUSTOMER', 'SYMMETRIC_DEFAULT', 'AWS_KMS', false]]);
    expect(facts(eu)).toEqual([['alias/customers-eu-byok', 'CUSTOMER', 'SYMMETRIC_DEFAULT', 'EXTERNAL', false], ['alias/aws/rds', 'AWS', 'SYMMETRIC_DEFAULT', 'AWS_KMS', true]]);
  });

  it('has the snapshots and backups of the README (D3, D4, D5)', () => {
    const manual = (r: typeof us) => r.snapshots.filter((s) => s.SnapshotType === 'manual').map((s) => [s.DBClusterSnapshotIdentifier,
      (NOW.getTime() - (s['SnapshotCreateTime'] as Date).getTime()) / DAY, r.snapshotAttributes[s.DBClusterSnapshotIdentifier]![0]!.AttributeValues]);
    expect(manual(us)).toEqual([['orders-prod-pre-migration', 5, []], ['orders-prod-dr-copy', 2, ['444455556666']], ['legacy-reporting-2024-export', 40, []]]);
    expect(manual(eu)).toEqual([['customers-eu-partner-share', 2, ['999988887777']]]);
    for (const r of [us, eu]) {
      for (const c of r.clusters) {
        const ages = r.snapshots.filter((s) => s.SnapshotType === 'automated' && s.DBClusterIdentifier === c.DBClusterIdentifier).map((s) => (NOW.getTime() - (s['SnapshotCreateTime'] as Date).getTime()) / DAY);
        expect(ages.length).toBeGreaterThan(0);
        expect(ages.every((a) => a >= 1 && a <= 3)).toBe(true);
      }
      expect(r.snapshots.every((s) => s['StorageEncrypted'] === true)).toBe(true);
      expect(r.automatedBackups.every((b) => b['StorageEncrypted'] === true)).toBe(true);
      for (const c of r.clusters) expect(r.automatedBackups.find((b) => b.DBClusterIdentifier === c.DBClusterIdentifier)?.Status).toBe('active');
    }
    const retained = (r: typeof us) => r.automatedBackups.filter((b) => b.Status === 'retained').map((b) => [b.DBClusterIdentifier, b['BackupRetentionPeriod'],
      (NOW.getTime() - ((b['RestoreWindow'] as { EarliestTime: Date }).EarliestTime).getTime()) / DAY]);
    expect(retained(us)).toEqual([['old-tenant-db', 35, 30]]);
    expect(retained(eu)).toEqual([['trial-tenant-db', 7, 6]]);
  });

  it('has Config recorders and rules of the README (D7), and default parameter groups', () => {
    for (const r of [us, eu]) {
      expect(r.config.statuses.map((s) => [s['recording'], s['lastStatus']])).toEqual([[true, 'SUCCESS']]);
      const rds = r.config.rules.find((x) => x.rule.ConfigRuleName === 'rds-storage-encrypted')!;
      expect(rds.evaluations.map((e) => e.ComplianceType)).toEqual(r.clusters.map(() => 'COMPLIANT'));
    }
    expect(us.parameterGroups.map((g) => g.group.DBClusterParameterGroupName)).toEqual(expect.arrayContaining(['default.aurora-mysql5.7', 'default.aurora-postgresql15']));
    expect(eu.parameterGroups.map((g) => g.group.DBClusterParameterGroupName)).toEqual(expect.arrayContaining(['default.aurora-mysql8.0', 'default.aurora-postgresql15']));
    const trail = (r: typeof us) => r.config.rules.find((x) => x.rule.ConfigRuleName === 'cloudtrail-log-file-validation-enabled')!.evaluations
      .map((e) => [(e['EvaluationResultIdentifier'] as { EvaluationResultQualifier: { ResourceId: string } }).EvaluationResultQualifier.ResourceId, e.ComplianceType]);
    expect(trail(us)).toEqual([['org-trail', 'COMPLIANT']]);
    expect(trail(eu)).toEqual([['eu-data-trail', 'NON_COMPLIANT']]);
    // D17: the eu-central-1 recorder records two resource types only
    expect(eu.config.recorders[0]!['recordingGroup']).toMatchObject({ allSupported: false, resourceTypes: ['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance'], recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' } });
    expect(us.config.recorders[0]!['recordingGroup']).toMatchObject({ allSupported: true, recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' } });
  });

  it('has the catalog defects D9-D21 where the README puts them', () => {
    const orders = us.keys.find((k) => us.aliases.some((a) => a.AliasName === 'alias/orders-data' && a.TargetKeyId === k.metadata.KeyId))!;
    expect(orders.rotationPeriodInDays).toBe(730);
    const legacy = us.clusters.find((c) => c.DBClusterIdentifier === 'legacy-reporting')!;
    expect(legacy.EngineVersion).toBe('5.7.mysql_aurora.2.11.4');
    expect(us.instances.find((i) => i.DBInstanceIdentifier === 'legacy-reporting-instance-1')!['AutoMinorVersionUpgrade']).toBe(false);
    expect(eu.clusters.find((c) => c.DBClusterIdentifier === 'analytics-eu')!['AutoMinorVersionUpgrade']).toBe(false);
    expect(us.globalClusters?.map((g) => (g['GlobalClusterMembers'] as { DBClusterArn: string }[]).map((m) => m.DBClusterArn))).toEqual([
      ['arn:aws:rds:us-east-1:111122223333:cluster:orders-prod', 'arn:aws:rds:ap-southeast-2:111122223333:cluster:orders-apac'],
    ]);
    expect(us.clusters.find((c) => c.DBClusterIdentifier === 'orders-prod')!['GlobalClusterIdentifier']).toBe('orders-global');
    const nonCompliant = (r: typeof us) => r.config.rules.filter((x) => x.evaluations.some((e) => e.ComplianceType === 'NON_COMPLIANT')).map((x) => x.rule.ConfigRuleName).sort();
    expect(nonCompliant(us)).toEqual([]);
    expect(nonCompliant(eu)).toEqual(['cloudtrail-log-file-validation-enabled', 'cw-loggroup-retention-period-check', 'guardduty-enabled-centralized',
      'guardduty-rds-protection-enabled', 'multi-region-cloudtrail-enabled', 's3-bucket-default-lock-enabled']);
  });
});

describe('fixture errors name the file and line', () => {
  it('unknown key alias', () => {
    expect(fixtureError(() => loadFixture(`${F}/bad-key.yaml`))).toMatch(/^test\/fixtures\/sandbox\/bad-key\.yaml:8:18: unknown key "no-such-key" in us-east-1/);
  });
  it('a date that is not one', () => {
    expect(fixtureError(() => loadFixture(`${F}/bad-date.yaml`))).toMatch(/bad-date\.yaml:9:22: "created": expected a date: .*found "three days ago"/);
  });
  it('a misspelt field', () => {
    expect(fixtureError(() => loadFixture(`${F}/bad-field.yaml`))).toMatch(/bad-field\.yaml:8:13: unknown field "deletion_protected"/);
  });
  it('invalid YAML, a missing field, an unquoted-looking account id, a missing file', () => {
    expect(fixtureError(() => parseFixture('accounts:\n  - id: [1\n', 'x.yaml'))).toMatch(/^x\.yaml:\d+:\d+: invalid YAML/);
    expect(fixtureError(() => parseFixture('accounts:\n  - regions: {}\n', 'x.yaml'))).toBe('x.yaml:2:5: missing required field "id"');
    expect(fixtureError(() => parseFixture('accounts:\n  - id: 12345\n', 'x.yaml'))).toMatch(/^x\.yaml:2:9: account "id" must be 12 digits/);
    expect(fixtureError(() => parseFixture('accounts: []\n', 'x.yaml'))).toMatch(/^x\.yaml:1:1: a fixture needs at least one account/);
    expect(fixtureError(() => loadFixture(`${F}/nope.yaml`))).toMatch(/nope\.yaml: cannot read fixture: ENOENT/);
  });
  it('a cluster using an undefined parameter group, a duplicate cluster', () => {
    const base = 'accounts:\n  - id: "111111111111"\n    regions:\n      us-east-1:\n        clusters:\n';
    expect(fixtureError(() => parseFixture(`${base}          - { id: a, engine: aurora-mysql, parameter_group: pg1 }\n`, 'x.yaml'))).toMatch(/^x\.yaml:6:61: unknown parameter group "pg1"/);
    expect(fixtureError(() => parseFixture(`${base}          - { id: a, engine: aurora-mysql }\n          - { id: a, engine: aurora-mysql }\n`, 'x.yaml'))).toMatch(/^x\.yaml:7:13: cluster a appears twice/);
  });
});

describe('defaults and derivations', () => {
  it('a minimal cluster gets ARNs, ids, endpoints, the aws/rds key and the default parameter group', () => {
    const f = parseFixture('accounts:\n  - id: "123456789012"\n    regions:\n      eu-west-1:\n        clusters:\n          - { id: tiny, engine: aurora-postgresql, members: [{}] }\n', 'x.yaml', NOW);
    const r = f.accounts[0]!.regions['eu-west-1']!;
    const c = r.clusters[0]!;
    expect(c).toMatchObject({ DBClusterArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:tiny', EngineVersion: '15.4', DBClusterParameterGroup: 'default.aurora-postgresql15', StorageEncrypted: true });
    expect(c['Endpoint']).toMatch(/^tiny\.cluster-[0-9a-f]{12}\.eu-west-1\.rds\.amazonaws\.com$/);
    expect(c.DbClusterResourceId).toMatch(/^cluster-[A-Z2-7]{26}$/);
    expect(r.aliases.map((a) => a.AliasName)).toEqual(['alias/aws/rds']);
    expect(r.keys[0]!.metadata.KeyManager).toBe('AWS');
    expect(r.instances[0]).toMatchObject({ DBInstanceIdentifier: 'tiny-instance-1', AvailabilityZone: 'eu-west-1a' });
    expect(c.DBClusterMembers).toEqual([expect.objectContaining({ IsClusterWriter: true })]);
    expect(r.automatedBackups.map((b) => b.Status)).toEqual(['active']);
    // the same fixture gives the same ids
    const again = parseFixture('accounts:\n  - id: "123456789012"\n    regions:\n      eu-west-1:\n        clusters:\n          - { id: tiny, engine: aurora-postgresql, members: [{}] }\n', 'x.yaml', NOW);
    expect(again.accounts[0]!.regions['eu-west-1']!.clusters[0]!.DbClusterResourceId).toBe(c.DbClusterResourceId);
  });

  it('generateAccount builds the shape benchmarks need, repeatably', () => {
    const a = generateAccount({ regions: 3, clustersPerRegion: 4, seed: 9, now: NOW });
    const b = generateAccount({ regions: 3, clustersPerRegion: 4, seed: 9, now: NOW });
    expect(a).toEqual(b);
    const regions = a.accounts[0]!.regions;
    expect(Object.keys(regions)).toEqual(['us-east-1', 'us-west-2', 'eu-central-1']);
    for (const r of Object.values(regions)) {
      expect(r.clusters).toHaveLength(4);
      expect(r.instances).toHaveLength(8);
      expect(r.snapshots.some((s) => s.SnapshotType === 'manual')).toBe(true);
      expect(r.snapshots.some((s) => s.SnapshotType === 'automated')).toBe(true);
      expect(r.automatedBackups).toHaveLength(4);
      expect(r.keys.filter((k) => k.metadata.KeyManager === 'CUSTOMER')).toHaveLength(1);
      expect(r.config.recorders).toHaveLength(1);
      expect(r.config.rules.length).toBeGreaterThan(0);
      for (const c of r.clusters) expect(r.parameterGroups.some((g) => g.group.DBClusterParameterGroupName === c.DBClusterParameterGroup)).toBe(true);
    }
    expect(generateAccount({ regions: ['sa-east-1'], clustersPerRegion: 1, accountId: '210987654321' }).accounts[0]!.id).toBe('210987654321');
  });
});

describe('fault plans', () => {
  it('load from YAML', () => {
    expect(loadFaultPlan(`${F}/faults.yaml`)).toEqual({ seed: 7, rules: [
      { service: 'rds', kind: 'throttle', rate: 0.5 }, { service: 'kms', region: 'eu-central-1', kind: 'access-denied' },
    ] });
    expect(parseFaultPlan('{"latencyMs": 20, "rules": [{"kind": "timeout", "operation": "ListKeys", "times": 1}]}', 'f.json'))
      .toEqual({ latencyMs: 20, rules: [{ kind: 'timeout', operation: 'ListKeys', times: 1 }] });
  });
  it('errors name the file and line', () => {
    expect(fixtureError(() => loadFaultPlan(`${F}/bad-faults.yaml`))).toMatch(/^test\/fixtures\/sandbox\/bad-faults\.yaml:4:11: "rate" must be a number from 0 to 1/);
    expect(fixtureError(() => parseFaultPlan('rules:\n  - kind: explode\n', 'p.yaml'))).toMatch(/^p\.yaml:2:11: "kind" must be one of throttle, server-error/);
  });
});

describe('fault decisions', () => {
  const call = { service: 'rds', operation: 'DescribeDBClusters', region: 'us-east-1', account: '111111111111' };
  const run = (seed: number) => {
    const inj = new FaultInjector({ seed, rules: [{ kind: 'throttle', rate: 0.5 }] });
    return Array.from({ length: 200 }, () => (inj.decide(call) ? 'T' : '-')).join('');
  };

  it('repeat with the same seed, differ with another, and fire about `rate` of the time', () => {
    expect(run(1)).toBe(run(1));
    expect(run(1)).not.toBe(run(2));
    const fired = run(3).split('').filter((c) => c !== '-').length;
    expect(fired).toBeGreaterThan(60);
    expect(fired).toBeLessThan(140);
  });

  it('match on every given field, stop after `times`, first matching rule wins', () => {
    const inj = new FaultInjector({ rules: [
      { service: 'kms', kind: 'access-denied' },
      { region: 'us-east-1', operation: 'DescribeDBClusters', kind: 'server-error', times: 2 },
      { kind: 'throttle', account: '111111111111' },
    ] });
    expect([1, 2, 3].map(() => inj.decide(call)?.kind)).toEqual(['server-error', 'server-error', 'throttle']);
    expect(inj.decide({ ...call, service: 'kms' })?.kind).toBe('access-denied');
    expect(inj.decide({ ...call, account: '222222222222' })).toBeUndefined();
  });
});
