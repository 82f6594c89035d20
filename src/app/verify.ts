// `verify`: is this pack what was signed, by whom, and does its evidence match its manifest?
import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';
import type { PrintedAttestation } from '../verify/verify.js';

/** The concatenated PEM text of certificate files (each may be a bundle of several). */
async function readPems(files: string[] | undefined, what: string): Promise<string | undefined> {
  if (!files || files.length === 0) return undefined;
  const texts: string[] = [];
  for (const f of files) {
    try {
      texts.push(await readFile(f, 'utf8'));
    } catch {
      throw new UsageError(`${f}: cannot read the ${what} certificate file`);
    }
  }
  return texts.join('\n');
}

interface HtmlCheck {
  file: string;
  sha256: string;
  attachment: string;
  /** the embedded copy's sha256; null when the pack embeds none */
  attachmentSha256: string | null;
  identical: boolean;
}

async function readHtml(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch {
    throw new UsageError(`${file}: cannot read the HTML file (--html)`);
  }
}

/** `verify --html FILE`: only the copy inside the signed pack is covered by the signature. */
async function checkHtml(file: string, bytes: Buffer, attachments: { name: string; sha256: string }[]): Promise<HtmlCheck> {
  const { createHash } = await import('node:crypto');
  const { HTML_ATTACHMENT } = await import('../report/html/page.js');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const att = attachments.find((a) => a.name === HTML_ATTACHMENT && a.sha256 !== '');
  return { file, sha256, attachment: HTML_ATTACHMENT, attachmentSha256: att?.sha256 ?? null, identical: att?.sha256 === sha256 };
}

interface AttestationCheck {
  file: string;
  sha256: string;
  /** the attestations of the pack whose printed sha256 is this file's */
  matches: { control: string; document: string; attested_by: string; attested_at: string; attachment: string | null }[];
  matched: boolean;
}

