// Revocation the verifier controls (`verify --crl FILE`, `--require-revocation`): every
// certificate of the validated path but the trust anchor is checked against CRLs its issuer
// signed. A CRL counts when it is signed by the certificate's issuer and current
// (thisUpdate <= validation time <= nextUpdate); a certificate is revoked when listed with a
// revocation date at or before the validation time, or at any date for keyCompromise (a key
// known compromised signs nothing trustworthy, whenever it was reported). Indirect and delta
// CRLs are refused with that reason: they need a scope this verifier does not build.
import 'reflect-metadata'; // @peculiar/x509 (via tsyringe) needs the Reflect metadata API
import * as x509 from '@peculiar/x509';

const DELTA_CRL_INDICATOR = '2.5.29.27';
const ISSUING_DISTRIBUTION_POINT = '2.5.29.28';
const KEY_COMPROMISE = 1;

/** CRLs from files given as DER or PEM (X509 CRL or CRL blocks); a file that is neither is an error naming it. */
export function crlDers(files: { name: string; bytes: Buffer }[]): { ders: Buffer[]; problems: string[] } {
  const ders: Buffer[] = [];
  const problems: string[] = [];
  for (const f of files) {
    const text = f.bytes.toString('latin1');
    if (text.includes('-----BEGIN')) {
      const blocks = [...text.matchAll(/-----BEGIN (?:X509 )?CRL-----([\s\S]*?)-----END (?:X509 )?CRL-----/g)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
      if (blocks.length === 0) problems.push(`${f.name}: a PEM file without an X509 CRL block`);
      ders.push(...blocks);
    } else ders.push(f.bytes);
  }
  return { ders, problems };
}

interface ParsedCrl {
  crl: x509.X509Crl;
  /** why this CRL cannot be used, when it cannot */
  refused?: string;
}

function parseCrl(der: Buffer): ParsedCrl | string {
  let crl: x509.X509Crl;
  try {
    crl = new x509.X509Crl(der);
  } catch (e) {
    return `an unreadable CRL (${e instanceof Error ? e.message : String(e)})`;
  }
  const types = crl.extensions.map((e) => e.type);
  if (types.includes(DELTA_CRL_INDICATOR)) return { crl, refused: 'is a delta CRL, which this verifier does not apply (give the complete CRL)' };
  if (types.includes(ISSUING_DISTRIBUTION_POINT)) {
    // the IDP's indirectCRL flag (or any scope it sets) means entries may concern other issuers or only some certificates
    return { crl, refused: 'carries an issuing distribution point (an indirect or partitioned CRL), which this verifier does not apply' };
  }
  return { crl };
}

const bareSerial = (s: string): string => s.toLowerCase().replace(/^0+/, '');

export interface RevocationInput {
  /** DER of the validated path: end certificate first, trust anchor last */
  path: Buffer[];
  crls: Buffer[];
  at: Date;
  /** every certificate but the anchor must have a current CRL of its issuer */
  require: boolean;
  /** 'signer' or 'TSA', for messages */
  role: string;
}

/** Problems of the path's revocation status; empty when nothing is revoked (and, with require, everything is covered). */
export async function revocationStatus(input: RevocationInput): Promise<string[]> {
  const problems: string[] = [];
  const parsed: ParsedCrl[] = [];
  for (const der of input.crls) {
    const p = parseCrl(der);
    if (typeof p === 'string') problems.push(p);
    else parsed.push(p);
  }
  const certs = input.path.map((d) => new x509.X509Certificate(d));
  for (let i = 0; i < certs.length - 1; i++) {
    const cert = certs[i]!;
    const issuer = certs[i + 1]!;
    const who = i === 0 ? `the ${input.role} certificate ${cert.subject}` : `the issuer certificate ${cert.subject}`;
    let current = false;
    for (const { crl, refused } of parsed) {
      if (crl.issuerName.toString() !== issuer.subjectName.toString()) continue;
      if (refused) {
        problems.push(`the CRL of ${issuer.subject} ${refused}`);
        continue;
      }
      let signed: boolean;
      try {
        signed = await crl.verify({ publicKey: issuer.publicKey });
      } catch {
        signed = false;
      }
      if (!signed) {
        problems.push(`a CRL naming ${issuer.subject} as its issuer does not verify with that certificate's key`);
        continue;
      }
      if (!crl.nextUpdate) {
        problems.push(`the CRL of ${issuer.subject} has no nextUpdate (not RFC 5280 conforming)`);
        continue;
      }
      const isCurrent = crl.thisUpdate <= input.at && input.at <= crl.nextUpdate;
      const entry = crl.entries.find((e) => bareSerial(e.serialNumber) === bareSerial(cert.serialNumber));
      if (entry && (entry.revocationDate <= input.at || entry.reason === KEY_COMPROMISE)) {
        problems.push(`${who} is revoked (${entry.reason === KEY_COMPROMISE ? 'keyCompromise, ' : ''}on ${entry.revocationDate.toISOString()}; CRL of ${issuer.subject} issued ${crl.thisUpdate.toISOString()})`);
      }
      if (isCurrent) current = true;
    }
    if (input.require && !current) problems.push(`${who} has no current revocation data (a CRL of ${issuer.subject} valid at ${input.at.toISOString()}); --require-revocation makes that INVALID`);
  }
  return problems;
}
