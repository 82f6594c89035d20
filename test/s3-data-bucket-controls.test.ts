// The S3 data-bucket controls (controls/awaiting-s3-buckets/) read the records of `s3.buckets`,
// the collector issue 22 builds in parallel. Until it exists they are validated here against that
// issue's record contract, built from the installed S3 SDK's shapes as the generator builds every
// collector's (scripts/gen-record-fields.mjs), and their examples are run.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, copyFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/controls/load.js';
import { runExamples } from '../src/engine/examples.js';
import { COLLECTORS } from '../collectors/registry.js';
import { RECORD_FIELDS } from '../collectors/record-fields.generated.js';
// @ts-expect-error: a plain ESM script without types
import { recordTree } from '../scripts/gen-record-fields.mjs';
import { unknownFields } from '../src/controls/record-paths.js';
import { ROOT } from './helpers/cli.js';

const S3 = '@aws-sdk/client-s3';
const sdk = (shape: string) => ({ sdk: [S3, shape] });
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

function load() {
  const dir = mkdtempSync(join(tmpdir(), 'trustpack-s3-controls-'));
  const pending = join(ROOT, 'controls', 'awaiting-s3-buckets');
  for (const f of readdirSync(pending).filter((n) => n.endsWith('.yaml'))) copyFileSync(join(pending, f), join(dir, f));
  symlinkSync(join(ROOT, 'controls', 'frameworks'), join(dir, 'frameworks'));
  try {
    return loadCatalog(dir, {
      knownCollectors: new Set([...COLLECTORS.map((c) => c.id), 's3.buckets']),
      recordFields: { ...RECORD_FIELDS, 's3.buckets': CONTRACT },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('S3 data-bucket controls against the s3.buckets contract', () => {
  const catalog = load();

  it('load without a problem, every path a field of the contract', () => {
    expect(catalog.problems).toEqual([]);
    expect(catalog.controls.map((c) => c.id)).toEqual(['s3-data-bucket-deletion-window', 's3-data-bucket-encryption', 's3-data-bucket-residency']);
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
