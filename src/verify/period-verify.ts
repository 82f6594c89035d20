// What plain `verify` checks inside a period pack (no archive needed): each attached run
// manifest hashes to the sha256 in its name, period.json and history.json agree on the runs,
// and every run period.json lists is attached.
import { createHash } from 'node:crypto';
import { BUNDLE_ATTACHMENT, HISTORY_ATTACHMENT, PERIOD_ATTACHMENT, bundleAttachmentName, type PeriodRunRef } from '../pack/contract.js';

export interface PeriodFile {
  period: { start: string; end: string };
  archive: { location: string; head: { n: number; sha256: string } };
  runs: PeriodRunRef[];
}

export const isPeriodPack = (files: Map<string, Buffer>) => files.has(PERIOD_ATTACHMENT);

/** Problems found among a period pack's attachments (empty when they agree). */
export function checkPeriodAttachments(files: Map<string, Buffer>): { problems: string[]; period?: PeriodFile } {
  const problems: string[] = [];
  for (const [name, bytes] of files) {
    const m = BUNDLE_ATTACHMENT.exec(name);
    if (m && createHash('sha256').update(bytes).digest('hex') !== m[1]) problems.push(`attachment ${name} does not hash to the sha256 in its name (the manifest was altered)`);
  }
  let period: PeriodFile | undefined;
  try {
    period = JSON.parse(files.get(PERIOD_ATTACHMENT)!.toString('utf8')) as PeriodFile;
  } catch {
    problems.push(`${PERIOD_ATTACHMENT} is not readable JSON`);
    return { problems };
  }
  for (const r of period.runs ?? []) {
    if (!files.has(bundleAttachmentName(r.bundle))) problems.push(`${PERIOD_ATTACHMENT} lists run ${r.runId} (bundle ${r.bundle}), whose manifest is not attached`);
  }
  const history = files.get(HISTORY_ATTACHMENT);
  if (!history) problems.push(`no ${HISTORY_ATTACHMENT} attached`);
  else {
    try {
      const h = JSON.parse(history.toString('utf8')) as { runs?: { id: string }[] };
      const a = (h.runs ?? []).map((r) => r.id).sort().join(',');
      const b = (period.runs ?? []).map((r) => r.runId).sort().join(',');
      if (a !== b) problems.push(`${HISTORY_ATTACHMENT} and ${PERIOD_ATTACHMENT} name different runs`);
    } catch {
      problems.push(`${HISTORY_ATTACHMENT} is not readable JSON`);
    }
  }
  return { problems, period };
}
