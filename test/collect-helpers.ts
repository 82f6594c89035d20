// Shared by the collect tests: the SDK pointed at a sandbox through AWS_ENDPOINT_URL, as a user
// would do it, with dummy keys that must never show up in evidence.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvidenceBundle, EvidenceRecord } from '../src/evidence/model.js';

export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const NOW = new Date('2026-11-28T23:30:00.000Z');
export const SAMPLE = new URL('../examples/sample/account.yaml', import.meta.url).pathname;

/** Points the SDK's own chains at the sandbox: endpoint, keys, no profile or config file. */
export function useSandboxEnv(url: string): void {
  process.env['AWS_ENDPOINT_URL'] = url;
  process.env['AWS_ACCESS_KEY_ID'] = ACCESS_KEY;
  process.env['AWS_SECRET_ACCESS_KEY'] = SECRET;
  delete process.env['AWS_SESSION_TOKEN'];
  delete process.env['AWS_PROFILE'];
  delete process.env['AWS_REGION'];
  delete process.env['AWS_DEFAULT_REGION'];
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_ENDPOINT_URL_')) delete process.env[k];
  process.env['AWS_CONFIG_FILE'] = '/nonexistent/trustpack-test/config';
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = '/nonexistent/trustpack-test/credentials';
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
}

export function byCollector(bundle: EvidenceBundle, id: string): EvidenceRecord[] {
  return bundle.records.filter((r) => r.collector === id);
}

export function data(r: EvidenceRecord | undefined): Record<string, any> {
  return (r?.data ?? {}) as Record<string, any>;
}

/** Every file of a written bundle, as text. */
export async function bundleText(dir: string): Promise<string> {
  const files = ['manifest.json', ...(await readdir(join(dir, 'records'))).map((f) => join('records', f))];
  const parts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
  return parts.join('\n');
}

