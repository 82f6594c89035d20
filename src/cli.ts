// The command line: parses arguments, calls the modules below, prints, and exits.
// It is the only module that writes to stdout/stderr or calls process.exit.
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from './version.js';
import { UsageError } from './app/errors.js';

const FORMATS = ['table', 'json', 'junit', 'csv', 'markdown', 'oscal'] as const;
type Format = (typeof FORMATS)[number];

function defaultFormat(): Format {
  return process.stdout.isTTY ? 'table' : 'json';
}

function useColor(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

function splitList(value: string, previous: string[] = []): string[] {
  return previous.concat(value.split(',').map((s) => s.trim()).filter(Boolean));
}

function collectRepeat(value: string, previous: string[] = []): string[] {
  return previous.concat(value);
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

function err(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

const program = new Command();
program
  .name('trustpack')
  .description('Turn public security promises into evidence an auditor accepts: controls as code, AWS evidence, signed PDF packs.')
  .version(VERSION, '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  .option('--project <file>', 'project file (default: ./trustpack.yaml when present)')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const formatOption = (allowed: readonly string[] = FORMATS) =>
  new Option('--format <format>', `output format (default: table on a terminal, else json)`).choices(allowed as string[]);

function projectOpts(cmd: Command): { project?: string; controls?: string } {
  const o = cmd.optsWithGlobals() as { project?: string; controls?: string };
  return { ...(o.project ? { project: o.project } : {}), ...(o.controls ? { controls: o.controls } : {}) };
}

// ---- controls ---------------------------------------------------------------------------
const controls = program.command('controls').description('validate, list and test the control catalog');

controls
  .command('validate')
  .description('check every control and framework file against the schema and the catalog rules')
  .option('--controls <dir>', 'controls folder (default: project setting, ./controls, or the bundled catalog)')
  .addHelpText('after', `
Exit codes: 0 valid, 2 any problem (each printed as FILE:LINE:COL: message [rule]).
Example:
  $ trustpack controls validate --controls ./controls`)
  .action(async (_o, cmd: Command) => {
    const { loadProjectContext } = await import('./app/project.js');
    const ctx = loadProjectContext(projectOpts(cmd));
    out(`${ctx.controls.length} controls and ${ctx.frameworks.length} frameworks valid (${ctx.controlsDir})`);
  });

controls
  .command('list')
  .description('list the controls, optionally those mapped to one framework')
  .option('--controls <dir>', 'controls folder')
  .option('--framework <id>', 'only controls mapped to this framework')
  .addOption(formatOption(['table', 'json']))
  .addHelpText('after', `
Example:
  $ trustpack controls list --framework pci-dss-4.0.1 --format json`)
  .action(async (o: { framework?: string; format?: Format }, cmd: Command) => {
    const { loadProjectContext } = await import('./app/project.js');
    const { listControls } = await import('./app/list.js');
    const ctx = loadProjectContext(projectOpts(cmd));
    out(listControls(ctx, o.framework, o.format ?? defaultFormat()));
  });

controls
  .command('test')
  .description('run the examples each control carries and compare with their expected outcome')
  .option('--controls <dir>', 'controls folder')
  .addOption(formatOption(['table', 'json']))
  .addHelpText('after', `
Exit codes: 0 every example agrees, 1 an example disagrees, 2 invalid catalog.
Example:
  $ trustpack controls test`)
  .action(async (o: { format?: Format }, cmd: Command) => {
    const { loadProjectContext } = await import('./app/project.js');
    const { testControls } = await import('./app/list.js');
    const ctx = loadProjectContext(projectOpts(cmd));
    const r = testControls(ctx, o.format ?? defaultFormat(), useColor());
    out(r.text);
    process.exitCode = r.ok ? 0 : 1;
  });

// ---- coverage ---------------------------------------------------------------------------
program
  .command('coverage')
  .description('which framework requirements have controls, and which are proven by evidence')
  .option('--controls <dir>', 'controls folder')
  .option('--framework <id>', 'one framework: soc2, pci-dss-4.0.1, gdpr, ccpa, csa-ccm-4')
  .addOption(formatOption(['table', 'json', 'markdown']))
  .option('--uncovered', 'list the requirements no control maps to')
  .addHelpText('after', `
Example:
  $ trustpack coverage --framework soc2 --uncovered
  $ trustpack coverage --format json > coverage.json`)
  .action(async (o: { framework?: string; format?: Format; uncovered?: boolean }, cmd: Command) => {
    const { loadProjectContext } = await import('./app/project.js');
    const { coverageReport } = await import('./app/list.js');
    const ctx = loadProjectContext(projectOpts(cmd));
    out(coverageReport(ctx, o.framework, o.format ?? defaultFormat(), Boolean(o.uncovered)));
  });

// ---- collect / evaluate / check ---------------------------------------------------------
interface CollectFlags { regions?: string[]; roleArn?: string[]; profile?: string; out?: string; concurrency?: string; controls?: string }

function collectOptions(cmd: Command): Command {
  return cmd
    .option('--regions <list>', 'comma-separated regions (default: trustpack.yaml regions, else AWS_REGION)', splitList)
    .option('--role-arn <arn>', 'assume this role for another account (repeatable)', collectRepeat)
    .option('--profile <name>', 'AWS profile (default: the SDK chain: AWS_PROFILE, env keys, SSO, web identity, instance role)')
    .option('--concurrency <n>', 'concurrent API calls across accounts and regions', '8')
    .option('--controls <dir>', 'controls folder (collect only what they need)');
}

collectOptions(program.command('collect'))
  .description('query AWS and write an evidence bundle')
  .option('--out <dir>', 'bundle folder (default: reports/evidence-<run id>)')
  .addHelpText('after', `
Credentials come from the AWS SDK's default chain; AWS_ENDPOINT_URL is honoured.
Exit codes: 0 all evidence collected, 1 some evidence could not be collected (see the manifest), 2 bad input.
Examples:
  $ trustpack collect --regions us-east-1,eu-central-1 --out evidence/
  $ trustpack collect --role-arn arn:aws:iam::111122223333:role/trustpack-audit --role-arn arn:aws:iam::444455556666:role/trustpack-audit`)
  .action(async (o: CollectFlags, cmd: Command) => {
    const { runCollect } = await import('./app/collect.js');
    const r = await runCollect({ ...o, ...projectOpts(cmd), log: err, tty: Boolean(process.stderr.isTTY) });
    out(r.text);
    process.exitCode = r.exitCode;
  });

program
  .command('evaluate')
  .description('evaluate the controls against an evidence bundle')
  .requiredOption('--evidence <dir>', 'evidence bundle folder (from `trustpack collect`)')
  .option('--controls <dir>', 'controls folder')
  .option('--framework <id>', 'only controls mapped to this framework')
  .addOption(formatOption())
  .option('--output <file>', 'write the results to this file instead of stdout')
  .addHelpText('after', `
Exit codes: 0 every control passed, is not applicable, waived or attested; 1 a control FAILED or is in ERROR; 2 bad input.
Examples:
  $ trustpack evaluate --evidence evidence/ --format junit --output results.xml
  $ trustpack evaluate --evidence evidence/ --framework soc2 --format markdown >> "$GITHUB_STEP_SUMMARY"`)
  .action(async (o: { evidence: string; framework?: string; format?: Format; output?: string }, cmd: Command) => {
    const { runEvaluate } = await import('./app/evaluate.js');
    const r = await runEvaluate({ ...o, ...projectOpts(cmd), format: o.format ?? defaultFormat(), color: useColor() && !o.output });
    if (r.text) out(r.text);
    process.exitCode = r.exitCode;
  });

collectOptions(program.command('check'))
  .description('collect and evaluate in one step: what an engineer runs before merging')
  .option('--framework <id>', 'only controls mapped to this framework')
  .addOption(formatOption())
  .option('--output <file>', 'write the results to this file instead of stdout')
  .option('--out <dir>', 'also keep the evidence bundle in this folder')
  .addHelpText('after', `
Example:
  $ AWS_PROFILE=staging trustpack check --regions eu-central-1`)
  .action(async (o: CollectFlags & { framework?: string; format?: Format; output?: string }, cmd: Command) => {
    const { runCheck } = await import('./app/collect.js');
    const r = await runCheck({ ...o, ...projectOpts(cmd), log: err, tty: Boolean(process.stderr.isTTY), format: o.format ?? defaultFormat(), color: useColor() && !o.output });
    if (r.text) out(r.text);
    process.exitCode = r.exitCode;
  });

// ---- report / verify --------------------------------------------------------------------
program
  .command('report')
  .description('write a signed PDF evidence pack from an evidence bundle')
  .requiredOption('--evidence <dir>', 'evidence bundle folder')
  .option('--controls <dir>', 'controls folder')
  .option('--framework <id>', 'soc2, pci-dss-4.0.1, gdpr, ccpa, csa-ccm-4, or all', 'all')
  .option('--out <file>', 'the PDF to write (default: reports/evidence-pack-<run id>.pdf)')
  .option('--sign-p12 <file>', 'PKCS#12 file with the signing key and certificate')
  .option('--sign-passphrase-env <var>', 'name of the environment variable that holds the PKCS#12 passphrase')
  .option('--signing-time <iso>', 'signing time (default: now); the same evidence, time and key give the same bytes')
  .option('--unsigned', 'write the pack without a signature (the cover says so)')
  // ---- signatures: KMS keys, revocation data, timestamps ----
  .option('--sign-kms-key <arn>', 'sign with this AWS KMS key (RSA or ECC_NIST_P256, SIGN_VERIFY): the private key never leaves KMS')
  .option('--sign-cert <pem>', 'with --sign-kms-key: the certificate issued for the key (its chain may follow in the same file)')
  .option('--crl <file>', 'a certificate revocation list (DER or PEM) to sign into the pack (repeatable)', collectRepeat)
  .option('--tsa-url <url>', 'an RFC 3161 time-stamping authority: adds a signature timestamp (PAdES B-T)')
  .option('--attach-attestations', 'embed the attested documents (pentest report, policies) so their hashes can be checked from the pack alone')
  .addHelpText('after', `
The passphrase is never taken on the command line: put it in an environment variable and name it.
Signatures are ETSI.CAdES.detached (PAdES baseline B-B, B-T with --tsa-url).
Exit codes: 0 written (whatever the results), 2 bad input or signing key.
Examples:
  $ PACK_PASS=... trustpack report --evidence evidence/ --framework soc2 --out soc2-pack.pdf \\
      --sign-p12 signer.p12 --sign-passphrase-env PACK_PASS
  $ trustpack report --evidence evidence/ --sign-kms-key arn:aws:kms:eu-central-1:111122223333:key/1234abcd-... \\
      --sign-cert signer-chain.pem --tsa-url https://tsa.example.com/`)
  .action(async (o: { evidence: string; framework: string; out?: string; signP12?: string; signPassphraseEnv?: string; signingTime?: string; unsigned?: boolean; signKmsKey?: string; signCert?: string; crl?: string[]; tsaUrl?: string; attachAttestations?: boolean }, cmd: Command) => {
    const { runReport } = await import('./app/report.js');
    const r = await runReport({ ...o, ...projectOpts(cmd) });
    out(r.text);
    process.exitCode = r.exitCode;
  });

program
  .command('verify')
  .description('verify a pack: signature over the whole file, signer, embedded evidence hashes')
  .argument('<file>', 'the PDF evidence pack')
  // ---- signatures: trust anchors, intermediates ----
  .option('--trust <pem>', 'trust anchor certificate(s) the signer must chain to (repeatable; a file may be a bundle)', collectRepeat)
  .option('--intermediates <pem>', 'intermediate CA certificates to build the path with (repeatable; a file may be a bundle)', collectRepeat)
  .option('--tsa-trust <pem>', 'trust anchor(s) for the time-stamping authority of a timestamped pack (repeatable)', collectRepeat)
  .addOption(formatOption(['table', 'json']))
  .addHelpText('after', `
With --trust, the certificate path from the signer to an anchor is validated as RFC 5280 does
(basic constraints, path length, key usage, extended key usage, every certificate's validity at
the validation time: the timestamp's time, else now; MD5 and SHA-1 refused).
Exit codes: 0 valid, 1 invalid or tampered (with the reason), 2 unreadable input.
Example:
  $ trustpack verify evidence-pack.pdf --trust root-ca.pem --intermediates issuing-ca.pem`)
  .action(async (file: string, o: { trust?: string[]; intermediates?: string[]; tsaTrust?: string[]; format?: Format }) => {
    const { runVerify } = await import('./app/verify.js');
    const r = await runVerify(file, { ...o, format: o.format ?? defaultFormat(), color: useColor() });
    out(r.text);
    process.exitCode = r.exitCode;
  });

// ---- sandbox / demo ---------------------------------------------------------------------
program
  .command('sandbox')
  .description('serve a fixture account on a local AWS-compatible endpoint (RDS, KMS, Config, STS)')
  .option('--fixture <file>', 'account fixture (default: the bundled sample account)')
  .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', '0')
  .option('--faults <file>', 'fault plan (YAML or JSON): latency, throttling, 5xx, access denied, timeouts')
  .option('--latency <ms>', 'latency added to every call')
  .addHelpText('after', `
Then, in another shell:
  $ export AWS_ENDPOINT_URL=http://127.0.0.1:PORT AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
  $ trustpack check --regions us-east-1,eu-central-1`)
  .action(async (o: { fixture?: string; port: string; faults?: string; latency?: string }) => {
    const { runSandbox } = await import('./app/sandbox.js');
    await runSandbox({ ...o, log: err, print: out });
  });

program
  .command('demo')
  .description('the whole flow on the bundled sample account: sandbox, collect, evaluate, signed pack, verify')
  .option('--out <dir>', 'where to write the results', 'reports/sample')
  .addHelpText('after', `
No AWS account or credentials needed. Exits 0 once everything is written (the sample account
has deliberate defects, so some controls fail by design).`)
  .action(async (o: { out: string }, cmd: Command) => {
    const { runDemo } = await import('./app/demo.js');
    const r = await runDemo({ out: o.out, ...projectOpts(cmd), log: err, tty: Boolean(process.stderr.isTTY), color: useColor() });
    out(r.text);
    process.exitCode = r.exitCode;
  });

async function main(argv: string[]): Promise<void> {
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return;
    }
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are exits with code 0; every other parse error is a usage error
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof UsageError) {
      err(`trustpack: ${e.message}`);
      process.exitCode = e.exitCode;
      return;
    }
    // Named errors from the modules below (BundleError, SigningError, UnreadablePackError,
    // FixtureError, ...) carry a message fit for the user; all are bad input, exit 2.
    err(`trustpack: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.TRUSTPACK_DEBUG && e instanceof Error && e.stack) err(e.stack);
    process.exitCode = 2;
  }
}

await main(process.argv);
