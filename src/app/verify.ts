// `verify`: is this pack what was signed, by whom, and does its evidence match its manifest?
import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

export async function runVerify(file: string, opts: { trust?: string; format: string; color: boolean }): Promise<{ text: string; exitCode: number }> {
  const { verifyPack } = await import('../report/verify.js');
  let trustPem: string | undefined;
  if (opts.trust) {
    try {
      trustPem = await readFile(opts.trust, 'utf8');
    } catch {
      throw new UsageError(`${opts.trust}: cannot read the trusted certificate file`);
    }
  }
  const r = await verifyPack(file, trustPem ? { trustPem } : {});
  const exitCode = r.valid ? 0 : 1;
  if (opts.format === 'json') return { text: JSON.stringify(r, null, 2), exitCode };
  const paint = (ok: boolean, s: string) => (opts.color ? `\u001b[${ok ? 32 : 31}m${s}\u001b[0m` : s);
  const lines = [
    `${file}: ${r.valid ? paint(true, 'VALID') : paint(false, 'INVALID')}`,
    `  signer:      ${r.signer ?? '(none)'}${r.trusted ? ' (trusted)' : opts.trust ? ' (NOT trusted by --trust)' : ' (not checked: no --trust given)'}`,
    `  signed at:   ${r.signedAt ?? '(unknown)'}`,
    `  whole file:  ${r.coversWholeFile ? 'signature covers the whole file' : 'NO: bytes outside the signature'}`,
    `  attachments: ${r.attachments.filter((a) => a.matchesManifest).length}/${r.attachments.length} match the manifest`,
  ];
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  return { text: lines.join('\n'), exitCode };
}
