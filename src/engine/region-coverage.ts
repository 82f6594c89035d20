// Claims about every region (data residency) are proven only by a run that read every region
// enabled in each account. A `--regions all` collection records the enabled regions of each
// account in the manifest (`accountRegions`, account -> regions); the engine then judges every
// control over those regions (completeness.ts), so an enabled region with no collection is
// already an ERROR finding of its own, naming the region. What is left here: an account for which
// the manifest lists no enabled regions at all, where the run cannot know what it did not see.
import type { Manifest } from '../evidence/model.js';
import type { Finding } from './results.js';
import { scopeArn } from './completeness.js';

export function unseenRegionFindings(manifest: Manifest, collector: string): Omit<Finding, 'status'>[] {
  const enabled = manifest.accountRegions;
  const out: Omit<Finding, 'status'>[] = [];
  for (const account of manifest.accounts) {
    if (enabled?.[account]) continue;
    const collected = new Set(manifest.collections.filter((c) => c.collector === collector && c.account === account).map((c) => c.region));
    out.push({
      resource: scopeArn(collector, account, '*'), account, region: '*', evidence: [],
      reason: `the run does not record which regions are enabled in account ${account}, so data outside the collected regions (${[...collected].sort().join(', ') || 'none'}) would go unseen; collect with --regions all`,
    });
  }
  return out;
}
