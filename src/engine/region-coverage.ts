// Claims about every region (data residency) are proven only by a run that read every region
// enabled in each account. A `--regions all` collection records the enabled regions of each
// account in the manifest (`accountRegions`, account -> regions); an enabled region with no
// collection of the control's collector for that account, or an account for which the manifest
// lists no enabled regions at all, is an ERROR finding naming what was not seen.
import type { Manifest } from '../evidence/model.js';
import type { Finding } from './results.js';
import { scopeArn } from './completeness.js';

export function unseenRegionFindings(manifest: Manifest, collector: string): Omit<Finding, 'status'>[] {
  const enabled = (manifest as Manifest & { accountRegions?: Record<string, string[]> }).accountRegions;
  const out: Omit<Finding, 'status'>[] = [];
  for (const account of manifest.accounts) {
    const collected = new Set(manifest.collections.filter((c) => c.collector === collector && c.account === account).map((c) => c.region));
    const list = enabled?.[account];
    if (!list) {
      out.push({
        resource: scopeArn(collector, account, '*'), account, region: '*', evidence: [],
        reason: `the run does not record which regions are enabled in account ${account}, so data outside the collected regions (${[...collected].sort().join(', ') || 'none'}) would go unseen; collect with --regions all`,
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
