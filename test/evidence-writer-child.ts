// Child process for test/evidence-bundle.test.ts: writes a bundle and, after its first file,
// tells the parent and waits to be killed, so the test can kill a write half-way.
import { writeBundle } from '../src/evidence/bundle.js';
import { toRecord } from '../src/evidence/canonical.js';
import type { EvidenceBundle } from '../src/evidence/model.js';

const dir = process.argv[2]!;
const records = Array.from({ length: 50 }, (_, i) => toRecord({
  collector: i % 2 ? 'rds.db-clusters' : 'rds.db-instances',
  source: { service: 'rds', operation: 'Describe', parameters: {}, region: 'us-east-1', account: '111122223333', time: '2026-11-28T00:00:00.000Z' },
  resourceType: 'AWS::RDS::DBCluster', resource: `arn:aws:rds:us-east-1:111122223333:cluster:c${i}`, data: { i },
}));
const bundle: EvidenceBundle = {
  manifest: {
    formatVersion: 1, runId: 'r', tool: { name: 'trustpack', version: '0' }, accounts: ['111122223333'], regions: ['us-east-1'],
    startedAt: '2026-11-28T00:00:00.000Z', endedAt: '2026-11-28T00:00:01.000Z', collections: [], files: [],
  },
  records,
};
await writeBundle(bundle, dir, {
  onFileWritten: async () => {
    process.stdout.write('written\n');
    await new Promise(() => { /* wait for SIGKILL */ });
  },
});