/** `--attestation FILE`: each file read whole before the pack (unreadable: exit 2), hashed. */
async function readAttestationCopies(files: string[] | undefined): Promise<{ file: string; sha256: string }[]> {
  const { createHash } = await import('node:crypto');
  const out: { file: string; sha256: string }[] = [];
  for (const f of files ?? []) {
    let bytes: Buffer;
    try {
      bytes = await readFile(f);
    } catch {
      throw new UsageError(`${f}: cannot read the attested document (--attestation)`);
    }
    out.push({ file: f, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return out;
}

/**
 * An auditor's copy against the sha256 the pack prints for each attested document (results.json
 * inside the signed pack, the same value the control page shows): a match names the control(s).
 */
function checkAttestations(copies: { file: string; sha256: string }[], printed: PrintedAttestation[]): AttestationCheck[] {
  return copies.map((c) => {
    const matches = printed.filter((a) => a.sha256 === c.sha256)
      .map((a) => ({ control: a.control, document: a.document, attested_by: a.attested_by, attested_at: a.attested_at, attachment: a.attachment }));
    return { file: c.file, sha256: c.sha256, matches, matched: matches.length > 0 };
  });
}

/** --crl files (PEM or DER), each read whole; an unreadable file or a PEM without a CRL is bad input (exit 2). */
async function readCrls(files: string[] | undefined): Promise<Buffer[]> {
  const { crlDers } = await import('../verify/revocation.js');
  const read: { name: string; bytes: Buffer }[] = [];
  for (const f of files ?? []) {
    try {
      read.push({ name: f, bytes: await readFile(f) });
    } catch {
      throw new UsageError(`${f}: cannot read the CRL file (--crl)`);
    }
  }
  const { ders, problems } = crlDers(read);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return ders;
}

export async function runVerify(
  file: string,
  opts: {
    trust?: string[]; intermediates?: string[]; tsaTrust?: string[]; crl?: string[]; requireRevocation?: boolean; archive?: string;
    format: string; color: boolean; html?: string; attestation?: string[];
  },
): Promise<{ text: string; exitCode: number }> {
  if ((opts.crl?.length || opts.requireRevocation) && !opts.trust?.length) throw new UsageError('--crl and --require-revocation check the certificate path: give --trust too');
  const crls = await readCrls(opts.crl);
  // read before the pack: an unreadable FILE is bad input (2), whatever the pack holds
  const htmlBytes = opts.html !== undefined ? await readHtml(opts.html) : undefined;
  const copies = await readAttestationCopies(opts.attestation);
  const { verifyPack } = await import('../verify/verify.js');
  const trustPem = await readPems(opts.trust, 'trusted');
  const intermediatesPem = await readPems(opts.intermediates, 'intermediate');
  const tsaTrustPem = await readPems(opts.tsaTrust, 'TSA trust');
  const r = await verifyPack(file, {
    ...(trustPem !== undefined ? { trustPem } : {}),
    ...(intermediatesPem !== undefined ? { intermediatesPem } : {}),
    ...(tsaTrustPem !== undefined ? { tsaTrustPem } : {}),
    ...(crls.length > 0 ? { crls } : {}),
    ...(opts.requireRevocation ? { requireRevocation: true } : {}),
  });
  let html: HtmlCheck | undefined;
  if (htmlBytes && opts.html !== undefined) {
    html = await checkHtml(opts.html, htmlBytes, r.attachments);
    if (!html.identical) {
      r.problems.push(html.attachmentSha256
        ? `${opts.html} is not the evidence browser signed into the pack (sha256 ${html.sha256}, the attachment's ${html.attachmentSha256})`
        : `the pack embeds no evidence browser (${html.attachment}) to compare ${opts.html} with`);
    }
  }
  const attested = copies.length > 0 ? checkAttestations(copies, r.attestations) : undefined;
  for (const a of attested ?? []) {
    if (!a.matched) {
      r.problems.push(r.attestations.length > 0
        ? `${a.file} (sha256 ${a.sha256}) is not a document this pack attests: it prints ${[...new Set(r.attestations.map((p) => p.sha256))].join(', ')}`
        : `${a.file}: the pack names no attested document to compare it with`);
    }
  }
  // a period pack against its archive (`--archive`): its runs must match their entries
  const archive = opts.archive ? { location: opts.archive, ...(await archiveCheck(file, opts.archive)) } : undefined;
  const exitCode = r.valid && !archive?.problems.length && (html?.identical ?? true) && (attested?.every((a) => a.matched) ?? true) ? 0 : 1;
  if (opts.format === 'json') {
    const json = {
      ...r,
      ...(archive ? { valid: r.valid && archive.problems.length === 0, archive: { location: archive.location, runs: archive.checked, problems: archive.problems } } : {}),
      ...(html ? { html } : {}),
      ...(attested ? { attestationCopies: attested } : {}),
    };
    return { text: JSON.stringify(json, null, 2), exitCode };
  }
  const paint = (ok: boolean, s: string) => (opts.color ? `\u001b[${ok ? 32 : 31}m${s}\u001b[0m` : s);
  const lines = [
    `${file}: ${r.valid ? paint(true, 'VALID') : paint(false, 'INVALID')}`,
    `  signer:      ${r.signer ?? '(none)'}${r.trusted ? ' (trusted)' : opts.trust?.length ? ' (NOT trusted by --trust)' : ' (not checked: no --trust given)'}`,
    `  signed at:   ${r.signedAt ?? '(unknown)'} (claimed by the signer)`,
    `  timestamp:   ${r.timestamp ? `${r.timestamp.time ?? '(invalid)'} by ${r.timestamp.tsa ?? '?'}${r.timestamp.trusted ? ' (trusted)' : opts.tsaTrust?.length ? ' (NOT trusted by --tsa-trust)' : ' (not checked: no --tsa-trust given)'}` : '(none)'}`,
    `  whole file:  ${r.coversWholeFile ? 'signature covers the whole file' : 'NO: bytes outside the signature'}`,
    `  attachments: ${r.attachments.filter((a) => a.matchesManifest).length}/${r.attachments.length} match the manifest`,
  ];
  if (html) lines.push(`  html:        ${html.identical ? paint(true, `${opts.html} is byte-identical to the embedded ${html.attachment}`) : paint(false, `${opts.html} is NOT the embedded ${html.attachment}`)}`);
  for (const a of attested ?? []) {
    lines.push(`  attestation: ${a.matched
      ? paint(true, `${a.file} matches the sha256 the pack prints for ${a.matches.map((m) => `${m.control} (${m.document}, attested by ${m.attested_by} on ${m.attested_at}${m.attachment ? `, embedded as ${m.attachment}` : ''})`).join('; ')}`)
      : paint(false, `${a.file} (sha256 ${a.sha256}) matches no attested document of the pack`)}`);
  }
  if (r.validatedAt) lines.push(`  validated:   certificates checked at ${r.validatedAt}${r.timestamp?.trusted ? ' (the timestamp)' : ' (now)'}`);
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  if (archive) {
    if (archive.problems.length === 0) lines.push(`  archive:     ${archive.checked} runs match their entries in ${archive.location}; every stored object up to the pack's head re-hashes (archive verify: intact)`);
    else lines.push(`  archive:     ${archive.problems.length} problem(s) against ${archive.location}`, ...archive.problems.map((p) => `  problem: ${p}`));
  }
  return { text: lines.join('\n'), exitCode };
}

async function archiveCheck(file: string, location: string): Promise<{ checked: number; problems: string[] }> {
  const { verifyPackAgainstArchive } = await import('./period.js');
  return verifyPackAgainstArchive(file, location);
}
