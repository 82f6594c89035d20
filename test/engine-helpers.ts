// Builders for in-memory evidence bundles used by the engine tests and the bench.
import { createHash } from 'node:crypto';
import type { Collection, EvidenceBundle, EvidenceRecord } from '../src/evidence/model.js';

const T0 = '2026-11-28T10:00:00.000Z';

export function record(collector: string, account: string, region: string, resource: string, data: unknown): EvidenceRecord {
  const draft = {
    collector, resourceType: 'AWS::RDS::DBCluster', resource, data,
    source: { service: collector.split('.')[0]!, operation: 'Describe', parameters: {}, region, account, time: T0 },
  };
  return { ...draft, id: createHash('sha256').update(JSON.stringify(draft)).digest('hex') };
}

export function collection(collector: string, account: string, region: string, error?: { code: string; message: string }): Collection {
  return { collector, account, region, status: error ? 'error' : 'ok', ...(error ? { error } : {}), calls: 1, records: 0, startedAt: T0, endedAt: T0 };
}

export function bundle(accounts: string[], regions: string[], collections: Collection[], records: EvidenceRecord[]): EvidenceBundle {
  return {
    manifest: {
      formatVersion: 1, runId: 'run-1', tool: { name: 'trustpack', version: '0.1.0' },
      accounts, regions, startedAt: T0, endedAt: '2026-11-28T10:05:00.000Z', collections, files: [],
    },
    records,
  };
}

/** ok collections of `collector` for every account x region */
export function complete(collector: string, accounts: string[], regions: string[]): Collection[] {
  return accounts.flatMap((a) => regions.map((r) => collection(collector, a, r)));
}
