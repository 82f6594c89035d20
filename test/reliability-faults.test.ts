// Reliability under faults: seeded random fault plans (test/helpers/reliability-faults-plan.ts) over
// the sandbox serving the sample account, collected in-process through the real SDK (in a few child
// processes side by side, each with its own sandbox: the SDK's back-off is real time) and evaluated
// with the shipped catalog. For every plan:
// - the run completes (the only early end allowed: the caller's own identity cannot be established,
//   a one-line UsageError the CLI turns into exit 1 or 2);
// - every collector x account x region of the run is in the manifest, and no control that needed a
//   failed collection (its collector or one of that collector's dependencies) is PASS or NOT_APPLICABLE;
// - when every collection is ok (all faults absorbed by retries), results and evidence are exactly
//   the clean run's;
// - every error collection carries a code and a one-line message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDependencies } from '../collectors/registry.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { REGIONS, ROOT, projectContext, sampleSandbox, useSandboxEnv } from './helpers/reliability-env.js';
import {
  faultCases, runClean, type CleanOutcome, type FaultCase, type FaultOutcome,
} from './helpers/reliability-faults-plan.js';

const SEED = 20261129;
const PLANS = 200;
const SHARDS = 4;
const CASES = faultCases(SEED, PLANS);
const WORKER = join(ROOT, 'test/helpers/reliability-faults-worker.ts');

let sb: Sandbox;
let tmp: string;
const clean = new Map<boolean, CleanOutcome>();
const outcomes: FaultOutcome[] = [];
const childClean: CleanOutcome[] = [];
const shardMs: number[] = [];

