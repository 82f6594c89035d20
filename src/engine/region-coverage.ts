// Claims about every region (data residency) are proven only by a run that read every region
// enabled in each account. The manifest's `enabledRegions` (account -> regions, written by a
// `--regions all` collection) says which those are; a region it lists that the run did not
// collect, or an account for which it lists nothing, is an ERROR finding naming what was not seen.
import type { Manifest } from '../evidence/model.js';
import type { Finding } from './results.js';
import { scopeArn } from './completeness.js';

export function unseenRegionFindings(manifest: Manifest, collector: string): Omit<Finding, 'status'>[] {
  const enabled = (manifest as Manifest & { enabledRegions?: Record<string, string[]> }).enabledRegions;
  const collected = new Set(manifest.regions);
  const out: Omit<Finding, 'status'>[] = [];
  for (const account of manifest.accounts) {
    const list = enabled?.[account];
    if (!list) {
      out.push({
        resource: scopeArn(collector, account, '*'), account, region: '*', evidence: [],
        reason: `the run does not record which regions are enabled in account ${account}, so data outside the collected regions (${[...collected].sort().join(', ')}) would go unseen; collect with --regions all`,
      });
      continue;
    }
    const missing = list.filter((r) => !collected.has(r)).sort();
    if (missing.length > 0) {
      out.push({
        resource: scopeArn(collector, account, '*'), account, region: '*', evidence: [],
        reason: `enabled region(s) ${missing.join(', ')} of account ${account} were not collected, so data there would go unseen; collect with --regions all`,
      });
    }
  }
  return out;
}
