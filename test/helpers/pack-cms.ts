// A signed pack's CMS as a verifier extracts it (the /ByteRange hole, the DER inside it, the
// signed bytes), and the pack with a given RFC 3161 token as its signature-timestamp attribute:
// what the signature and timestamp tests take apart and forge.
import { createRequire } from 'node:module';
import type forgeNs from 'node-forge';
import { expect } from 'vitest';
import { checkCms, digestRanges } from '../../src/verify/cms.js';

const forge = createRequire(import.meta.url)('node-forge') as typeof forgeNs;
type Asn1 = forgeNs.asn1.Asn1;
const SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';

/** The DER length of the element at the start (the hex hole is zero-padded). */
function derLength(der: Buffer): number {
  const l = der[1]!;
  if (l < 0x80) return 2 + l;
  const n = l & 0x7f;
  return 2 + n + der.readUIntBE(2, n);
}

/** The CMS DER (exactly, without the hole's padding), the signed bytes, and the hole's bounds b and c of /ByteRange [a b c d]. */
export function packSignature(pdf: Buffer): { der: Buffer; signed: Buffer; b: number; c: number } {
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(pdf.toString('latin1'))!;
  const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number];
  const hex = pdf.toString('latin1', b + 1, c - 1).replace(/(00)+$/, '');
  const der = Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
  return { der: der.subarray(0, derLength(der)), signed: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]), b, c };
}

/** The pack's CMS, checked against its signed bytes. */
export function cmsOf(pdf: Buffer): { der: Buffer; signed: Buffer; cms: ReturnType<typeof checkCms> } {
  const { der, signed } = packSignature(pdf);
  const sha = digestRanges(signed, [[0, signed.length]]);
  return { der, signed, cms: checkCms(der, () => sha) };
}

/**
 * `pdf` with `token` as its SignerInfo's signature-timestamp attribute: the one there replaced,
 * or added when there is none (the signature value untouched), re-encoded into the same hole.
 */
export function withToken(pdf: Buffer, token: Buffer): Buffer {
  const { der, b, c } = packSignature(pdf);
  const a = forge.asn1;
  const ci = a.fromDer(forge.util.createBuffer(der.toString('binary')));
  const sd = ((ci.value as Asn1[])[1]!.value as Asn1[])[0]!.value as Asn1[];
  const si = (sd.at(-1)!.value as Asn1[])[0]!.value as Asn1[];
  const tokenAsn1 = a.fromDer(forge.util.createBuffer(token.toString('binary')));
  const unsigned = si.find((n) => n.tagClass === a.Class.CONTEXT_SPECIFIC && n.type === 1);
  const existing = (unsigned?.value as Asn1[] | undefined)?.find((attr) => a.derToOid((attr.value as Asn1[])[0]!.value as never) === SIGNATURE_TIMESTAMP);
  if (existing) ((existing.value as Asn1[])[1]!.value as Asn1[])[0] = tokenAsn1;
  else {
    si.push(a.create(a.Class.CONTEXT_SPECIFIC, 1, true, [a.create(a.Class.UNIVERSAL, a.Type.SEQUENCE, true, [
      a.create(a.Class.UNIVERSAL, a.Type.OID, false, a.oidToDer(SIGNATURE_TIMESTAMP).getBytes()),
      a.create(a.Class.UNIVERSAL, a.Type.SET, true, [tokenAsn1]),
    ])]));
  }
  const hex = Buffer.from(a.toDer(ci).getBytes(), 'binary').toString('hex');
  const hole = c - b - 2;
  expect(hex.length).toBeLessThanOrEqual(hole);
  return Buffer.concat([pdf.subarray(0, b + 1), Buffer.from(hex.padEnd(hole, '0')), pdf.subarray(c - 1)]);
}
