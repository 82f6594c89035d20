// The live join collectors (rds.cluster-topology, rds.encryption-keys) run unchanged on rebuilt
// records; this wrapper keeps missing evidence missing: a source record in error becomes an
// error record of the join, and a joined resource whose key could not be rebuilt is in error
// too rather than joined with "no key".
import type { CollectContext } from '../types.js';
import type { EvidenceRecord, EvidenceRecordDraft } from '../../src/evidence/model.js';
import { dataOf, makeDraft } from '../common.js';

type Collect = (ctx: CollectContext) => AsyncIterable<EvidenceRecordDraft>;

/** `absent`: sources with no history, given to the join as empty lists. */
export function historyJoin(collector: string, join: Collect, absent: readonly string[] = []): Collect {
  return async function* (ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
    const failed = new Map<string, EvidenceRecord>();
    const clean = new Map<string, readonly EvidenceRecord[]>();
    for (const [id, records] of ctx.prior) {
      clean.set(id, records.filter((r) => {
        // a record missing only some fields (error.fields) still holds what the join reads
        const unreadable = r.error !== undefined && (r.data === null || r.data === undefined);
        if (unreadable) failed.set(r.resource, r);
        return !unreadable;
      }));
    }
    for (const id of absent) if (!clean.has(id)) clean.set(id, []);
    const keyErrors = new Map([...failed.values()].filter((r) => r.collector === 'kms.keys').map((r) => [r.resource, r]));
    for await (const d of join({ ...ctx, prior: clean })) {
      const data = dataOf({ data: d.data } as EvidenceRecord);
      const keyRef = typeof data['KmsKeyId'] === 'string' ? data['KmsKeyId'] : undefined;
      const keyFailed = keyRef && data['StorageEncrypted'] !== false && data['KeyManager'] === null
        ? keyErrors.get(keyRef) ?? [...keyErrors.values()].find((k) => keyRef.endsWith(k.resource.split('/').pop() ?? '\u0000'))
        : undefined;
      if (keyFailed?.error) {
        yield { ...d, data: null, error: { ...keyFailed.error, message: `its key ${keyRef}: ${keyFailed.error.message}` } };
        continue;
      }
      yield d;
    }
    for (const r of failed.values()) {
      if (r.collector === 'kms.keys' || !r.error) continue;
      yield { ...makeDraft(ctx, collector, {
        service: 'trustpack', operation: 'join', parameters: { join: [r.collector] }, resourceType: r.resourceType, resource: r.resource,
        data: null, derivedFrom: [r.id],
      }), error: r.error };
    }
  };
}
