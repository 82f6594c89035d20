// The layer table of docs/ARCHITECTURE.md as data, read by eslint.config.js (no-restricted-imports
// per folder, for static imports as one types them) and by test/import-graph.test.ts (every
// import, dynamic ones included, resolved to its file; plus the check for import cycles).
// A layer may import only what its row lists (and itself). `sdk` stands for the AWS SDK
// (@aws-sdk/*, @smithy/*). Change a row here and in ARCHITECTURE.md's table together.

/** @type {Record<string, string[]>} */
export const LAYERS = {
  'src/cli.ts': ['src/app', 'src/controls', 'src/util', 'src/version.ts'],
  'src/app': ['sdk', 'collectors', 'src/archive', 'src/aws', 'src/controls', 'src/engine', 'src/evidence', 'src/history', 'src/output', 'src/pack', 'src/report', 'src/sandbox', 'src/signing', 'src/util', 'src/verify', 'src/version.ts'],
  'src/report': ['src/controls', 'src/engine', 'src/evidence', 'src/history', 'src/pack', 'src/signing', 'src/util', 'src/version.ts'],
  'src/verify': ['src/evidence', 'src/pack', 'src/signing', 'src/util'],
  'src/signing': ['src/pack', 'src/util'],
  'src/pack': [],
  'src/history': ['src/archive', 'src/controls', 'src/engine', 'src/evidence', 'src/output', 'src/util'],
  'src/output': ['src/controls', 'src/engine', 'src/evidence', 'src/util', 'src/version.ts'],
  'src/engine': ['src/controls', 'src/evidence', 'src/util'],
  collectors: ['sdk', 'src/aws', 'src/controls', 'src/evidence', 'src/util'],
  // the catalog checks region names in the one place that knows them (src/aws/regions.ts: data, no SDK at import)
  'src/controls': ['src/aws', 'src/util', 'src/version.ts'],
  'src/archive': ['sdk', 'src/aws', 'src/evidence', 'src/util', 'src/version.ts'],
  'src/evidence': ['src/aws', 'src/util', 'src/version.ts'],
  'src/aws': ['sdk', 'src/util', 'src/version.ts'],
  'src/sandbox': ['src/aws', 'src/util', 'src/version.ts'],
  'src/util': ['src/version.ts'],
  'src/version.ts': [],
};

/** The layer a repository path (forward slashes) belongs to, or undefined outside the table. */
export function layerOf(path) {
  for (const layer of Object.keys(LAYERS)) {
    if (path === layer || path.startsWith(`${layer}/`)) return layer;
  }
  return undefined;
}

/** Whether an import specifier names the AWS SDK. */
export const isSdk = (specifier) => /^@(aws-sdk|smithy)\//.test(specifier);
