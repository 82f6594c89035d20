// Shared by the sandbox tests: SDK client configuration pointed at a sandbox.
import type { Sandbox } from '../src/sandbox/index.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

export const NOW = new Date('2026-06-15T12:00:00Z');

export function clientConfig(sb: Sandbox, region: string, extra: Record<string, unknown> = {}) {
  return {
    endpoint: sb.url,
    region,
    credentials: { accessKeyId: 'AKIASANDBOXTEST00000', secretAccessKey: 'dummy' },
    maxAttempts: 1,
    ...extra,
  };
}
