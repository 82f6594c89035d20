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

export interface Signer {
  p12: Buffer;
  passphrase: string;
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
}

/** Builds every piece the pack embeds (bundle files, results, OSCAL) and writes the PDF. */
export async function writeEvidencePack(req: PackRequest): Promise<void> {
  const { bundleFiles } = await import('../evidence/bundle.js');
  const { writePack } = await import('../report/pack.js');
  const fw = checkFramework(req.framework);
  const oscal = toOscal(req.results, req.bundle);
  const attachments = [
    ...bundleFiles(req.bundle).map((f) => ({ name: f.path, bytes: f.bytes, description: `evidence bundle: ${f.path}` })),
    { name: 'results.json', bytes: Buffer.from(JSON.stringify(req.results, null, 2) + '\n'), description: 'evaluation results (trustpack results JSON)' },
    { name: 'oscal-assessment-results.json', bytes: Buffer.from(JSON.stringify(oscal, null, 2) + '\n'), description: 'OSCAL 1.0.4 Assessment Results' },
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
      framework: fw ?? 'all',
      signingTime: req.signingTime,
      ...(req.signer ? { signer: req.signer } : {}),
      ...(req.unsigned ? { unsigned: true } : {}),
      ...(req.demoSigner ? { demoSigner: true } : {}),
    },
    req.out,
  );
}

function parseSigningTime(v: string | undefined): Date {
  if (v === undefined) return new Date();
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--signing-time: '${v}' is not an ISO 8601 time`);
  return d;
}

async function readSigner(p12File: string | undefined, passEnv: string | undefined, unsigned: boolean | undefined): Promise<Signer | undefined> {
  if (unsigned) {
    if (p12File) throw new UsageError('--unsigned and --sign-p12 contradict each other');
    return undefined;
  }
  if (!p12File) throw new UsageError('no signing key: give --sign-p12 FILE and --sign-passphrase-env VAR, or --unsigned for an unsigned pack');
  if (!passEnv) throw new UsageError('--sign-p12 needs --sign-passphrase-env VAR: the name of the environment variable holding the passphrase');
  const passphrase = process.env[passEnv];
  if (passphrase === undefined) throw new UsageError(`environment variable ${passEnv} (from --sign-passphrase-env) is not set`);
  let p12: Buffer;
  try {
    p12 = await readFile(p12File);
  } catch {
    throw new UsageError(`${p12File}: cannot read the PKCS#12 file`);
  }
  return { p12, passphrase };
}

export async function runReport(args: ProjectOptions & GateOptions & {
  evidence: string; framework: string; out?: string; signP12?: string; signPassphraseEnv?: string; signingTime?: string; unsigned?: boolean;
  /** set when a gate flag was given: the exit code then follows the results, as evaluate's does */
  gated?: boolean;
}): Promise<{ text: string; exitCode: number }> {
  const ctx = loadProjectContext(args);
  const gate = args.gated ? await loadGate(args) : undefined;
  checkFramework(args.framework);
  const signer = await readSigner(args.signP12, args.signPassphraseEnv, args.unsigned);
  const signingTime = parseSigningTime(args.signingTime);
  const { readBundle } = await import('../evidence/bundle.js');
  const bundle = await readBundle(args.evidence);
  const results = evaluateBundle(ctx, bundle, args.framework, signingTime);
  const out = args.out ?? join('reports', `evidence-pack-${bundle.manifest.runId}.pdf`);
  await writeEvidencePack({ ctx, bundle, results, framework: args.framework, out, signingTime, ...(signer ? { signer } : { unsigned: true }) });
  const s = results.summary;
  const judged = gate?.judge(results);
  for (const n of judged?.notes ?? []) args.log?.(n);
  return {
    text: `${signer ? 'signed' : 'UNSIGNED'} evidence pack: ${out}\n` +
      `${results.controls.length} controls: ${s.PASS} passed, ${s.FAIL} failed, ${s.ERROR} error, ${s.WAIVED} waived, ${s.MANUAL} manual, ${s.NOT_APPLICABLE} not applicable`,
    // without a gate flag the pack is the product: written means 0, whatever the results
    exitCode: judged?.exitCode ?? 0,
  };
}
