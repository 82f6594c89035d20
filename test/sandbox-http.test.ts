// The sandbox at the HTTP level: routing without the SDK, unknown actions and services,
// and AssumeRole through the SDK's own credential provider (as `collect --role-arn` uses it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { RDSClient, DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { parseFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { clientConfig, NOW } from './sandbox-helpers.js';

const FILE = 'test/fixtures/sandbox/two-accounts.yaml';
const auth = (service: string, region = 'us-east-1', key = 'AKIAEXAMPLE') =>
  `AWS4-HMAC-SHA256 Credential=${key}/20260615/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`;

describe('sandbox: HTTP routing', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ fixture: parseFixture(readFileSync(FILE, 'utf8'), FILE, NOW), now: NOW });
  });
  afterAll(async () => sb.close());

  const post = (body: string, headers: Record<string, string>) => fetch(sb.url, { method: 'POST', body, headers });

  it('routes by the credential scope; the XML answer carries the RDS namespace and a request id', async () => {
    const res = await post('Action=DescribeDBClusters&Version=2014-10-31', { 'content-type': 'application/x-www-form-urlencoded', authorization: auth('rds') });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    const text = await res.text();
    expect(text).toContain('<DescribeDBClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBClustersResult><DBClusters><DBCluster>');
    expect(text).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/DescribeDBClustersResponse>$/);
    expect(text).toContain(`<RequestId>${res.headers.get('x-amzn-requestid')}</RequestId>`);
  });

  it('infers the service of unsigned requests', async () => {
    const res = await post('Action=GetCallerIdentity&Version=2011-06-15', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(await res.text()).toContain('<Account>111111111111</Account>');
    const kms = await post('{}', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' });
    expect(((await kms.json()) as { Keys: unknown[] }).Keys).toHaveLength(1);
  });

  it('an unknown action is 400 InvalidAction; an unknown JSON operation is UnknownOperationException; an unknown service is refused', async () => {
    const res = await post('Action=DeleteDBCluster&Version=2014-10-31', { 'content-type': 'application/x-www-form-urlencoded', authorization: auth('rds') });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/<ErrorResponse xmlns="[^"]+"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>Could not find operation DeleteDBCluster/);
    const json = await post('{}', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ScheduleKeyDeletion', authorization: auth('kms') });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ __type: 'UnknownOperationException' });
    // S3 is served now (the evidence archive); DynamoDB is not
    const ddb = await post('', { authorization: auth('dynamodb') });
    expect(ddb.status).toBe(400);
    expect(await ddb.text()).toContain('<Code>InvalidAction</Code>');
  });

  it('a key for an account the fixture lacks is refused, not served another account', async () => {
    const res = await post('Action=GetCallerIdentity&Version=2011-06-15', { 'content-type': 'application/x-www-form-urlencoded', authorization: auth('sts', 'us-east-1', 'ASIA999999999999SAAA') });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>InvalidClientTokenId</Code>');
  });

  it('stand-alone instances are served; AssumeRole works through fromTemporaryCredentials', async () => {
    const credentials = fromTemporaryCredentials({
      params: { RoleArn: 'arn:aws:iam::222222222222:role/trustpack-audit', RoleSessionName: 'trustpack-test' },
      masterCredentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' },
      clientConfig: { endpoint: sb.url, region: 'us-east-1' },
    });
    const rds = new RDSClient(clientConfig(sb, 'us-west-2', { credentials }));
    const { DBClusters } = await rds.send(new DescribeDBClustersCommand({}));
    expect(DBClusters?.map((c) => c.DBClusterIdentifier)).toEqual(['other-db']);
    const { DBInstances } = await rds.send(new DescribeDBInstancesCommand({}));
    expect(DBInstances?.map((i) => [i.DBInstanceIdentifier, i.AvailabilityZone, i.DBClusterIdentifier])).toEqual([['other-db-a', 'us-west-2a', 'other-db']]);
    const own = new RDSClient(clientConfig(sb, 'us-east-1'));
    const main = (await own.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'main-db' }))).DBClusters![0]!;
    expect(main.DBClusterMembers?.map((m) => [m.DBInstanceIdentifier, m.IsClusterWriter, m.PromotionTier])).toEqual([
      ['main-db-instance-1', true, 1], ['main-db-instance-2', false, 1], ['main-db-analytics', false, 15],
    ]);
    const extra = (await own.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'main-db-analytics' }))).DBInstances![0]!;
    expect(extra).toMatchObject({ AvailabilityZone: 'us-east-1c', DBInstanceClass: 'db.r6g.xlarge', KmsKeyId: main.KmsKeyId, Engine: 'aurora-postgresql' });
  });
});