function runShard(cases: FaultCase[], n: number): Promise<void> {
  const input = join(tmp, `shard-${n}.json`);
  const output = join(tmp, `shard-${n}.out.json`);
  writeFileSync(input, JSON.stringify(cases));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, input, output], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`fault shard ${n} exited ${code}: ${stderr.slice(-4000)}`));
      const got = JSON.parse(readFileSync(output, 'utf8')) as { clean: CleanOutcome[]; outcomes: FaultOutcome[]; ms: number };
      shardMs.push(got.ms);
      childClean.push(...got.clean);
      outcomes.push(...got.outcomes);
      resolve();
    });
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tp-rel-faults-'));
  sb = await sampleSandbox();
  useSandboxEnv(sb.url);
  for (const role of [false, true]) clean.set(role, await runClean(role));
  const shards = Array.from({ length: SHARDS }, (_, n) => CASES.filter((c) => c.index % SHARDS === n));
  await Promise.all(shards.map((s, n) => runShard(s, n)));
  outcomes.sort((a, b) => a.index - b.index);
}, 280_000);
afterAll(async () => {
  await sb?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** control id -> every collector it reads, dependencies included */
function needs(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of projectContext().controls) if (c.kind === 'automated' && c.collector) out.set(c.id, withDependencies([c.collector]));
  return out;
}

const label = (o: { index: number }): string => {
  const c = CASES[o.index]!;
  return `plan #${c.index} (seed ${SEED}) ${JSON.stringify(c.plan)}${c.role ? ' via AssumeRole' : ''}`;
};

describe('the clean run', () => {
  it('has no error, is the same in every process, and passes controls', () => {
    for (const role of [false, true]) {
      const base = clean.get(role)!;
      expect(base.errors).toBe(0);
      // only what the sample cannot prove in two regions: AWS Backup recovery points' residency
      // needs --regions all (like rds-data-residency, which FAILs on its own defect first)
      expect(Object.entries(base.statuses).filter(([, s]) => s === 'ERROR').map(([id]) => id)).toEqual(['backup-recovery-point-residency']);
      expect(Object.values(base.statuses).filter((s) => s === 'PASS').length).toBeGreaterThan(10);
      for (const c of childClean.filter((x) => x.role === role)) expect(c).toEqual(base);
    }
  });
});

describe(`${PLANS} random fault plans (seed ${SEED})`, () => {
  it('every plan ran to completion', () => {
    expect(outcomes.map((o) => o.index)).toEqual(CASES.map((c) => c.index));
    const early = outcomes.filter((o) => o.thrown);
    const bad = early.filter((o) => {
      const t = o.thrown!;
      // the caller's own identity could not be established: nothing can be collected, one line
      return CASES[o.index]!.role || !t.usage || !/^(the AWS credentials were refused: \w+: |sts:GetCallerIdentity failed: \w+: |cannot reach the AWS endpoint: )/.test(t.message) || t.message.includes('\n');
    });
    expect(bad.map((o) => `${label(o)}: threw ${o.thrown!.name}: ${o.thrown!.message}`)).toEqual([]);
  });

  it('every collector, account and region of a run is accounted for', () => {
    const problems: string[] = [];
    const ids = new Set([...needs().values()].flat());
    for (const o of outcomes.filter((x) => !x.thrown)) {
      for (const col of ids) {
        const global = col === 'sts.caller-identity' || o.collections.some((c) => c.collector === col && c.region === 'global');
        for (const account of o.accounts) {
          for (const region of global ? ['global'] : REGIONS) {
            const n = o.collections.filter((c) => c.collector === col && c.account === account && c.region === region).length;
            if (n !== 1) problems.push(`${label(o)}: ${n} collections of ${col} in ${account}/${region}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('no control passes (or is not applicable) when evidence it needed could not be collected', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const o of outcomes.filter((x) => !x.thrown)) {
      for (const [id, collectors] of needs()) {
        const status = o.statuses[id];
        if (status === undefined) {
          problems.push(`${label(o)}: control ${id} missing from the results`);
          continue;
        }
        const broken = o.collections.filter((c) => collectors.includes(c.collector) && c.status === 'error');
        if (broken.length === 0) continue;
        checked++;
        if (status === 'PASS' || status === 'NOT_APPLICABLE') {
          problems.push(`${label(o)}: ${id} is ${status} although ${broken.map((b) => `${b.collector}@${b.region} (${b.error?.code})`).join(', ')} failed`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });

  it('when every collection is ok, the results and the evidence are exactly the clean run\'s', () => {
    const problems: string[] = [];
    // complete: every collection ok and no resource of it unreadable (a per-resource ERROR record is not the clean run's evidence)
    for (const o of outcomes.filter((x) => !x.thrown && x.collections.every((c) => c.status === 'ok' && !c.resourceErrors))) {
      const base = clean.get(CASES[o.index]!.role)!;
      if (o.resultsDigest !== base.resultsDigest) {
        const diff = Object.entries(o.statuses).filter(([id, s]) => base.statuses[id] !== s).map(([id, s]) => `${id}: ${base.statuses[id]} -> ${s}`);
        problems.push(`${label(o)}: ${o.injected} faults absorbed, yet the results differ from the clean run (${diff.join(', ') || 'same statuses, other findings'})`);
      }
      if (o.evidenceDigest !== base.evidenceDigest) problems.push(`${label(o)}: ${o.injected} faults absorbed, yet the evidence differs from the clean run`);
    }
    expect(problems).toEqual([]);
  });

  it('every error collection has a code and a one-line message', () => {
    const problems: string[] = [];
    for (const o of outcomes) {
      for (const c of o.collections.filter((x) => x.status === 'error')) {
        const e = c.error;
        const where = `${label(o)}: ${c.collector} ${c.account}/${c.region}`;
        if (!e || !/^[A-Za-z][\w.-]*$/.test(e.code)) problems.push(`${where}: no error code: ${JSON.stringify(e)}`);
        else if (e.message.trim() === '' || /[\r\n]/.test(e.message) || e.message.length > 500) problems.push(`${where}: not a one-line message: ${JSON.stringify(e.message)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the plans did inject faults, and runs both absorbed them and recorded errors', () => {
    const tally = {
      plans: outcomes.length,
      faultsInjected: outcomes.reduce((n, o) => n + o.injected, 0),
      plansThatInjected: outcomes.filter((o) => o.injected > 0).length,
      allOk: outcomes.filter((o) => !o.thrown && o.collections.every((c) => c.status === 'ok' && !c.resourceErrors)).length,
      allOkAfterFaults: outcomes.filter((o) => !o.thrown && o.injected > 0 && o.collections.every((c) => c.status === 'ok' && !c.resourceErrors)).length,
      // a failed list fails its collection; a failed call about one resource is a per-resource ERROR record
      withErrorCollections: outcomes.filter((o) => o.collections.some((c) => c.status === 'error' || c.resourceErrors)).length,
      identityLost: outcomes.filter((o) => o.thrown).length,
      shardMs,
      errorCodes: [...new Set(outcomes.flatMap((o) => o.collections.flatMap((c) => (c.error ? [c.error.code] : []))))].sort(),
    };
    console.log(`reliability-faults: ${JSON.stringify(tally)}`);
    expect(tally.plansThatInjected).toBeGreaterThanOrEqual(PLANS * 0.7);
    expect(tally.allOkAfterFaults).toBeGreaterThan(10);
    expect(tally.withErrorCollections).toBeGreaterThan(50);
  });
});
