// Shared by the reliability suites: the sample account in a sandbox, the SDK pointed at it through
// the environment (as a user would), the repo's project context, and small file-system helpers.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { loadProjectContext, type ProjectContext } from '../../src/app/project.js';
import { evaluate } from '../../src/engine/evaluate.js';
import type { EvidenceBundle } from '../../src/evidence/model.js';
import type { Results } from '../../src/engine/results.js';
import { ROOT } from './cli.js';

export { ROOT };
export const SAMPLE_ACCOUNT = join(ROOT, 'examples/sample/account.yaml');
export const PROJECT_FILE = join(ROOT, 'examples', 'sample', 'trustpack.yaml');
export const ACCOUNT = '111122223333';
export const REGIONS = ['us-east-1', 'eu-central-1'];
/** a fixed clock: same evidence, same record ids, same results */
export const NOW = new Date('2026-11-28T23:30:00.000Z');
export const TOOL_VERSION = '0.1.0-reliability';
const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';

export async function sampleSandbox(opts: { latencyMs?: number; fixedClock?: boolean } = {}): Promise<Sandbox> {
  const fixed = opts.fixedClock ?? true;
  return startSandbox({
    fixture: loadFixture(SAMPLE_ACCOUNT, fixed ? NOW : undefined), port: 0,
    ...(fixed ? { now: NOW } : {}),
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
  });
}

/** The environment a CLI child (or this process) needs to reach the sandbox and nothing else. */
export function sandboxEnv(url: string, secret = 'reliability-dummy-secret-key', session?: string): Record<string, string | undefined> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: secret,
    AWS_SESSION_TOKEN: session,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: '/nonexistent/trustpack-reliability/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/trustpack-reliability/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Applies sandboxEnv to this process (the in-process collectEvidence reads the SDK's chains). */
export function useSandboxEnv(url: string, secret?: string, session?: string): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_ENDPOINT_URL_')) delete process.env[k];
  for (const [k, v] of Object.entries(sandboxEnv(url, secret, session))) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

let context: ProjectContext | undefined;
/** The shipped catalog, waivers and attestations, through the sample's trustpack.yaml. */
export function projectContext(): ProjectContext {
  context ??= loadProjectContext({ project: PROJECT_FILE });
  return context;
}

export function evaluateSample(bundle: EvidenceBundle): Results {
  const ctx = projectContext();
  return evaluate(ctx.controls, bundle, {
    toolVersion: TOOL_VERSION, now: NOW, project: ctx.project, waivers: ctx.waivers, attestations: ctx.attestations,
    ...(ctx.attestationBaseDir ? { attestationBaseDir: ctx.attestationBaseDir } : {}),
  });
}

/** Every file below `dir` (relative paths, sorted), dot-names included. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** A line of a stack trace, as Node prints them. */
export const STACK_LINE = /^\s+at .+/m;
