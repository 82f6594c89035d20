// `report`: evidence bundle -> evaluated results -> signed PDF evidence pack.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvidenceBundle } from '../evidence/model.js';
import type { Results } from '../engine/results.js';
import { computeCoverage } from '../engine/coverage.js';
import { toOscal } from '../output/oscal.js';
import { loadProjectContext, type ProjectContext, type ProjectOptions } from './project.js';
import { evaluateBundle } from './evaluate.js';
import { loadGate, type GateOptions } from './gates.js';
import { checkFramework } from './list.js';
import { UsageError } from './errors.js';
import { checkOutputTarget } from './output-target.js';
import { projectLogo } from './logo.js';
import type { PackInput } from '../report/types.js';

import type { SignerInput } from '../signing/sign.js';

export type Signer = SignerInput;

/** The signing flags of `report` (and of any command that writes a pack). */
export interface SigningOptions {
  signP12?: string;
  signPassphraseEnv?: string;
  signKmsKey?: string;
  signCert?: string;
  crl?: string[];
  tsaUrl?: string;
  unsigned?: boolean;
  profile?: string;
}

export interface PackRequest {
  ctx: ProjectContext;
  bundle: EvidenceBundle;
  results: Results;
  framework: string;
  out: string;
  signingTime: Date;
  signer?: Signer;
  unsigned?: boolean;
  demoSigner?: boolean;
  /** the project's logo, already read and checked (projectLogo) */
  logo?: Buffer;
  /** embed the attested documents (pentest report, policies) the results name */
  attachAttestations?: boolean;
  /** more files to embed (the evidence browser's HTML) */
  extraAttachments?: { name: string; bytes: Buffer; description: string }[];
}

/**
 * The documents behind the attestations the results considered, read from the attestations
 * file's folder: each attestation marked `attach: true`, and with --attach-attestations every one;
 * never a provider's report under an inherited control (its sha256 is printed, the report is the
 * provider's to share). A URL document is embedded through its held `copy`. Each must still hash
 * to what was attested (else exit 2: the pack would embed a document other than the one attested).
 */
async function attestationAttachments(req: PackRequest): Promise<{ name: string; bytes: Buffer; description: string }[]> {
  const { attestationAttachmentName, attestationDocumentPath } = await import('../pack/contract.js');
  const { createHash } = await import('node:crypto');
  const { resolve, isAbsolute } = await import('node:path');
  const out = new Map<string, { name: string; bytes: Buffer; description: string }>();
  for (const c of req.results.controls) {
    const a = c.attestation;
    if (!a || c.kind === 'inherited') continue;
    if (!a.attach && !req.attachAttestations) continue;
    const flag = a.attach ? `attach: true (${c.id})` : '--attach-attestations';
    const path = attestationDocumentPath(a);
    const name = attestationAttachmentName(path);
    if (out.has(name)) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) throw new UsageError(`${flag}: the document of ${c.id} is a URL (${a.document}) with no held copy; only local files can be embedded (name the copy: copy: FILE)`);
    if (!req.ctx.attestationBaseDir && !isAbsolute(path)) throw new UsageError(`${flag}: the project names no attestations file to find the documents from`);
    const file = isAbsolute(path) ? path : resolve(req.ctx.attestationBaseDir!, path);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      throw new UsageError(`${flag}: cannot read ${file}, the document attested for ${c.id}`);
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== a.sha256.toLowerCase()) throw new UsageError(`${flag}: ${file} has sha256 ${sha}, but the attestation for ${c.id} records ${a.sha256}`);
    out.set(name, { name, bytes, description: `attested document for ${c.id} (sha256 ${sha}, attested by ${a.attested_by} on ${a.attested_at})` });
  }
  return [...out.values()];
}

