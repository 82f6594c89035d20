// Engine throughput: 100,000 in-memory resources x 25 controls through evaluate(), three ways:
// findings kept in the results (evaluate() as a library call returns them), findings handed to
// a sink that drops them (the engine's own cost), and findings spooled to disk as `check` and
// `evaluate --output` do (src/output/results-file.ts, results.json streamed afterwards).
// Prints numbers only; run with `node --import tsx bench/engine.ts [memory|sink|spool]` (default:
// all three, each in a fresh process so one's heap does not weigh on the next). bench/run.ts
// imports measureEngine (and makeBundle / makeControls).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Assertion, Control } from '../src/controls/model.js';
import type { Collection, EvidenceBundle, EvidenceRecord } from '../src/evidence/model.js';
import { evaluate, type EvaluateOptions } from '../src/engine/evaluate.js';
import { FindingsSpool } from '../src/output/results-file.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ACCOUNTS = ['111122223333', '444455556666'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-central-1', 'eu-west-1', 'ap-southeast-2'];
const COLLECTOR = 'rds.db-clusters';
const now = new Date('2026-11-28T12:00:00Z');
const T0 = '2026-11-28T10:00:00.000Z';

/** `resources` Aurora cluster records over two accounts and five regions, ids not canonical (cheap). */
export function makeBundle(resources: number): EvidenceBundle {
  const records: EvidenceRecord[] = [];
  for (let i = 0; i < resources; i++) {
    const account = ACCOUNTS[i % ACCOUNTS.length]!;
    const region = REGIONS[i % REGIONS.length]!;
    const name = `cluster-${i}`;
    const engine = i % 3 === 0 ? 'aurora-mysql' : 'aurora-postgresql';
    const data = {
      DBClusterIdentifier: name,
      DBClusterArn: `arn:aws:rds:${region}:${account}:cluster:${name}`,
      Engine: engine,
      StorageEncrypted: i % 97 !== 0,
      KmsKeyId: `arn:aws:kms:${region}:${account}:key/${i}`,
      DeletionProtection: i % 51 !== 0,
      BackupRetentionPeriod: (i % 35) + 1,
      AvailabilityZones: [`${region}a`, `${region}b`, `${region}c`],
      DBClusterMembers: [
        { DBInstanceIdentifier: `${name}-1`, IsClusterWriter: true },
        { DBInstanceIdentifier: `${name}-2`, IsClusterWriter: false },
      ],
      EnabledCloudwatchLogsExports: engine === 'aurora-mysql' ? ['audit', 'error'] : ['postgresql'],
      ClusterCreateTime: new Date(now.getTime() - (i % 400) * 86_400_000).toISOString(),
      TagList: [{ Key: 'env', Value: i % 2 ? 'prod' : 'dev' }],
    };
    const draft = {
      collector: COLLECTOR, resourceType: 'AWS::RDS::DBCluster', resource: data.DBClusterArn, data,
      source: { service: 'rds', operation: 'DescribeDBClusters', parameters: {}, region, account, time: T0 },
    };
    // a real id would hash the canonical JSON; a cheap unique hash keeps setup time out of the way
    records.push({ ...draft, id: createHash('sha256').update(data.DBClusterArn).digest('hex') });
  }
  const collections: Collection[] = ACCOUNTS.flatMap((account) => REGIONS.map((region) => ({
    collector: COLLECTOR, account, region, status: 'ok' as const, calls: 1, records: 0, startedAt: T0, endedAt: T0,
  })));
  return {
    manifest: { formatVersion: 1, runId: 'bench', tool: { name: 'trustpack', version: 'bench' }, accounts: ACCOUNTS, regions: REGIONS, startedAt: T0, endedAt: T0, collections, files: [] },
    records,
  };
}

const ASSERTIONS: Assertion[] = [
  { path: 'StorageEncrypted', op: 'equals', value: true },
  { path: 'DeletionProtection', op: 'equals', value: true },
  { path: 'BackupRetentionPeriod', op: 'greater-or-equal', param: 'min_retention' },
  { path: 'BackupRetentionPeriod', op: 'less-or-equal', value: 35 },
  { path: 'AvailabilityZones', op: 'length-greater-or-equal', value: 3 },
  { path: 'KmsKeyId', op: 'matches', value: '^arn:aws:kms:' },
  { path: 'KmsKeyId', op: 'exists' },
  { path: 'Engine', op: 'in', value: ['aurora-mysql', 'aurora-postgresql'] },
  { path: 'ClusterCreateTime', op: 'newer-than-days', param: 'max_age_days' },
  { path: "DBClusterMembers[?IsClusterWriter].DBInstanceIdentifier", op: 'length-equals', value: 1 },
  { path: 'TagList[].Key', op: 'contains', value: 'env' },
  { path: 'EnabledCloudwatchLogsExports', op: 'all-in', value: ['audit', 'error', 'postgresql', 'slowquery'] },
  { any: [
    { all: [{ path: 'Engine', op: 'equals', value: 'aurora-mysql' }, { path: 'EnabledCloudwatchLogsExports', op: 'contains', value: 'audit' }] },
    { all: [{ path: 'Engine', op: 'equals', value: 'aurora-postgresql' }, { path: 'EnabledCloudwatchLogsExports', op: 'contains', value: 'postgresql' }] },
  ] },
  { all: [{ path: 'StorageEncrypted', op: 'equals', value: true }, { path: 'KmsKeyId', op: 'not-contains', value: 'alias/aws/rds' }] },
  { not: { path: 'Engine', op: 'equals', value: 'mysql' } },
];

