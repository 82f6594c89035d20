// The baseline for collection: the AWS CLI (/usr/bin/aws v2) making the describe calls the
// collectors make, one process per call, one after another, region by region — what a shell
// script gathering the same evidence does. Page sizes match the collectors' (MaxRecords 100,
// Limit 100) so the HTTP calls are comparable; count them on the endpoint (sandbox.stats()).
//   node --import tsx bench/awscli.ts [--regions 2] [--clusters 20] [--latency 20]
// Prints only; asserts nothing.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const AWS_CLI = '/usr/bin/aws';

/** Calls the collectors make that this AWS CLI cannot: left out of the loop (one call per region). */
export const UNSUPPORTED = ['rds describe-db-cluster-automated-backups (not a subcommand of aws-cli 2.9.19)'];

export interface AwsCliLoopOptions {
  /** the endpoint, passed to every call as --endpoint-url */
  url: string;
  regions: string[];
  /** called after each process with the command just run */
  onCall?: (done: number, command: string) => void;
}

export interface AwsCliLoopResult {
  /** aws processes run */
  processes: number;
  /** processes that exited non-zero */
  failures: number;
  wallMs: number;
  /** what each operation cost in processes, e.g. {"rds describe-db-clusters": 2} */
  byCommand: Record<string, number>;
}

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/** Runs the sequential AWS CLI loop against `url`; resolves when every call has returned. */
export async function runAwsCliLoop(opts: AwsCliLoopOptions): Promise<AwsCliLoopResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-not-a-real-key-000000000000',
    AWS_PAGER: '',
    AWS_DEFAULT_OUTPUT: 'json',
  };
  let processes = 0;
  let failures = 0;
  const byCommand: Record<string, number> = {};

  const aws = (region: string, service: string, op: string, ...args: string[]): Promise<Json> =>
    new Promise((resolve) => {
      execFile(AWS_CLI, [service, op, ...args, '--region', region, '--endpoint-url', opts.url, '--output', 'json', '--no-cli-pager'],
        { env, maxBuffer: 256 << 20 }, (err, stdout) => {
          processes++;
          const key = `${service} ${op}`;
          byCommand[key] = (byCommand[key] ?? 0) + 1;
          opts.onCall?.(processes, key);
          if (err) {
            failures++;
            resolve({});
            return;
          }
          try {
            resolve(stdout.trim() ? (JSON.parse(stdout) as Json) : {});
          } catch {
            failures++;
            resolve({});
          }
        });
    });

  const started = performance.now();
  await aws(opts.regions[0] ?? 'us-east-1', 'sts', 'get-caller-identity');
  for (const region of opts.regions) {
    const keys = new Set<string>();
    const noteKey = (r: Json): void => {
      const k = str(r['KmsKeyId']);
      if (k) keys.add(k);
    };
    const clusters = list((await aws(region, 'rds', 'describe-db-clusters', '--page-size', '100'))['DBClusters']);
    clusters.forEach(noteKey);
    list((await aws(region, 'rds', 'describe-db-instances', '--page-size', '100'))['DBInstances']).forEach(noteKey);
    const snapshots = list((await aws(region, 'rds', 'describe-db-cluster-snapshots', '--page-size', '100'))['DBClusterSnapshots']);
    snapshots.forEach(noteKey);
    for (const s of snapshots) {
      const id = str(s['DBClusterSnapshotIdentifier']);
      if (s['SnapshotType'] === 'manual' && id) {
        await aws(region, 'rds', 'describe-db-cluster-snapshot-attributes', '--db-cluster-snapshot-identifier', id);
      }
    }
    // rds describe-db-cluster-automated-backups: not in this AWS CLI (2.9.19 has no such subcommand);
    // skipped, see UNSUPPORTED. Its keys are the clusters' keys in the generated account.
    const groups = new Set(clusters.map((c) => str(c['DBClusterParameterGroup'])).filter((g): g is string => g !== undefined));
    for (const g of [...groups].sort()) {
      await aws(region, 'rds', 'describe-db-cluster-parameters', '--db-cluster-parameter-group-name', g, '--page-size', '100');
    }
    if (keys.size > 0) await aws(region, 'kms', 'list-aliases', '--page-size', '100');
    for (const k of [...keys].sort()) {
      const meta = (await aws(region, 'kms', 'describe-key', '--key-id', k))['KeyMetadata'] as Json | undefined;
      await aws(region, 'kms', 'get-key-rotation-status', '--key-id', str(meta?.['KeyId']) ?? k);
    }
    const rules = list((await aws(region, 'configservice', 'describe-config-rules'))['ConfigRules']);
    await aws(region, 'configservice', 'describe-compliance-by-config-rule');
    for (const r of rules) {
      const name = str(r['ConfigRuleName']);
      if (!name) continue;
      await aws(region, 'configservice', 'get-compliance-details-by-config-rule', '--config-rule-name', name,
        '--compliance-types', 'COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', '--page-size', '100');
    }
    await aws(region, 'configservice', 'describe-configuration-recorders');
    await aws(region, 'configservice', 'describe-configuration-recorder-status');
  }
  return { processes, failures, wallMs: performance.now() - started, byCommand };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      regions: { type: 'string', default: '2' },
      clusters: { type: 'string', default: '20' },
      latency: { type: 'string', default: '20' },
    },
  });
  const { generateAccount, startSandbox } = await import('../src/sandbox/index.js');
  const fixture = generateAccount({ regions: Number(values.regions), clustersPerRegion: Number(values.clusters), seed: 42 });
  const sb = await startSandbox({ fixture, port: 0, latencyMs: Number(values.latency) });
  try {
    const regions = Object.keys(fixture.accounts[0]!.regions);
    const r = await runAwsCliLoop({ url: sb.url, regions, onCall: (n) => { if (n % 25 === 0) process.stderr.write(`  ${n} aws calls\n`); } });
    const stats = sb.stats();
    console.log(`aws processes  ${r.processes} (${r.failures} failed)`);
    console.log(`HTTP calls     ${stats.calls}`);
    console.log(`wall time      ${(r.wallMs / 1000).toFixed(2)} s`);
    console.log(`calls/s        ${(stats.calls / (r.wallMs / 1000)).toFixed(2)}`);
    for (const [k, n] of Object.entries(stats.byOperation).sort()) console.log(`  ${k.padEnd(48)} ${n}`);
  } finally {
    await sb.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
