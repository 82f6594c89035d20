// `verify`: is this pack what was signed, by whom, and does its evidence match its manifest?
import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

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
  opts: { trust?: string[]; intermediates?: string[]; tsaTrust?: string[]; crl?: string[]; requireRevocation?: boolean; format: string; color: boolean },
): Promise<{ text: string; exitCode: number }> {
  const { verifyPack } = await import('../report/verify.js');
  if ((opts.crl?.length || opts.requireRevocation) && !opts.trust?.length) throw new UsageError('--crl and --require-revocation check the certificate path: give --trust too');
  const crls = await readCrls(opts.crl);
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
  const exitCode = r.valid ? 0 : 1;
  if (opts.format === 'json') return { text: JSON.stringify(r, null, 2), exitCode };
  const paint = (ok: boolean, s: string) => (opts.color ? `\u001b[${ok ? 32 : 31}m${s}\u001b[0m` : s);
  const lines = [
    `${file}: ${r.valid ? paint(true, 'VALID') : paint(false, 'INVALID')}`,
    `  signer:      ${r.signer ?? '(none)'}${r.trusted ? ' (trusted)' : opts.trust?.length ? ' (NOT trusted by --trust)' : ' (not checked: no --trust given)'}`,
    `  signed at:   ${r.signedAt ?? '(unknown)'} (claimed by the signer)`,
    `  timestamp:   ${r.timestamp ? `${r.timestamp.time ?? '(invalid)'} by ${r.timestamp.tsa ?? '?'}${r.timestamp.trusted ? ' (trusted)' : opts.tsaTrust?.length ? ' (NOT trusted by --tsa-trust)' : ' (not checked: no --tsa-trust given)'}` : '(none)'}`,
    `  whole file:  ${r.coversWholeFile ? 'signature covers the whole file' : 'NO: bytes outside the signature'}`,
    `  attachments: ${r.attachments.filter((a) => a.matchesManifest).length}/${r.attachments.length} match the manifest`,
  ];
  if (r.validatedAt) lines.push(`  validated:   certificates checked at ${r.validatedAt}${r.timestamp?.trusted ? ' (the timestamp)' : ' (now)'}`);
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  return { text: lines.join('\n'), exitCode };
}
