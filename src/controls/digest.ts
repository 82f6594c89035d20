// One digest for a control catalog: shards of one estate must have been collected for the same
// catalog (merge refuses otherwise), and an archive entry names the catalog it was judged by.
import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import type { Control } from './model.js';

// CommonJS interop, as in src/evidence/canonical.ts
const canonicalize: (input: unknown) => string | undefined =
  typeof canonicalizeModule === 'function'
    ? (canonicalizeModule)
    : (canonicalizeModule).default;

/** sha256 of the RFC 8785 canonical JSON of the controls, sorted by id. */
export function catalogDigest(controls: readonly Control[]): string {
  const sorted = [...controls].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return createHash('sha256').update(canonicalize(JSON.parse(JSON.stringify(sorted))) ?? '').digest('hex');
}
