// `sandbox`: serve a fixture account until interrupted.
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../version.js';
import { UsageError } from './errors.js';

export const SAMPLE_FIXTURE = join(PACKAGE_ROOT, 'examples', 'sample', 'account.yaml');

export async function runSandbox(o: { fixture?: string; port: string; faults?: string; latency?: string; log: (s: string) => void; print: (s: string) => void }): Promise<void> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0 to 65535, got '${o.port}'`);
  const latency = o.latency === undefined ? undefined : Number(o.latency);
  if (latency !== undefined && (!Number.isFinite(latency) || latency < 0)) throw new UsageError(`--latency must be a number of milliseconds, got '${o.latency}'`);
  const { startSandbox, loadFixture, loadFaultPlan } = await import('../sandbox/index.js');
  const fixture = loadFixture(o.fixture ?? SAMPLE_FIXTURE);
  const sandbox = await startSandbox({
    fixture, port,
    ...(o.faults ? { faults: loadFaultPlan(o.faults) } : {}),
    ...(latency !== undefined ? { latencyMs: latency } : {}),
  });
  o.print(`sandbox listening on ${sandbox.url} (fixture: ${o.fixture ?? SAMPLE_FIXTURE})`);
  o.print(`  export AWS_ENDPOINT_URL=${sandbox.url} AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox AWS_REGION=us-east-1`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sandbox.close();
  o.log(`sandbox stopped after ${sandbox.stats().calls} calls`);
}
