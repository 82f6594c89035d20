// Runs the built CLI (bin/trustpack.js -> dist/) as a user would, in a child process, after
// checking that dist/ was built from the current sources (see staleDist).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { builtDigest, DIGEST_FILE, sourcesDigest } from '../../scripts/sources-digest.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'trustpack.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let freshness: string | undefined;

/**
 * Why dist/ is not the current code, or undefined when it is: the build records the sha256 of
 * the sources it compiled (scripts/sources-digest.mjs), and a CLI test must not run stale code.
 */
export function staleDist(): string | undefined {
  const built = builtDigest(ROOT);
  if (built === undefined) return `dist/ has no ${DIGEST_FILE}: run npm run build before the CLI tests`;
  if (built !== sourcesDigest(ROOT)) return `dist/ was built from other sources than src/ and collectors/ hold now: run npm run build before the CLI tests`;
  return undefined;
}

export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<RunResult> {
  freshness ??= staleDist() ?? '';
  if (freshness) return Promise.reject(new Error(freshness));
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
