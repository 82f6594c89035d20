// The command line: parses arguments, calls the modules below, prints, and exits.
// It is the only module that writes to stdout/stderr or calls process.exit.
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from './version.js';
import { UsageError } from './util/errors.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_SECONDS } from './app/help-defaults.js';
import { frameworkIdList } from './controls/registry/frameworks.js';
import { OUTPUT_FORMAT_LIST, OUTPUT_FORMATS as FORMATS, type OutputFormat as Format } from './controls/registry/output-formats.js';
import { setNoticeSink } from './app/notices.js';

function defaultFormat(): Format {
  return process.stdout.isTTY ? 'table' : 'json';
}

/** The check table fits 120 columns, or the terminal when narrower (titles are cut; json has them whole). */
function tableWidth(): number {
  return Math.min(process.stdout.columns || 120, 120);
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

setNoticeSink(err);

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
  new Option('--format <format>', `output format (default: table on a terminal, else json): ${
    OUTPUT_FORMAT_LIST.filter((f) => allowed.includes(f.id)).map((f) => `${f.id} (${f.describe})`).join(', ')}`).choices(allowed);

function projectOpts(cmd: Command): { project?: string; controls?: string } {
  const o = cmd.optsWithGlobals<{ project?: string; controls?: string }>();
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
  .option('--by-claim', 'every promise of controls/claims.yaml with the controls that back it and their kind of proof')
  .addOption(formatOption(['table', 'json', 'markdown']))
  .addHelpText('after', `
Examples:
  $ trustpack controls list --framework pci-dss-4.0.1 --format json
  $ trustpack controls list --by-claim --format markdown     (the README's catalog table)`)
  .action(async (o: { framework?: string; format?: Format; byClaim?: boolean }, cmd: Command) => {
    const { loadProjectContext } = await import('./app/project.js');
    const ctx = loadProjectContext(projectOpts(cmd));
    if (o.byClaim) {
      const { listByClaim } = await import('./app/claims.js');
      out(listByClaim(ctx.claims, ctx.controls, o.format ?? defaultFormat()));
      return;
    }
    const { listControls } = await import('./app/list.js');
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
  .option('--framework <id>', `one framework: ${frameworkIdList()}`)
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

// ---- CI gates ---------------------------------------------------------------------------
// On every command that evaluates (evaluate, check, report): which results fail the run.
interface GateFlags { failOn?: string; failOnError?: boolean; baseline?: string }

function gateOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--fail-on <severity>', 'only controls of this severity and above fail the run (--fail-on high: critical and high)')
      .choices(['critical', 'high', 'medium', 'low', 'info']))
    .option('--no-fail-on-error', 'controls in ERROR (evidence missing) are counted and printed but do not fail the run')
    .option('--baseline <results.json>', 'fail only on new failures: a control, resource, account and region FAIL or ERROR now that was not in that status in these results');
}

/** The gate flags as given; `gated` when any was given on the command line. */
function gateFlags(o: GateFlags, cmd: Command): GateFlags & { gated: boolean } {
  const gated = o.failOn !== undefined || o.baseline !== undefined || cmd.getOptionValueSource('failOnError') === 'cli';
  return { ...(o.failOn ? { failOn: o.failOn } : {}), ...(o.baseline ? { baseline: o.baseline } : {}), failOnError: o.failOnError !== false, gated };
}

const GATE_HELP = `
CI gates: --fail-on SEVERITY, --no-fail-on-error and --baseline RESULTS.json decide which results
exit 1; what they set aside is still printed (stderr) and kept in every output.`;

// ---- collect / evaluate / check ---------------------------------------------------------
interface CollectFlags extends EstateFlags { regions?: string[]; roleArn?: string[]; profile?: string; out?: string; concurrency?: string; timeout?: string; maxAttempts?: string; controls?: string; asOf?: string }

function collectOptions(cmd: Command): Command {
  return estateOptions(cmd)
    .option('--regions <list>', 'comma-separated regions, or "all" for every region enabled in each account (default: trustpack.yaml regions, else AWS_REGION)', splitList)
    .option('--role-arn <arn>', 'assume this role for another account (repeatable)', collectRepeat)
    .option('--profile <name>', 'AWS profile (default: the SDK chain: AWS_PROFILE, env keys, SSO, web identity, instance role)')
    .option('--concurrency <n>', 'concurrent API calls across accounts and regions', '8')
    .option('--timeout <seconds>', `time for one AWS request to be answered (default: ${DEFAULT_TIMEOUT_SECONDS}); a connection gets at most 3 s of it`)
    .option('--max-attempts <n>', `attempts per AWS call, the first included, riding out throttling and 5xx answers (default: AWS_MAX_ATTEMPTS, else ${DEFAULT_MAX_ATTEMPTS})`)
    .option('--controls <dir>', 'controls folder (collect only what they need)');
}

// ---- backfill (collect --as-of) ----
const asOfOption = () => new Option('--as-of <date>', "the state at DATE (end of that UTC day) or an exact timestamp, rebuilt from AWS Config's configuration history");

collectOptions(program.command('collect'))
  .description('query AWS and write an evidence bundle')
  .addOption(asOfOption())
  .option('--out <dir>', 'bundle folder (default: reports/evidence-<run id>)')
  .option('--force', 'replace an existing non-empty --out folder')
  .option('--archive <location>', 'also append the bundle and its results to this evidence archive (a folder or s3://bucket/prefix)')
  .option('--retain-until <date>', 'S3 Object Lock retention for every archived object (default: the bucket\'s default retention)')
  .option('--retain-mode <mode>', 'COMPLIANCE or GOVERNANCE, with --retain-until on a bucket without a default')
  .addHelpText('after', `
Credentials come from the AWS SDK's default chain; AWS_ENDPOINT_URL is honoured.
Exit codes: 0 all evidence collected, 1 some evidence could not be collected (see the manifest), 2 bad input.
Examples:
  $ trustpack collect --regions us-east-1,eu-central-1 --out evidence/
  $ trustpack collect --role-arn arn:aws:iam::111122223333:role/trustpack-audit --role-arn arn:aws:iam::444455556666:role/trustpack-audit
  $ trustpack collect --as-of 2026-07-31 --out evidence-july/   # rebuilt from AWS Config history`)
  .action(async (o: CollectFlags & { archive?: string; retainUntil?: string; retainMode?: string }, cmd: Command) => {
    const { runCollect } = await import('./app/collect.js');
    const r = await runCollect({ ...o, ...projectOpts(cmd), log: err, tty: Boolean(process.stderr.isTTY) });
    out(r.text);
    process.exitCode = r.exitCode;
  });

gateOptions(program.command('evaluate'))
  .description('evaluate the controls against an evidence bundle')
  .requiredOption('--evidence <dir>', 'evidence bundle folder (from `trustpack collect`)')
  .option('--controls <dir>', 'controls folder')
  .option('--framework <id>', 'only controls mapped to this framework')
  .addOption(formatOption())
  .option('--output <file>', 'write the results to this file instead of stdout')
  .option('--force', 'replace an existing non-empty --output file')
  .option('--max-rows <n>', `--format markdown: resource rows in the whole summary, counts always complete (default: ${DEFAULT_MAX_ROWS}; a CI step summary holds at most 1 MiB)`)
  .addHelpText('after', `
Exit codes: 0 every control passed, is not applicable, waived or attested; 1 a control FAILED or is in ERROR; 2 bad input.
Examples:
  $ trustpack evaluate --evidence evidence/ --format junit --output results.xml
  $ trustpack evaluate --evidence evidence/ --framework soc2 --format markdown --max-rows 200 >> "$GITHUB_STEP_SUMMARY"`)
  .addHelpText('after', GATE_HELP)
  .action(async (o: { evidence: string; framework?: string; format?: Format; output?: string; force?: boolean; maxRows?: string } & GateFlags, cmd: Command) => {
    const { runEvaluate } = await import('./app/evaluate.js');
    const r = await runEvaluate({ ...o, ...gateFlags(o, cmd), ...projectOpts(cmd), log: err, format: o.format ?? defaultFormat(), color: useColor() && !o.output, width: tableWidth(), stdout: process.stdout });
    if (r.text) out(r.text);
    process.exitCode = r.exitCode;
  });

gateOptions(collectOptions(program.command('check')))
  .description('collect and evaluate in one step: what an engineer runs before merging')
  .addOption(asOfOption())
  .option('--framework <id>', 'only controls mapped to this framework')
  .addOption(formatOption())
  .option('--output <file>', 'write the results to this file instead of stdout')
  .option('--out <dir>', 'also keep the evidence bundle in this folder')
  .option('--force', 'replace an existing non-empty --output file or --out folder')
  .option('--max-rows <n>', `--format markdown: resource rows in the whole summary (default: ${DEFAULT_MAX_ROWS})`)
  .addHelpText('after', `
Example:
  $ AWS_PROFILE=staging trustpack check --regions eu-central-1`)
  .addHelpText('after', GATE_HELP)
  .action(async (o: CollectFlags & GateFlags & { framework?: string; format?: Format; output?: string; maxRows?: string }, cmd: Command) => {
    const { runCheck } = await import('./app/collect.js');
    const r = await runCheck({ ...o, ...gateFlags(o, cmd), ...projectOpts(cmd), log: err, tty: Boolean(process.stderr.isTTY), format: o.format ?? defaultFormat(), color: useColor() && !o.output, width: tableWidth(), stdout: process.stdout });
    if (r.text) out(r.text);
    process.exitCode = r.exitCode;
  });

// ---- report / verify --------------------------------------------------------------------
gateOptions(program.command('report'))
  .description('write a signed PDF evidence pack from an evidence bundle')
  .option('--evidence <dir>', 'evidence bundle folder (required unless --archive)')
  .option('--controls <dir>', 'controls folder')
  .option('--framework <id>', `${frameworkIdList()}, or all`, 'all')
  // ---- period pack (the audit period) ----
  .option('--archive <location>', 'a period pack from this evidence archive (a folder or s3://bucket/prefix), with --period')
  .option('--period <start..end>', 'the audit period: UTC dates, both included')
  .option('--sample-seed <text>', 'seed of the reproducible sample (default: the archive head sha256)')
  .option('--sample-size <n>', 'sample size per control (default: from how often the control runs)')
  .option('--profile <name>', 'AWS profile for an S3 archive')
  .option('--reevaluate', "with --archive: judge the archived evidence again with today's catalog instead of the stored results (the pack says so on every page)")
  // ---- end period pack ----
  .option('--out <file>', 'the PDF to write (default: reports/evidence-pack-<run id>.pdf)')
  .option('--sign-p12 <file>', 'PKCS#12 file with the signing key and certificate')
  .option('--sign-passphrase-env <var>', 'name of the environment variable that holds the PKCS#12 passphrase')
  .option('--signing-time <iso>', 'signing time (default: now); the same evidence, time and key give the same bytes')
  .option('--unsigned', 'write the pack without a signature (the cover says so)')
  .option('--force', 'replace an existing non-empty --out file')
  // ---- signatures: KMS keys, revocation data, timestamps ----
  .option('--sign-kms-key <arn>', 'sign with this AWS KMS key (RSA or ECC_NIST_P256, SIGN_VERIFY): the private key never leaves KMS')
  .option('--sign-cert <pem>', 'with --sign-kms-key: the certificate issued for the key (its chain may follow in the same file)')
  .option('--crl <file>', 'a certificate revocation list (DER or PEM) to sign into the pack (repeatable)', collectRepeat)
  .option('--tsa-url <url>', 'an RFC 3161 time-stamping authority: adds a signature timestamp (PAdES B-T)')
  .option('--attach-attestations', 'embed the attested documents (pentest report, policies) so their hashes can be checked from the pack alone')
  // ---- the evidence browser ----
  .option('--html <file>', 'also write the evidence browser: one offline HTML file (embedded in the PDF when --out is given; alone, only the HTML is written)')
  .option('--html-max-records <n>', 'at most this many cited evidence records embedded in the HTML (default 200000); the rest are named with their bundle file')
  .addHelpText('after', `
The passphrase is never taken on the command line: put it in an environment variable and name it.
Signatures are ETSI.CAdES.detached (PAdES baseline B-B, B-T with --tsa-url).
Exit codes: 0 written (whatever the results), 2 bad input or signing key.
Examples:
  $ PACK_PASS=... trustpack report --evidence evidence/ --framework soc2 --out soc2-pack.pdf \\
      --sign-p12 signer.p12 --sign-passphrase-env PACK_PASS
  $ trustpack report --evidence evidence/ --sign-kms-key arn:aws:kms:eu-central-1:111122223333:key/1234abcd-... \\
      --sign-cert signer-chain.pem --tsa-url https://tsa.example.com/`)
  .addHelpText('after', `${GATE_HELP}
On report they are off unless given: the pack is written either way, and the exit code then follows the gate.`)
  .action(async (o: { evidence?: string; archive?: string; period?: string; sampleSeed?: string; sampleSize?: string; profile?: string; framework: string; out?: string; signP12?: string; signPassphraseEnv?: string; signingTime?: string; unsigned?: boolean; force?: boolean; signKmsKey?: string; signCert?: string; crl?: string[]; tsaUrl?: string; attachAttestations?: boolean; html?: string; htmlMaxRecords?: string; reevaluate?: boolean } & GateFlags, cmd: Command) => {
    if (o.reevaluate && !o.archive) throw new UsageError('--reevaluate applies to a period pack (--archive LOCATION --period START..END): a run pack is always evaluated from its bundle with the catalog given');
    if (o.archive) {
      if (o.evidence) throw new UsageError('--evidence and --archive contradict each other: one run, or a period of the archive');
      const { runPeriodReport } = await import('./app/period.js');
      const r = await runPeriodReport({ ...o, archive: o.archive, ...projectOpts(cmd) });
      out(r.text);
      process.exitCode = r.exitCode;
      return;
    }
    if (!o.evidence) throw new UsageError("required option '--evidence <dir>' not specified (or --archive LOCATION --period START..END for a period pack)");
    const { runReport } = await import('./app/report.js');
    const r = await runReport({ ...o, evidence: o.evidence, ...gateFlags(o, cmd), ...projectOpts(cmd), log: err });
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
  .option('--archive <location>', 'a period pack: also check its runs against this evidence archive')
  .option('--tsa-trust <pem>', 'trust anchor(s) for the time-stamping authority of a timestamped pack (repeatable)', collectRepeat)
  .option('--html <file>', 'also check that this HTML file is byte-identical to the evidence browser signed into the pack')
  .option('--attestation <file>', 'also check that this copy of an attested document hashes to the sha256 the pack prints for it (repeatable)', collectRepeat)
  .option('--crl <file>', 'a CRL (PEM or DER) the verifier supplies, checked against every certificate of the path but the anchor (repeatable)', collectRepeat)
  .option('--require-revocation', 'INVALID unless every certificate of the path but the anchor has a current CRL of its issuer')
  .addOption(formatOption(['table', 'json']))
  .addHelpText('after', `
With --trust, the certificate path from the signer to an anchor is validated as RFC 5280 does
(basic constraints, path length, key usage, extended key usage, every certificate's validity at
the validation time: the timestamp's time, else now; MD5 and SHA-1 refused).
With --attestation FILE (a copy of a pentest report, a policy, a provider's report the auditor
holds), the file's sha256 must be one the pack prints for an attested document: the match names
the control; no match is exit 1.
Exit codes: 0 valid (and every --attestation copy matches), 1 invalid, tampered or no match (with the reason), 2 unreadable input.
Examples:
  $ trustpack verify evidence-pack.pdf --trust root-ca.pem --intermediates issuing-ca.pem
  $ trustpack verify evidence-pack.pdf --attestation pentest-2026.pdf`)
  .action(async (file: string, o: {
    trust?: string[]; intermediates?: string[]; tsaTrust?: string[]; crl?: string[]; requireRevocation?: boolean; archive?: string; html?: string;
    attestation?: string[]; format?: Format;
  }) => {
    const { runVerify } = await import('./app/verify.js');
    const format = o.format ?? defaultFormat();
    const r = await runVerify(file, { ...o, format, color: useColor() });
    out(r.text);
    process.exitCode = r.exitCode;
  });

// ---- backfill ----------------------------------------------------------------------------
// collect's account and region flags (docs/CONTRACTS.md, commands), so accounts are reached as in live runs
collectOptions(program.command('backfill'))
  .description("append one run per step of a past period to the evidence archive, rebuilt from AWS Config's configuration history")
  .requiredOption('--archive <location>', 'the evidence archive: a folder or s3://bucket/prefix')
  .requiredOption('--period <start..end>', 'UTC dates, both included')
  .option('--every <step>', 'one run per step: Nd or Nh', '1d')
  .option('--retain-until <date>', 'S3 Object Lock retention for every archived object')
  .option('--retain-mode <mode>', 'COMPLIANCE or GOVERNANCE')
  .addHelpText('after', `
Each step's run is the state at the end of the step (a day: 23:59:59Z), rebuilt from AWS Config's
configuration history (source config-history); each resource's history is read once for the whole
period. Steps already archived from history are skipped: a rerun appends nothing twice. What Config
does not record (automated backups, parameter groups, a recorder's delivery status) is ERROR.
Exit codes: 0 every step archived with complete evidence, 1 archived but some evidence has no history, 2 bad input.
Example:
  $ trustpack backfill --archive s3://acme-evidence/trustpack --period 2026-07-01..2026-09-30 --every 1d`)
  .action(async (o: CollectFlags & { archive: string; period: string; every: string; retainUntil?: string; retainMode?: string }, cmd: Command) => {
    const { runBackfill } = await import('./app/backfill.js');
    const r = await runBackfill({ ...o, ...projectOpts(cmd), log: err, tty: Boolean(process.stderr.isTTY) });
    out(r.text);
    process.exitCode = r.exitCode;
  });

// ---- archive (the audit period) ---------------------------------------------------------
const archiveCmd = program.command('archive').description('the append-only evidence archive: add runs, list them, verify the chain');
const archiveLocation = () => new Option('--archive <location>', 'a folder or s3://bucket/prefix').makeOptionMandatory();

archiveCmd
  .command('add')
  .description('append an evidence bundle and its results (evaluated now with the project\'s catalog)')
  .argument('<bundle>', 'evidence bundle folder (from `trustpack collect`)')
  .addOption(archiveLocation())
  .option('--controls <dir>', 'controls folder')
  .option('--retain-until <date>', 'S3 Object Lock retention for every object (default: the bucket\'s default retention)')
  .option('--retain-mode <mode>', 'COMPLIANCE or GOVERNANCE, with --retain-until on a bucket without a default')
  .option('--profile <name>', 'AWS profile for an S3 archive')
  .addHelpText('after', `
Nothing in the archive is ever rewritten or deleted. Exit codes: 0 appended, 2 bad input or the archive cannot be written.
Example:
  $ trustpack archive add evidence/ --archive s3://acme-evidence/trustpack`)
  .action(async (bundle: string, o: { archive: string; retainUntil?: string; retainMode?: string; profile?: string }, cmd: Command) => {
    const { runArchiveAdd } = await import('./app/archive.js');
    const r = await runArchiveAdd({ ...o, bundle, ...projectOpts(cmd) });
    out(r.text);
    process.exitCode = r.exitCode;
  });

archiveCmd
  .command('list')
  .description('the archived runs in chain order, and the head (SHA256:N) to record elsewhere')
  .addOption(archiveLocation())
  .option('--profile <name>', 'AWS profile for an S3 archive')
  .addOption(formatOption(['table', 'json']))
  .action(async (o: { archive: string; format?: Format; profile?: string }) => {
    const { runArchiveList } = await import('./app/archive.js');
    const r = await runArchiveList({ ...o, format: o.format ?? defaultFormat() });
    out(r.text);
    process.exitCode = r.exitCode;
  });

archiveCmd
  .command('verify')
  .description('check the chain by position, every bundle file and stored result, and the head')
  .addOption(archiveLocation())
  .option('--expect-head <sha256:n>', 'the head recorded earlier: catches removed newest entries')
  .option('--since <sha256:n>', 'start from this pinned, earlier verified head: the chain from it and the objects of the entries after it')
  .option('--profile <name>', 'AWS profile for an S3 archive')
  .addOption(formatOption(['table', 'json']))
  .addHelpText('after', `
Every object is streamed, decompressed under a cap and hashed; data shared by many runs is hashed
once and a fault in it is reported at every run that references it.
Gaps (days without a run) and orphans (objects of a crashed append) are reported, not failures.
Exit codes: 0 intact, 1 broken or altered, 2 unreadable (or written by a newer trustpack).
Examples:
  $ trustpack archive verify --archive s3://acme-evidence/trustpack --expect-head 3f1c...:120
  $ trustpack archive verify --archive s3://acme-evidence/trustpack --since 3f1c...:120   # nightly: only what was appended`)
  .action(async (o: { archive: string; format?: Format; expectHead?: string; since?: string; profile?: string }) => {
    const { runArchiveVerify } = await import('./app/archive.js');
    const r = await runArchiveVerify({ ...o, format: o.format ?? defaultFormat() });
    out(r.text);
    process.exitCode = r.exitCode;
  });

archiveCmd
  .command('get')
  .description("one run's bundle rebuilt from the archive byte for byte (a run id, or an entry number)")
  .argument('<run>', 'the run id, or the entry number, `archive list` shows')
  .addOption(archiveLocation())
  .requiredOption('--out <dir>', 'the folder to write the bundle to')
  .option('--force', 'replace an existing non-empty folder')
  .option('--profile <name>', 'AWS profile for an S3 archive')
  .addHelpText('after', `
Every file is checked against its sha256 in the run's manifest, which the archive entry names.
Exit codes: 0 written, 2 no such run, an unreadable or altered archive, or a bad output folder.
Example:
  $ trustpack archive get 2026-03-01T02-00-00Z-1a2b --archive s3://acme-evidence/trustpack --out night/`)
  .action(async (run: string, o: { archive: string; out: string; force?: boolean; profile?: string }) => {
    const { runArchiveGet } = await import('./app/archive.js');
    const r = await runArchiveGet({ ...o, run });
    out(r.text);
    process.exitCode = r.exitCode;
  });

// ---- history (the audit period) ---------------------------------------------------------
program
  .command('history')
  .description('per control, the runs in each status and the exceptions (first seen, resolved) over a period')
  .addOption(archiveLocation())
  .option('--period <start..end>', 'UTC dates, both included (default: the first to the last archived run)')
  .option('--framework <id>', 'only controls mapped to this framework')
  .option('--reevaluate', 'evaluate the archived evidence with today\'s catalog instead of the stored results (labelled as such)')
  .option('--rebuild-index', 'recompute the streak index from every run\'s stored results first; each must match its entry byte for byte (exit 1 when not)')
  .option('--controls <dir>', 'controls folder (with --reevaluate)')
  .option('--profile <name>', 'AWS profile for an S3 archive')
  .addOption(formatOption(['table', 'json', 'csv']))
  .addHelpText('after', `
Reads the results stored with each run when it was archived: a waiver or control added later never rewrites the past.
Example:
  $ trustpack history --archive s3://acme-evidence/trustpack --period 2026-01-01..2026-03-31 --format json`)
  .action(async (o: { archive: string; period?: string; framework?: string; format?: Format; profile?: string; reevaluate?: boolean; rebuildIndex?: boolean }, cmd: Command) => {
    const { runHistory } = await import('./app/history.js');
    const r = await runHistory({ ...o, ...projectOpts(cmd), format: o.format ?? defaultFormat() });
    for (const n of r.notes ?? []) process.stderr.write(`${n}\n`);
    if (r.text) out(r.text);
    process.exitCode = r.exitCode;
  });

// ---- init -------------------------------------------------------------------------------
program
  .command('init')
  .description("write ./trustpack.yaml for your organisation: asks on a terminal, else takes the flags")
  .option('--organisation <name>', 'the organisation, printed on the cover of the pack')
  .option('--regions <list>', 'comma-separated regions to collect and evaluate', splitList)
  .option('--data-regions', 'customer data lives only in --regions: write them as allowed_regions, the regions the residency controls accept (asked on a terminal)')
  .option('--system-scope <text>', 'the system description: what is in scope, one paragraph')
  .option('--system-description <text>', 'the same as --system-scope')
  .option('--accounts <list>', 'comma-separated in-scope AWS account ids (12 digits)', splitList)
  .option('--services <list>', 'comma-separated in-scope services', splitList)
  .option('--preparer <name>', 'who prepares the pack')
  .option('--reviewer <name>', 'who reviews the pack')
  .option('--param <name=value>', 'a parameter value, e.g. deletion_window_days=30 (repeatable; lists comma-separated)', collectRepeat)
  .option('--controls <dir>', 'controls folder whose parameters may be set')
  .addHelpText('after', `
Never overwrites an existing trustpack.yaml (exit 2). Off a terminal, --organisation and --regions are required.
Examples:
  $ trustpack init
  $ trustpack init --organisation "Acme Ltd" --regions eu-west-1,eu-central-1 --data-regions --param deletion_window_days=30`)
  .action(async (o: { organisation?: string; regions?: string[]; dataRegions?: boolean; systemScope?: string; systemDescription?: string; accounts?: string[]; services?: string[]; preparer?: string; reviewer?: string; param?: string[]; controls?: string }) => {
    const { runInit } = await import('./app/init.js');
    const { systemDescription, ...rest } = o;
    const scope = o.systemScope ?? systemDescription;
    const asker = process.stdin.isTTY ? (await import('./app/prompt.js')).terminalAsker() : undefined;
    try {
      const r = await runInit({ ...rest, ...(scope !== undefined ? { systemScope: scope } : {}), ...(asker ? { ask: asker.ask } : {}) });
      out(r.text);
      process.exitCode = r.exitCode;
    } finally {
      asker?.close();
    }
  });

// ---- iam-policy --------------------------------------------------------------------------
program
  .command('iam-policy')
  .description('print the least-privilege IAM policy (JSON) for a principal, generated from the AWS calls the code declares')
  .option('--for <principal>', 'member (the read-only role in each account), organization (runs a collection over accounts), archive (appends to the evidence archive), archive-reader (history, period packs, archive list and verify: no write), signer', 'member')
  .option('--role-name <name>', 'the member role name, for the organization policy\'s sts:AssumeRole resource (default: any role)')
  .option('--bucket <name>', 'the archive bucket (default: any)')
  .option('--prefix <prefix>', 'the archive prefix in the bucket (s3:ListBucket is then limited to it by an s3:prefix condition)')
  .option('--kms-key-arn <arn>', 'the signing key (default: any)')
  .option('--explain', 'also list each action with the code that calls it and why, on stderr (stdout stays the policy JSON)')
  .addHelpText('after', `
Examples:
  $ trustpack iam-policy > trustpack-read.json
  $ aws iam create-policy --policy-name trustpack-read --policy-document file://trustpack-read.json
  $ trustpack iam-policy --for organization --role-name trustpack-audit
  $ trustpack iam-policy --for archive-reader --bucket acme-evidence --prefix trustpack/ --explain > archive-read.json`)
  .action(async (o: { for: string; roleName?: string; bucket?: string; prefix?: string; kmsKeyArn?: string; explain?: boolean }) => {
    const { runIamPolicy } = await import('./app/iam-policy.js');
    const r = runIamPolicy({
      for: o.for, ...(o.roleName ? { role: o.roleName } : {}), ...(o.bucket ? { bucket: o.bucket } : {}),
      ...(o.prefix ? { prefix: o.prefix } : {}), ...(o.kmsKeyArn ? { key: o.kmsKeyArn } : {}), ...(o.explain ? { explain: true } : {}),
    });
    out(r.text);
    if (r.explain) err(r.explain);
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
  .option('--force', 'replace files in --out that an earlier demo did not write')
  .option('--period', 'a quarter instead: live runs and a backfill from configuration history into an archive, its history and a signed period pack (default --out reports/sample-period)')
  .addHelpText('after', `
No AWS account or credentials needed. Exits 0 once everything is written (the sample account
has deliberate defects, so some controls fail by design). Only the demo's own files in --out
are written; an earlier demo's output is replaced, anything else is refused without --force.`)
  .action(async (o: { out: string; force?: boolean; period?: boolean }, cmd: Command) => {
    if (o.period) {
      const { runDemoPeriod } = await import('./app/demo-period.js');
      const dir = cmd.getOptionValueSource('out') === 'default' ? 'reports/sample-period' : o.out;
      const r = await runDemoPeriod({ out: dir, ...(o.force ? { force: true } : {}), ...projectOpts(cmd), log: err });
      out(r.text);
      process.exitCode = r.exitCode;
      return;
    }
    const { runDemo } = await import('./app/demo.js');
    const r = await runDemo({ out: o.out, ...(o.force ? { force: true } : {}), ...projectOpts(cmd), log: err, tty: Boolean(process.stderr.isTTY), color: useColor() });
    out(r.text);
    process.exitCode = r.exitCode;
  });

// ---- estates -----------------------------------------------------------------------------
interface EstateFlags { orgRole?: string; accounts?: string[]; excludeAccounts?: string[]; shard?: string; rateLimits?: string }

function estateOptions(cmd: Command): Command {
  return cmd
    .option('--org-role <name>', "every ACTIVE account of the organization (organizations:ListAccounts), through this role name in each")
    .option('--accounts <ids>', 'only these account ids (comma-separated)', splitList)
    .option('--exclude-accounts <ids>', 'leave out these account ids (comma-separated)', splitList)
    .option('--shard <K/N>', 'collect only the K-th of N deterministic slices of the accounts (then `trustpack merge`)')
    .option('--rate-limits <file>', 'JSON overriding the pacing table: {"shared": {"rds": {"rate": 12, "burst": 300}}, "apis": {"config:DescribeConfigRules": {...}}}');
}

program
  .command('merge')
  .description('merge the shard bundles of one estate (collect --shard K/N) into one bundle')
  .argument('<bundles...>', 'the shard bundle folders, one per K from 1 to N')
  .requiredOption('--out <dir>', 'the merged bundle folder')
  .option('--force', 'replace an existing non-empty --out folder')
  .addHelpText('after', `
Every shard's file hashes are checked; every K from 1 to N must be there exactly once, with the
same account list digest and the same catalog digest. The merged bundle evaluates exactly as an
unsharded run of the same estate.
Exit codes: 0 merged, 2 a missing, duplicated or mismatched shard, an unreadable bundle, or an
existing non-empty --out without --force.
Example:
  $ trustpack merge shard-1/ shard-2/ shard-3/ --out evidence/`)
  .action(async (bundles: string[], o: { out: string; force?: boolean }) => {
    const { runMerge } = await import('./app/merge.js');
    const r = await runMerge(bundles, o.out, o.force);
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
    // input errors exit 1 or 2 with their message; anything else is a bug: exit 70, short stack
    const { describeFailure } = await import('./app/failure.js');
    const f = describeFailure(e, program.args[0], Boolean(process.env.TRUSTPACK_DEBUG));
    err(f.text);
    process.exitCode = f.exitCode;
  }
}

await main(process.argv);
