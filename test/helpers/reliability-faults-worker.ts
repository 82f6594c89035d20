// Child process of test/reliability-faults.test.ts: `node --import tsx reliability-faults-worker.ts
// IN.json OUT.json` runs the fault cases of IN.json (an array of FaultCase) against its own
// sandbox and writes {clean: CleanOutcome[], outcomes: FaultOutcome[]} to OUT.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { sampleSandbox, useSandboxEnv } from './reliability-env.js';
import { runClean, runFaultCase, type FaultCase, type FaultOutcome } from './reliability-faults-plan.js';

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: reliability-faults-worker.ts IN.json OUT.json');
const cases = JSON.parse(readFileSync(input, 'utf8')) as FaultCase[];
const sb = await sampleSandbox();
useSandboxEnv(sb.url);
try {
  await runClean(false); // warm-up: module loading and process start-up are over before the plans run
  const clean = [await runClean(false), await runClean(true)];
  const started = Date.now();
  const outcomes: FaultOutcome[] = [];
  for (const c of cases) outcomes.push(await runFaultCase(sb, c));
  writeFileSync(output, JSON.stringify({ clean, outcomes, ms: Date.now() - started }));
} finally {
  await sb.close();
}