/** Builds every piece the pack embeds (bundle files, results, OSCAL) and writes the PDF. */
export async function writeEvidencePack(req: PackRequest): Promise<void> {
  const { bundleFiles } = await import('../evidence/bundle.js');
  const { writePack } = await import('../report/pack.js');
  const { evidenceSource } = await import('./period-criteria.js');
  const fw = checkFramework(req.framework);
  // the report never reads the collector registry: the API calls behind each control are named here
  const byId = new Map(req.ctx.controls.map((c) => [c.id, c]));
  const evidenceSources = Object.fromEntries(req.results.controls.map((r) => [r.id, evidenceSource(byId.get(r.id), r)]));
  for (const c of req.ctx.controls) if (!(c.id in evidenceSources)) evidenceSources[c.id] = evidenceSource(c, undefined);
  const oscal = toOscal(req.results, req.bundle);
  const attachments = [
    ...bundleFiles(req.bundle).map((f) => ({ name: f.path, bytes: f.bytes, description: `evidence bundle: ${f.path}` })),
    { name: 'results.json', bytes: Buffer.from(JSON.stringify(req.results, null, 2) + '\n'), description: 'evaluation results (trustpack results JSON)' },
    { name: 'oscal-assessment-results.json', bytes: Buffer.from(JSON.stringify(oscal, null, 2) + '\n'), description: 'OSCAL 1.0.4 Assessment Results' },
    ...(await attestationAttachments(req)),
    ...(req.extraAttachments ?? []),
  ];
  await writePack(
    {
      results: req.results,
      controls: req.ctx.controls,
      frameworks: req.ctx.frameworks,
      coverage: computeCoverage(req.ctx.controls, req.ctx.frameworks, fw),
      oscal,
      attachments,
      ...(req.ctx.project.organisation ? { organisation: req.ctx.project.organisation } : {}),
      ...auditorFacts(req),
      framework: fw ?? 'all',
      evidenceSources,
      signingTime: req.signingTime,
      ...(req.signer ? { signer: req.signer } : {}),
      ...(req.unsigned ? { unsigned: true } : {}),
      ...(req.demoSigner ? { demoSigner: true } : {}),
    },
    req.out,
  );
}

/** What trustpack.yaml says for the auditor: the system, the preparer and reviewer, the logo. */
function auditorFacts(req: PackRequest): Pick<PackInput, 'system' | 'preparer' | 'reviewer' | 'logo'> {
  const p = req.ctx.project;
  const logo = req.logo ?? projectLogo(req.ctx);
  return {
    ...(p.system ? { system: p.system } : {}),
    ...(p.preparer ? { preparer: p.preparer } : {}),
    ...(p.reviewer ? { reviewer: p.reviewer } : {}),
    ...(logo ? { logo } : {}),
  };
}