/** 25 automated controls over rds.db-clusters, a mix of the assertion operators. */
export function makeControls(): Control[] {
  const controls: Control[] = [];
  for (let i = 0; i < 25; i++) {
    controls.push({
      id: `bench-control-${i}`, title: `bench ${i}`, description: 'd', severity: 'medium', kind: 'automated', collector: COLLECTOR,
      ...(i % 5 === 4 ? { scope: { path: 'Engine', op: 'matches', value: '^aurora' } } : {}),
      assert: ASSERTIONS[i % ASSERTIONS.length]!,
      parameters: {
        min_retention: { type: 'days', default: 7, description: 'days', unit: 'days' },
        max_age_days: { type: 'days', default: 365, description: 'days', unit: 'days' },
      },
      frameworks: { soc2: ['CC6.1'] }, remediation: 'r',
    });
  }
  return controls;
}

/** CPU seconds of this thread alone (Linux): steadier than wall time on a shared machine. */
export function mainThreadCpu(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ ticks
  } catch {
    return undefined;
  }
}

export interface EngineTiming {
  resources: number;
  controls: number;
  /** findings produced (resources x controls in scope) */
  evaluations: number;
  seconds: number;
  /** CPU of the main thread alone (undefined off Linux) */
  mainThreadCpuSeconds: number | undefined;
  /** CPU of all threads, GC helpers included */
  cpuSeconds: number;
  resourcesPerSecond: number;
  evaluationsPerSecond: number;
  heapMB: number;
  /** spool mode: the streamed results file (bytes) and the time to write it */
  resultsFile?: { bytes: number; seconds: number; mainThreadCpuSeconds: number | undefined };
}

/** Where findings go: kept in the results, dropped by a counting sink, or spooled to disk. */
export type EngineMode = 'memory' | 'sink' | 'spool';

/** Times one evaluate() of `controls` over `bundle` (after a small warm-up). */
export function measureEngine(bundle: EvidenceBundle = makeBundle(100_000), controls: Control[] = makeControls(), mode: EngineMode = 'memory'): EngineTiming {
  evaluate(controls.slice(0, 2), { ...bundle, records: bundle.records.slice(0, 2000) }, { toolVersion: 'bench', now }); // warm-up
  const tmp = mode === 'spool' ? mkdtempSync(join(os.tmpdir(), 'trustpack-bench-engine-')) : undefined;
  const out = tmp ? join(tmp, 'results.json') : '';
  const spool = tmp ? new FindingsSpool(out) : undefined;
  let dropped = 0;
  const opts: EvaluateOptions = {
    toolVersion: 'bench', now,
    ...(spool ? { sink: spool } : mode === 'sink' ? { sink: { add: () => { dropped++; } } } : {}),
  };
  try {
    const main0 = mainThreadCpu();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const results = evaluate(controls, bundle, opts);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const main1 = mainThreadCpu();
    const heapMB = process.memoryUsage().heapUsed / 1e6;
    let resultsFile: EngineTiming['resultsFile'];
    if (spool) {
      const w0 = process.hrtime.bigint();
      spool.writeResults(out, results);
      const main2 = mainThreadCpu();
      resultsFile = { bytes: statSync(out).size, seconds: Number(process.hrtime.bigint() - w0) / 1e9, mainThreadCpuSeconds: main1 !== undefined && main2 !== undefined ? main2 - main1 : undefined };
    }
    const evaluations = mode === 'memory' ? results.controls.reduce((n, c) => n + c.findings.length, 0)
      : spool ? results.controls.reduce((n, c) => n + spool.count(c.id), 0) : dropped;
    const resources = bundle.records.length;
    return {
      resources, controls: controls.length, evaluations, seconds,
      mainThreadCpuSeconds: main0 !== undefined && main1 !== undefined ? main1 - main0 : undefined,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      resourcesPerSecond: resources / seconds,
      evaluationsPerSecond: evaluations / seconds,
      heapMB,
      ...(resultsFile ? { resultsFile } : {}),
    };
  } finally {
    spool?.remove();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

function print(mode: EngineMode, t: EngineTiming): void {
  console.log(`-- findings: ${mode === 'memory' ? 'kept in the results (library call)' : mode === 'sink' ? 'handed to a sink that drops them (the engine alone)' : 'spooled to disk (check, evaluate --output)'}`);
  console.log(`resources            ${t.resources}`);
  console.log(`controls             ${t.controls}`);
  console.log(`evaluations          ${t.evaluations}`);
  console.log(`seconds              ${t.seconds.toFixed(3)}`);
  if (t.mainThreadCpuSeconds !== undefined) console.log(`main-thread cpu s  ${t.mainThreadCpuSeconds.toFixed(2)}`);
  console.log(`cpu seconds (all threads, incl. GC helpers)  ${t.cpuSeconds.toFixed(3)}`);
  console.log(`load average (1 min)  ${os.loadavg()[0]!.toFixed(2)}`);
  console.log(`resources/s          ${Math.round(t.resourcesPerSecond)}`);
  console.log(`evaluations/s        ${Math.round(t.evaluationsPerSecond)}`);
  console.log(`heap MB              ${Math.round(t.heapMB)}`);
  if (t.resultsFile) {
    const r = t.resultsFile;
    console.log(`results.json         ${(r.bytes / 1e6).toFixed(0)} MB streamed in ${r.seconds.toFixed(2)} s (main-thread cpu ${r.mainThreadCpuSeconds?.toFixed(2) ?? '?'} s)`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const RESOURCES = Number(process.env['BENCH_RESOURCES'] ?? 100_000);
  const mode = process.argv[2] as EngineMode | undefined;
  if (mode === 'memory' || mode === 'sink' || mode === 'spool') print(mode, measureEngine(makeBundle(RESOURCES), makeControls(), mode));
  else {
    for (const m of ['memory', 'sink', 'spool'] as const) {
      process.stdout.write(execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), m], { env: process.env }));
    }
  }
}
