// Waivers and attestations; then the appendix: how the evidence was collected, the hashes
// of the embedded files, and how anyone can verify the pack offline.
import { COLORS, STATUS_COLORS } from './layout.js';
import { fmtTime, type PackContext } from './context.js';
import { drawHistoryNote } from './appendix-history.js';
import { drawRunConclusionRules } from './run-criteria-pages.js';

export function drawWaivers(ctx: PackContext): void {
  const { w, input } = ctx;
  w.newPage();
  w.heading('Waivers and attestations', 1, { dest: 'waivers', outline: true });
  const waived = input.results.controls.flatMap((c) => c.findings.filter((f) => f.waiver).map((f) => ({ c, f })));
  w.heading('Waivers in force', 2);
  if (waived.length) {
    w.table(
      [
        { header: 'Control', width: 110 },
        { header: 'Resource', width: 120, font: 'mono', size: 6.5 },
        { header: 'Reason', width: 105 },
        { header: 'Approver', width: 58 },
        { header: 'Approved on', width: 50 },
        { header: 'Expires', width: 56.28 },
      ],
      // the approval date says whether the waiver was in force when the run was taken
      waived.map(({ c, f }) => ({ cells: [c.id, f.resource, f.waiver!.reason, f.waiver!.approver, f.waiver!.approvedOn ? f.waiver!.approvedOn.slice(0, 10) : 'unknown (no approved_on)', fmtTime(f.waiver!.expires)] })),
    );
  } else w.para('None.', { size: 9 });

  w.heading('Expired waivers (cover nothing)', 2);
  const expired = input.results.expiredWaivers ?? [];
  if (expired.length) {
    w.para('These waivers have expired: the findings they named are reported with their real status. Renew or remove them.', { size: 8.5, color: COLORS.muted });
    w.table(
      [
        { header: 'Control', width: 130 },
        { header: 'Resource pattern', width: 190, font: 'mono', size: 6.5 },
        { header: 'Approver', width: 90 },
        { header: 'Expired', width: 89.28 },
      ],
      expired.map((e) => ({ cells: [e.control, e.resource, e.approver, { text: fmtTime(e.expires), color: STATUS_COLORS.FAIL }] })),
    );
  } else w.para('None.', { size: 9 });

  const unmatched = (input.results.warnings ?? []).filter((x) => x.kind === 'unmatched-waiver');
  if (unmatched.length) {
    w.heading('Waivers that match nothing', 2);
    w.para('These current waivers name no resource of their control in this run, so they waive nothing. Correct or remove them.', { size: 8.5, color: COLORS.muted });
    w.table(
      [
        { header: 'Control', width: 130 },
        { header: 'Resource pattern', width: 369.28, font: 'mono', size: 6.5 },
      ],
      unmatched.map((x) => ({ cells: [x.control, x.resource] })),
    );
  }

  w.heading('Attestations', 2);
  const att = input.results.controls.filter((c) => c.attestation);
  if (att.length) {
    w.table(
      [
        { header: 'Control', width: 125 },
        { header: 'Attested by / on', width: 95 },
        { header: 'Document, sha256 and notes', width: 160 },
        { header: 'Expires', width: 60 },
        { header: 'Current', width: 59.28 },
      ],
      att.map((c) => {
        const a = c.attestation!;
        return {
          cells: [
            c.id,
            `${a.attested_by}\n${a.attested_at}`,
            { text: `${a.document}\n${a.sha256}${a.notes ? `\n${a.notes.trim()}` : ''}`, font: 'mono' as const, size: 6 },
            a.expires,
            { text: a.current ? 'yes' : 'NO (see the control)', font: 'bold' as const, color: a.current ? STATUS_COLORS.PASS : STATUS_COLORS.FAIL },
          ],
        };
      }),
    );
  } else w.para('None.', { size: 9 });
}

