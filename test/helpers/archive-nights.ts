// Nightly runs of the sample account through the sandbox, appended to an archive: night 3 fixes
// D6 (the legacy-reporting key gets rotation), D2 (TLS not enforced) stays open, and no run
// happens on the fourth day. Used by the history and period-pack tests.
import { collectEvidence } from '../../collectors/run.js';
import { collectorsFor } from '../../src/app/collect.js';
import { appendBundle } from '../../src/app/archive.js';
import { loadProjectContext } from '../../src/app/project.js';
import { openArchive } from '../../src/archive/index.js';
import type { Fixture } from '../../src/sandbox/index.js';

export const NIGHTS = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-05', '2026-03-06'].map((d) => `${d}T02:00:00.000Z`);

export function legacyKey(fixture: Fixture) {
  const keys = fixture.accounts[0]!.regions['us-east-1']!.keys;
  const key = keys.find((k) => k.metadata.KeyManager === 'CUSTOMER' && !k.rotationEnabled);
  if (!key) throw new Error('the sample account has no customer key without rotation (D6)');
  return key;
}

export async function archiveNights(fixture: Fixture, location: string, project: string): Promise<void> {
  const ctx = loadProjectContext({ project });
  const key = legacyKey(fixture);
  const archive = await openArchive(location, { forWriting: true });
  try {
    for (const [i, night] of NIGHTS.entries()) {
      if (i === 2) {
        key.rotationEnabled = true;
        key.rotationPeriodInDays = 365;
        key.nextRotationDate = new Date('2027-03-03T00:00:00Z');
      }
      const now = new Date(night);
      const bundle = await collectEvidence({
        regions: ['us-east-1', 'eu-central-1'], collectors: collectorsFor(ctx), concurrency: 4, toolVersion: '0.1.0', now: () => now,
      });
      await appendBundle(ctx, bundle, archive, now);
    }
  } finally {
    archive.close();
  }
}
