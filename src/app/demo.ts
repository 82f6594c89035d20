// `demo` (npm start): the whole flow on the bundled sample account, no AWS account needed.
// Starts the sandbox, points the real SDK at it, collects, evaluates, writes every output,
// signs a pack with a throwaway demo certificate, and verifies it.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../version.js';
import { render } from '../output/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { loadProjectContext, type ProjectOptions } from './project.js';
import { collectBundle } from './collect.js';
import { evaluateBundle } from './evaluate.js';
import { writeEvidencePack } from './report.js';
import { SAMPLE_FIXTURE } from './sandbox.js';
import { checkDemoFolder, demoMarkerText, DEMO_MARKER } from './output-target.js';
import { plural } from '../output/text.js';

/** what the demo writes in its --out folder; nothing else there is touched */
const DEMO_OUTPUTS = ['evidence/', 'results.json', 'results.junit.xml', 'summary.md', 'demo-signer.pem', 'evidence-pack.pdf'] as const;

export async function runDemo(o: ProjectOptions & { out: string; force?: boolean; log: (s: string) => void; tty: boolean; color: boolean }): Promise<{ text: string; exitCode: number }> {
  // before the sandbox and the collection: refuse to replace what an earlier demo did not write
  checkDemoFolder(o.out, DEMO_OUTPUTS, o.force);
  const ctx = loadProjectContext({ ...o, project: o.project ?? join(PACKAGE_ROOT, 'examples', 'sample', 'trustpack.yaml') });
  const bundle = await withSampleSandbox(new Date(), (url) => {
    o.log(`sandbox with the sample account on ${url}`);
    return collectBundle({ ...o, log: o.log, tty: o.tty }, ctx);
  });

  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  const { writeBundle } = await import('../evidence/bundle.js');
  const bundleDir = join(out, 'evidence');
  // the previous demo's bundle (checked above) is replaced only once the new one is complete
  await writeBundle(bundle, bundleDir, { overwrite: true });

  const now = new Date();
  const results = evaluateBundle(ctx, bundle, undefined, now);
  await writeFileAtomic(join(out, 'results.json'), render('json', results, { color: false }));
  await writeFileAtomic(join(out, 'results.junit.xml'), render('junit', results, { color: false }));
  await writeFileAtomic(join(out, 'summary.md'), render('markdown', results, { color: false }));

  const { makeDemoSigner } = await import('../signing/sign.js');
  const signer = makeDemoSigner({ commonName: 'trustpack demo signer', organisation: ctx.project.organisation ?? 'trustpack demo', notBefore: now });
  await writeFileAtomic(join(out, 'demo-signer.pem'), signer.certPem);
  const pack = join(out, 'evidence-pack.pdf');
  await writeEvidencePack({ ctx, bundle, results, framework: 'all', out: pack, signingTime: now, signer, demoSigner: true });

  await writeFileAtomic(join(out, DEMO_MARKER), demoMarkerText(out, DEMO_OUTPUTS));

  const { verifyPack } = await import('../verify/verify.js');
  const verified = await verifyPack(pack, { trustPem: signer.certPem });

  const rel = (p: string) => (p.startsWith(process.cwd()) ? p.slice(process.cwd().length + 1) : p);
  const table = render('table', results, { color: o.color });
  const lines = [
    table,
    '',
    `evidence bundle:  ${rel(bundleDir)}  (${plural(bundle.records.length, 'record')}, run ${bundle.manifest.runId})`,
    `results:          ${rel(join(out, 'results.json'))}, ${rel(join(out, 'results.junit.xml'))}, ${rel(join(out, 'summary.md'))}`,
    `signed pack:      ${rel(pack)}  (verify: ${verified.valid ? 'VALID' : 'INVALID: ' + verified.problems.join('; ')})`,
    `demo certificate: ${rel(join(out, 'demo-signer.pem'))}  (throwaway; try: trustpack verify ${rel(pack)} --trust ${rel(join(out, 'demo-signer.pem'))})`,
    'The sample account fails some controls on purpose: see examples/sample/README.md.',
  ];
  return { text: lines.join('\n'), exitCode: verified.valid ? 0 : 1 };
}

/**
 * Runs `fn` against a sandbox serving the sample account as it is at `now` (its dates are
 * relative), with the real SDK pointed at it; the sandbox is closed and the environment put back after.
 */
export async function withSampleSandbox<T>(now: Date, fn: (url: string) => Promise<T>): Promise<T> {
  const { startSandbox, loadFixture } = await import('../sandbox/index.js');
  const sandbox = await startSandbox({ fixture: loadFixture(SAMPLE_FIXTURE, now), port: 0 });
  // The SDK reads these itself; the sandbox ignores the (dummy) signature. They are set for the
  // collection only and put back afterwards, key by key (process.env must stay Node's own object).
  const sandboxEnv: Record<string, string | undefined> = {
    AWS_ENDPOINT_URL: sandbox.url, AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_REGION: 'us-east-1',
    AWS_PROFILE: undefined, AWS_SESSION_TOKEN: undefined,
    // a per-service endpoint from the user's shell would win over the sandbox's
    AWS_ENDPOINT_URL_RDS: undefined, AWS_ENDPOINT_URL_KMS: undefined, AWS_ENDPOINT_URL_STS: undefined, AWS_ENDPOINT_URL_CONFIG_SERVICE: undefined,
  };
  const saved = Object.fromEntries(Object.keys(sandboxEnv).map((k) => [k, process.env[k]]));
  const setEnv = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  setEnv(sandboxEnv);
  try {
    return await fn(sandbox.url);
  } finally {
    await sandbox.close();
    setEnv(saved);
  }
}