export function parseSigningTime(v: string | undefined): Date {
  if (v === undefined) return new Date();
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--signing-time: '${v}' is not an ISO 8601 time`);
  return d;
}

async function readFileOr(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch {
    throw new UsageError(`${file}: cannot read the ${what}`);
  }
}

export async function readSigner(o: SigningOptions): Promise<Signer | undefined> {
  if (o.unsigned) {
    if (o.signP12 || o.signKmsKey) throw new UsageError(`--unsigned and ${o.signP12 ? '--sign-p12' : '--sign-kms-key'} contradict each other`);
    return undefined;
  }
  if (o.signP12 && o.signKmsKey) throw new UsageError('--sign-p12 and --sign-kms-key contradict each other: give one signing key');
  let signer: Signer;
  if (o.signKmsKey) {
    if (!o.signCert) throw new UsageError('--sign-kms-key needs --sign-cert CERT.pem: the certificate issued for that key (its chain may follow in the same file)');
    const certPem = (await readFileOr(o.signCert, 'signing certificate')).toString('utf8');
    const [{ kmsSigningKey }, { kmsSigningApi }] = await Promise.all([import('../signing/kms-signer.js'), import('./kms-client.js')]);
    signer = { remote: { certPem, key: await kmsSigningKey(o.signKmsKey, kmsSigningApi(o.profile ? { profile: o.profile } : {})) } };
    // the certificate must be for this key: found out before anything is rendered
    const { checkSigner } = await import('../signing/sign.js');
    await checkSigner(signer);
  } else {
    if (!o.signP12) throw new UsageError('no signing key: give --sign-p12 FILE and --sign-passphrase-env VAR, --sign-kms-key ARN and --sign-cert CERT.pem, or --unsigned for an unsigned pack');
    if (o.signCert) throw new UsageError('--sign-cert goes with --sign-kms-key; a PKCS#12 file carries its own certificate');
    if (!o.signPassphraseEnv) throw new UsageError('--sign-p12 needs --sign-passphrase-env VAR: the name of the environment variable holding the passphrase');
    const passphrase = process.env[o.signPassphraseEnv];
    if (passphrase === undefined) throw new UsageError(`environment variable ${o.signPassphraseEnv} (from --sign-passphrase-env) is not set`);
    signer = { p12: await readFileOr(o.signP12, 'PKCS#12 file'), passphrase };
  }
  if (o.crl?.length) signer.crls = await Promise.all(o.crl.map((f) => readFileOr(f, 'revocation list (--crl)')));
  if (o.tsaUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(o.tsaUrl);
    } catch {
      throw new UsageError(`--tsa-url: '${o.tsaUrl}' is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--tsa-url: '${o.tsaUrl}' is not an http(s) URL`);
    signer.tsaUrl = url.toString();
  }
  return signer;
}

export async function runReport(args: ProjectOptions & SigningOptions & GateOptions & {
  evidence: string; framework: string; out?: string; signingTime?: string; attachAttestations?: boolean; force?: boolean;
  /** `--html FILE`: the evidence browser; without --out it is the only file written */
  html?: string; htmlMaxRecords?: string;
  /** set when a gate flag was given: the exit code then follows the results, as evaluate's does */
  gated?: boolean;
}): Promise<{ text: string; exitCode: number }> {
  if (args.out) checkOutputTarget({ path: args.out, kind: 'file', option: '--out' }, args.force);
  if (args.html) checkOutputTarget({ path: args.html, kind: 'file', option: '--html' }, args.force);
  const { parseRecordCap } = await import('./html.js');
  const recordCap = parseRecordCap(args.htmlMaxRecords);
  const pdfWanted = !args.html || args.out !== undefined;
  const ctx = loadProjectContext(args);
  // without an attestations file nothing could be embedded: a pack silently without the
  // documents the user asked for would look complete
  if (args.attachAttestations && !ctx.project.attestations) {
    throw new UsageError('--attach-attestations: the project names no attestations file (attestations: in trustpack.yaml), so there is no attested document to embed; pass --project with one');
  }
  const gate = args.gated ? await loadGate(args) : undefined;
  checkFramework(args.framework);
  const logo = projectLogo(ctx); // a bad logo is refused before the bundle is read
  // the HTML alone needs no signing key: only the PDF is signed
  const signer = pdfWanted ? await readSigner(args) : undefined;
  const signingTime = parseSigningTime(args.signingTime);
  const { readBundle } = await import('../evidence/bundle.js');
  const bundle = await readBundle(args.evidence);
  const results = evaluateBundle(ctx, bundle, args.framework, signingTime);
  const written: string[] = [];
  let htmlAttachment: Awaited<ReturnType<typeof import('./html.js').writeHtml>> | undefined;
  if (args.html) {
    const { runHtml, writeHtml } = await import('./html.js');
    const bytes = await runHtml({ ctx, bundle, results, framework: args.framework, ...(recordCap !== undefined ? { recordCap } : {}) });
    htmlAttachment = await writeHtml(args.html, bytes);
    written.push(`evidence browser: ${args.html} (${bytes.length} bytes)`);
  }
  if (pdfWanted) {
    const out = args.out ?? join('reports', `evidence-pack-${bundle.manifest.runId}.pdf`);
    if (!args.out) checkOutputTarget({ path: out, kind: 'file', option: '--out' }, args.force);
    await writeEvidencePack({ ctx, bundle, results, framework: args.framework, out, signingTime, ...(signer ? { signer } : { unsigned: true }), ...(logo ? { logo } : {}), ...(args.attachAttestations ? { attachAttestations: true } : {}), ...(htmlAttachment ? { extraAttachments: [htmlAttachment] } : {}) });
    written.unshift(`${signer ? 'signed' : 'UNSIGNED'} evidence pack: ${out}${htmlAttachment ? ' (the evidence browser embedded)' : ''}`);
  }
  const s = results.summary;
  const judged = gate?.judge(results);
  for (const n of judged?.notes ?? []) args.log?.(n);
  return {
    text: written.join('\n') + '\n' +
      `${results.controls.length} controls: ${s.PASS} passed, ${s.FAIL} failed, ${s.ERROR} error, ${s.WAIVED} waived, ${s.MANUAL} manual, ${s.NOT_APPLICABLE} not applicable`,
    // without a gate flag the pack is the product: written means 0, whatever the results
    exitCode: judged?.exitCode ?? 0,
  };
}
