// The S3 data-bucket controls read the records of `s3.buckets` (issue 22's collector). They were
// written against that collector's record contract before it existed: the contract, built from the
// installed S3 SDK's shapes as the generator builds every collector's, must still be what the
// generated record fields say, and the controls must load against those fields and run their examples.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadCatalog } from '../src/controls/load.js';
import { runExamples } from '../src/engine/examples.js';
import { COLLECTORS } from '../collectors/registry.js';
import { RECORD_FIELDS } from '../collectors/record-fields.generated.js';
// @ts-expect-error: a plain ESM script without types
import { recordTree } from '../scripts/gen-record-fields.mjs';
import { unknownFields } from '../src/controls/record-paths.js';
import { ROOT } from './helpers/cli.js';

// an SDK shape by service, as collectors/declarations.ts names them
const sdk = (shape: string) => ({ sdk: ['s3', shape] });
/** issue 22's contract for `s3.buckets` records */
const CONTRACT = recordTree({
  fields: {
    Name: 'scalar', CreationDate: 'scalar', BucketRegion: 'scalar',
    ObjectLockConfiguration: sdk('ObjectLockConfiguration'),
    Versioning: { fields: { Status: 'scalar', MFADelete: 'scalar' } },
    ServerSideEncryptionConfiguration: sdk('ServerSideEncryptionConfiguration'),
    LifecycleConfiguration: { fields: { Rules: { list: sdk('LifecycleRule') } } },
    ReplicationConfiguration: sdk('ReplicationConfiguration'),
    PublicAccessBlockConfiguration: sdk('PublicAccessBlockConfiguration'),
  },
});

const S3_CONTROLS = ['s3-data-bucket-deletion-window', 's3-data-bucket-encryption', 's3-data-bucket-residency'];

function load() {
  const catalog = loadCatalog(join(ROOT, 'controls'), {
    knownCollectors: new Set(COLLECTORS.map((c) => c.id)),
    recordFields: RECORD_FIELDS,
  });
  return { problems: catalog.problems, controls: catalog.controls.filter((c) => S3_CONTROLS.includes(c.id)) };
}

describe('S3 data-bucket controls against the s3.buckets contract', () => {
  const catalog = load();

  it('load without a problem, every path a field of the contract', () => {
    expect(catalog.problems).toEqual([]);
    expect(catalog.controls.map((c) => c.id).sort()).toEqual(S3_CONTROLS);
  });

  it('the contract holds for the collector as built: every contract path is a field of s3.buckets', () => {
    for (const path of ['ObjectLockConfiguration.Rule.DefaultRetention.Days', 'LifecycleConfiguration.Rules[].NoncurrentVersionExpiration.NoncurrentDays',
      'ServerSideEncryptionConfiguration.Rules[].ApplyServerSideEncryptionByDefault.SSEAlgorithm', 'ReplicationConfiguration.Rules[].Destination.Bucket', 'BucketRegion']) {
      expect(unknownFields(path, RECORD_FIELDS['s3.buckets']), path).toEqual([]);
    }
  });

  it('a misspelt field is caught against the contract (the check is not vacuous)', () => {
    expect(unknownFields('LifecycleConfiguration.Rules[].NoncurrentVersionExpiration.NoncurrentDays', CONTRACT)).toEqual([]);
    expect(unknownFields('LifecycleConfiguration.Rules[].NoncurrentVersionExpiration.Days', CONTRACT).map((u) => u.field)).toEqual(['Days']);
  });

  it('run their examples: pass, fail and not-applicable as written', () => {
    const results = runExamples(catalog.controls);
    expect(results.length).toBeGreaterThanOrEqual(13);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const window = results.filter((r) => r.control === 's3-data-bucket-deletion-window');
    expect(window.find((r) => r.example.startsWith('versioned bucket without'))?.reason).toMatch(/NoncurrentDays/);
    expect(window.find((r) => r.example.startsWith('Object Lock'))?.reason).toMatch(/DefaultRetention.*30/);
  });
});
