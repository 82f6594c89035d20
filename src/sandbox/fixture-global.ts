// Fixture Aurora global databases: a primary cluster of this region and secondary clusters
// named by ARN (usually in regions the fixture does not otherwise describe), as
// DescribeGlobalClusters returns them.
import type { Cursor } from './reader.js';
import { resourceToken } from './defaults.js';
import type { Region, WireObject } from './model.js';
import type { Ctx } from './fixture-context.js';

export function readGlobalCluster(c: Cursor, ctx: Ctx, region: Region): WireObject {
  c.keys(['id', 'primary', 'secondaries']);
  const id = c.str('id');
  const primaryId = c.str('primary');
  const primary = region.clusters.find((x) => x.DBClusterIdentifier === primaryId);
  if (!primary) c.fail(`unknown cluster "${primaryId}" in ${ctx.region}`, [...c.path, 'primary']);
  const secondaries = c.strings('secondaries');
  secondaries.forEach((a, i) => {
    if (!/^arn:aws:rds:[a-z0-9-]+:\d{12}:cluster:.+$/.test(a)) c.fail(`"${a}" is not a DB cluster ARN`, [...c.path, 'secondaries', i]);
  });
  primary['GlobalClusterIdentifier'] = id;
  return {
    GlobalClusterIdentifier: id,
    GlobalClusterResourceId: `cluster-${resourceToken(26, ctx.account, 'global', id).toLowerCase()}`,
    GlobalClusterArn: `arn:aws:rds::${ctx.account}:global-cluster:${id}`,
    Status: 'available',
    Engine: primary.Engine,
    EngineVersion: primary.EngineVersion,
    StorageEncrypted: primary.StorageEncrypted,
    DeletionProtection: false,
    GlobalClusterMembers: [
      { DBClusterArn: primary.DBClusterArn, Readers: secondaries, IsWriter: true, GlobalWriteForwardingStatus: 'disabled', SynchronizationStatus: 'connected' },
      ...secondaries.map((a) => ({ DBClusterArn: a, Readers: [], IsWriter: false, GlobalWriteForwardingStatus: 'disabled', SynchronizationStatus: 'connected' })),
    ],
  };
}
