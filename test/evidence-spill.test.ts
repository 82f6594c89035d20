// Records streamed to disk (`collect --out`): batched writes hashed as they go must give the
// bundle readBundle accepts, byte for byte what one write per collection gave.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toRecord, recordLine } from '../src/evidence/canonical.js';
import { assembleBundle } from '../src/evidence/assemble.js';
import { readBundle } from '../src/evidence/bundle.js';
import { RecordSpill } from '../src/evidence/spill.js';
import type { Collection, EvidenceRecord } from '../src/evidence/model.js';

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

const at = '2026-01-01T00:00:00.000Z';
const record = (collector: string, i: number, pad = 0): EvidenceRecord => toRecord({
  collector, resourceType: 'AWS::RDS::DBCluster', resource: `arn:aws:rds:eu-west-1:111111111111:cluster:c${i}`,
  source: { service: 'rds', operation: 'DescribeDBClusters', parameters: {}, region: 'eu-west-1', account: '111111111111', time: at },
  // non-ASCII text: the bytes hashed must be the UTF-8 bytes written
  data: { DBClusterIdentifier: `c${i}`, Note: `é€ ${'x'.repeat(pad)}` },
});

describe('RecordSpill', () => {
  it('writes every collection in order, in batches, with each file hashed as written', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'trustpack-spill-'));
    dirs.push(tmp);
    const spill = new RecordSpill(join(tmp, '.b.tmp'));
    const collections: Collection[] = [];
    const expected = new Map<string, EvidenceRecord[]>();
    // ~600 KB in one file over 40 appends: several flushes, the last one at finish()
    for (let c = 0; c < 40; c++) {
      const recs = Array.from({ length: 5 }, (_, i) => record('rds.db-clusters', c * 5 + i, 3000));
      await spill.append('rds.db-clusters', recs);
      expected.set('rds.db-clusters', [...(expected.get('rds.db-clusters') ?? []), ...recs]);
      collections.push({ collector: 'rds.db-clusters', account: '111111111111', region: 'eu-west-1', status: 'ok', calls: 1, records: 5, startedAt: at, endedAt: at });
    }
    const small = [record('kms.keys', 1)];
    await spill.append('kms.keys', small);
    collections.push({ collector: 'kms.keys', account: '111111111111', region: 'eu-west-1', status: 'ok', calls: 1, records: 1, startedAt: at, endedAt: at });
    // a collector that ran fine and found nothing still gets its (empty) file
    collections.push({ collector: 'rds.global-clusters', account: '111111111111', region: 'global', status: 'ok', calls: 1, records: 0, startedAt: at, endedAt: at });
    const { manifest } = assembleBundle({
      runId: 'r', toolVersion: '0.0.0', collectorOrder: ['sts.caller-identity', 'rds.db-clusters', 'rds.global-clusters', 'kms.keys'],
      accounts: ['111111111111'], regions: ['eu-west-1'], allRegions: false, accountRegions: new Map(), regionsNotEnabled: {},
      startedAt: new Date(0), endedAt: new Date(1000), collections, records: [], notices: [], pacing: {}, spilled: true,
    });
    const written = await spill.finish(manifest, join(tmp, 'bundle'));

    const big = await readFile(join(tmp, 'bundle', 'records', 'rds.db-clusters.jsonl'));
    expect(big.toString('utf8')).toBe(expected.get('rds.db-clusters')!.map((r) => `${recordLine(r)}\n`).join(''));
    expect(big.length).toBeGreaterThan(512 * 1024);
    for (const f of written.files) {
      const bytes = await readFile(join(tmp, 'bundle', f.path));
      expect({ path: f.path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length }).toEqual({ path: f.path, sha256: f.sha256, bytes: f.bytes });
    }
    expect(written.files.map((f) => [f.path, f.records])).toEqual([
      ['records/kms.keys.jsonl', 1], ['records/rds.db-clusters.jsonl', 200], ['records/rds.global-clusters.jsonl', 0],
    ]);
    // readBundle checks every file against the manifest and every record against its id
    const bundle = await readBundle(join(tmp, 'bundle'));
    expect(bundle.records.map((r) => r.id).sort()).toEqual([...expected.get('rds.db-clusters')!, ...small].map((r) => r.id).sort());
  });
});
