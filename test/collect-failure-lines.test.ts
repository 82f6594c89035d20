// collect's summary says a repeated failure once, with where it happened: the account's global
// scope is not a region, so a denied account read in three regions is "3 regions and global".
import { describe, expect, it } from 'vitest';
import { failureLines } from '../src/app/collect.js';
import type { Collection } from '../src/evidence/model.js';

const denied = { code: 'AccessDenied', message: 'account 222222222222 unavailable (arn:aws:iam::222222222222:role/audit): denied' };
const failed = (collector: string, region: string, error = denied): Collection =>
  ({ collector, account: '222222222222', region, status: 'error', error, calls: 0, records: 0, startedAt: '', endedAt: '' });

describe('failureLines', () => {
  it('counts the regions of a denied account apart from its global scope', () => {
    const rows = [failed('s3.buckets', 'global'), failed('cloudfront.distributions', 'global'),
      ...['eu-west-1', 'eu-central-1', 'us-east-1'].flatMap((r) => [failed('rds.db-clusters', r), failed('kms.keys', r)])];
    expect(failureLines(rows)).toEqual([
      `  222222222222 3 regions and global 4 collectors: AccessDenied: ${denied.message} (x8 collections)`,
    ]);
  });

  it('names a single region, a single region with global, and global alone', () => {
    expect(failureLines([failed('rds.db-clusters', 'eu-west-1'), failed('kms.keys', 'eu-west-1')])[0]).toContain(' eu-west-1 kms.keys, rds.db-clusters: ');
    expect(failureLines([failed('s3.buckets', 'global'), failed('kms.keys', 'eu-west-1')])[0]).toContain(' eu-west-1 and global kms.keys, s3.buckets: ');
    expect(failureLines([failed('s3.buckets', 'global'), failed('cloudfront.distributions', 'global')])[0]).toContain(' global cloudfront.distributions, s3.buckets: ');
    expect(failureLines([failed('rds.db-clusters', 'eu-west-1'), failed('rds.db-clusters', 'us-east-1')])[0]).toContain(' 2 regions rds.db-clusters: ');
  });
});
