// Deterministic RFC 4122 version-5 UUIDs, so the same results always give the same
// OSCAL document (the signed pack must be byte-identical for the same input).
import { createHash } from 'node:crypto';

/** Fixed namespace for every trustpack-derived UUID (itself a random v4 UUID). */
const TRUSTPACK_UUID_NAMESPACE = '5b0d7a57-3c1e-4f7a-9d2b-7e1c4a8f6e30';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/**
 * UUID v5 (SHA-1, RFC 4122 section 4.3) of `parts` in the trustpack namespace.
 * Parts are JSON-encoded as an array so ["a", "bc"] and ["ab", "c"] never collide.
 */
export function uuidV5(...parts: string[]): string {
  const hash = createHash('sha1').update(uuidBytes(TRUSTPACK_UUID_NAMESPACE)).update(JSON.stringify(parts), 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50; // version 5
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
