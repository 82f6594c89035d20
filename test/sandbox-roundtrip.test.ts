// Every field the fixture holds must reach the SDK unchanged: this catches a wrong XML list item
// name, a number sent as text, or a timestamp in the wrong format, for every shape we serve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  RDSClient, DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeDBClusterSnapshotsCommand,
  DescribeDBClusterAutomatedBackupsCommand, DescribeDBClusterParametersCommand, DescribeDBClusterParameterGroupsCommand,
  DescribeDBClusterSnapshotAttributesCommand,
} from '@aws-sdk/client-rds';
import { KMSClient, DescribeKeyCommand, ListAliasesCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import {
  ConfigServiceClient, DescribeConfigRulesCommand, GetComplianceDetailsByConfigRuleCommand,
  DescribeConfigurationRecordersCommand, DescribeConfigurationRecorderStatusCommand,
} from '@aws-sdk/client-config-service';
import { parseFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { clientConfig, NOW } from './sandbox-helpers.js';

/** Dates as ISO strings, undefined fields dropped: the comparable form of both sides. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => x)) as unknown;
}

describe('sandbox: fixture objects reach the SDK field for field', () => {
  let sb: Sandbox;
  const fixture = parseFixture(readFileSync('examples/sample/account.yaml', 'utf8'), 'account.yaml', NOW);
  beforeAll(async () => {
    sb = await startSandbox({ fixture });
  });
  afterAll(async () => sb.close());

  for (const regionName of ['us-east-1', 'eu-central-1']) {
    const region = fixture.accounts[0]!.regions[regionName]!;

    it(`RDS shapes in ${regionName}`, async () => {
      const rds = new RDSClient(clientConfig(sb, regionName));
      expect(plain((await rds.send(new DescribeDBClustersCommand({}))).DBClusters)).toEqual(plain(region.clusters));
      expect(plain((await rds.send(new DescribeDBInstancesCommand({}))).DBInstances)).toEqual(plain(region.instances));
      expect(plain((await rds.send(new DescribeDBClusterSnapshotsCommand({}))).DBClusterSnapshots)).toEqual(plain(region.snapshots));
      expect(plain((await rds.send(new DescribeDBClusterAutomatedBackupsCommand({}))).DBClusterAutomatedBackups)).toEqual(plain(region.automatedBackups));
      expect(plain((await rds.send(new DescribeDBClusterParameterGroupsCommand({}))).DBClusterParameterGroups)).toEqual(plain(region.parameterGroups.map((g) => g.group)));
      for (const g of region.parameterGroups) {
        const out = await rds.send(new DescribeDBClusterParametersCommand({ DBClusterParameterGroupName: g.group.DBClusterParameterGroupName }));
        expect(plain(out.Parameters)).toEqual(plain(g.parameters));
      }
      for (const s of region.snapshots) {
        const out = await rds.send(new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: s.DBClusterSnapshotIdentifier }));
        expect(plain(out.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes)).toEqual(plain(region.snapshotAttributes[s.DBClusterSnapshotIdentifier]));
      }
    });

    it(`KMS and Config shapes in ${regionName}`, async () => {
      const kms = new KMSClient(clientConfig(sb, regionName));
      for (const k of region.keys) {
        expect(plain((await kms.send(new DescribeKeyCommand({ KeyId: k.metadata.KeyId }))).KeyMetadata)).toEqual(plain(k.metadata));
        if (k.metadata.Origin === 'AWS_KMS') {
          const r = await kms.send(new GetKeyRotationStatusCommand({ KeyId: k.metadata.KeyId }));
          expect(plain({ e: r.KeyRotationEnabled, p: r.RotationPeriodInDays, n: r.NextRotationDate }))
            .toEqual(plain({ e: k.rotationEnabled, p: k.rotationPeriodInDays, n: k.nextRotationDate }));
        }
      }
      expect(plain((await kms.send(new ListAliasesCommand({}))).Aliases)).toEqual(plain(region.aliases));
      const config = new ConfigServiceClient(clientConfig(sb, regionName));
      expect(plain((await config.send(new DescribeConfigRulesCommand({}))).ConfigRules)).toEqual(plain(region.config.rules.map((r) => r.rule)));
      for (const r of region.config.rules) {
        const out = await config.send(new GetComplianceDetailsByConfigRuleCommand({ ConfigRuleName: r.rule.ConfigRuleName, Limit: 100 }));
        expect(plain(out.EvaluationResults)).toEqual(plain(r.evaluations));
      }
      expect(plain((await config.send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders)).toEqual(plain(region.config.recorders));
      expect(plain((await config.send(new DescribeConfigurationRecorderStatusCommand({}))).ConfigurationRecordersStatus)).toEqual(plain(region.config.statuses));
    });
  }
});