export function drawAppendix(ctx: PackContext): void {
  const { w, manifest: m } = ctx;
  w.newPage();
  w.heading('Appendix: how the evidence was collected', 1, { dest: 'appendix', outline: true });
  if (m) {
    if (m.caller) w.field('Caller identity', `${m.caller.arn}\naccount ${m.caller.account}${m.caller.userId ? `, user id ${m.caller.userId}` : ''}`);
    w.field('Run', m.runId, { valueFont: 'mono' });
    w.field('Collected', `${fmtTime(m.startedAt)} to ${fmtTime(m.endedAt)} by ${m.tool.name} ${m.tool.version}`);
    w.para('Each collector ran once per account and region through the AWS SDK. A control passes only when every collection it reads completed (status ok).', { size: 8.5, color: COLORS.muted });
    w.table(
      [
        { header: 'Collector', width: 128 },
        { header: 'Account', width: 66 },
        { header: 'Region', width: 58 },
        { header: 'Status', width: 64 },
        { header: 'Calls', width: 26 },
        { header: 'Records', width: 38 },
        { header: 'Started / ended', width: 119.28 },
      ],
      m.collections.map((c) => ({
        cells: [
          c.collector,
          c.account,
          c.region,
          { text: c.status === 'ok' ? 'ok' : `error: ${c.error?.code ?? ''} ${c.error?.message ?? ''}`, color: c.status === 'ok' ? STATUS_COLORS.PASS : STATUS_COLORS.ERROR },
          String(c.calls),
          String(c.records),
          `${fmtTime(c.startedAt)}\n${fmtTime(c.endedAt)}`,
        ],
      })),
    );
    drawHistoryNote(ctx);
    w.heading('Evidence files (from manifest.json)', 2);
    w.table(
      [
        { header: 'File', width: 150, font: 'mono', size: 6.5 },
        { header: 'sha256', width: 245, font: 'mono', size: 6.2 },
        { header: 'Bytes', width: 54 },
        { header: 'Records', width: 50.28 },
      ],
      m.files.map((f) => ({ cells: [f.path, f.sha256, String(f.bytes), f.records === undefined ? '' : String(f.records)] })),
    );
  } else {
    w.para('No evidence manifest was supplied with this pack.', { size: 9, color: COLORS.danger });
  }

  w.heading('Attachments embedded in this PDF', 2);
  w.table(
    [
      { header: 'Name', width: 150, font: 'mono', size: 6.5 },
      { header: 'sha256', width: 245, font: 'mono', size: 6.2 },
      { header: 'Bytes', width: 104.28 },
    ],
    ctx.attachments.map((a) => ({ cells: [a.name, a.sha256, String(a.bytes.length)] })),
  );

  drawRunConclusionRules(w);

  w.heading('How to verify this pack', 2);
  const steps = [
    ['trustpack verify pack.pdf --trust signer.pem', 'checks that one signature covers the whole file, that it verifies with the signer certificate, that the certificate path to the certificate you trust is valid (basic constraints, key usage, validity at the timestamp\'s time or now; add --intermediates for CA certificates not in the signature and --tsa-trust for the time-stamping authority of a timestamped pack), that every embedded file matches the sha256 listed in manifest.json (attested documents: the sha256 of their attestation), and that every finding points at an embedded evidence record.'],
    ['pdfsig pack.pdf', 'poppler\'s independent check: expect "Signature is Valid." and "Total document signed".'],
    ['pdfdetach -list pack.pdf', 'lists the embedded files. To extract them: mkdir records && pdfdetach -saveall pack.pdf (record files are named records/<collector>.jsonl, so the folder must exist); sha256sum of each must equal the manifest value above.'],
    ['qpdf --check pack.pdf', 'checks the PDF structure itself.'],
  ] as const;
  for (const [cmd, what] of steps) {
    w.para(cmd, { font: 'mono', size: 9, gap: 1 });
    w.para(what, { size: 8.5, indent: 14, color: COLORS.muted });
  }
  w.para('Any change to any byte after signing, including bytes appended to the file, makes the signature check fail.', { size: 8.5 });
}
