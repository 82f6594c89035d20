// RFC 5280 4.2.1.10 name constraints, applied whether the extension is marked critical or not
// (red team: a constrained CA issued O=Evil Corp and verify, which skipped the non-critical
// extension, trusted it; openssl says "permitted subtree violation"). The name forms trustpack's
// paths meet are checked: directory names (the subject), DNS names and email addresses (the
// subject alternative name). A constraint on a form a certificate below actually uses and this
// verifier does not check (IP addresses, URIs, other names) is a problem, never a pass.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { NameConstraints, type GeneralSubtree } from '@peculiar/asn1-x509';

export const NAME_CONSTRAINTS_OID = '2.5.29.30';
const SAN_OID = '2.5.29.17';

type Rdn = string;

/** A distinguished name as a list of normalised RDNs (type=value, case and spacing folded), most significant first. */
function rdnsOf(der: ArrayBuffer | Uint8Array): Rdn[] {
  const json = new x509.Name(der instanceof Uint8Array ? der : new Uint8Array(der)).toJSON();
  return json.map((rdn) => Object.entries(rdn).map(([type, values]) => `${type}=${values.map((v) => v.trim().replace(/\s+/g, ' ').toLowerCase()).join('+')}`).sort().join('+'));
}

const isPrefix = (base: Rdn[], name: Rdn[]): boolean => base.length <= name.length && base.every((r, i) => r === name[i]);

function dnsWithin(name: string, base: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const b = base.toLowerCase().replace(/^\./, '').replace(/\.$/, '');
  return b === '' || n === b || n.endsWith(`.${b}`);
}

function emailWithin(address: string, base: string): boolean {
  const a = address.toLowerCase();
  const b = base.toLowerCase();
  if (b.includes('@')) return a === b;
  const host = a.slice(a.lastIndexOf('@') + 1);
  return b.startsWith('.') ? host.endsWith(b) : host === b;
}

interface CertNames {
  subject: Rdn[];
  dns: string[];
  email: string[];
  /** name forms present that this module does not check */
  other: string[];
}

function namesOf(c: x509.X509Certificate): CertNames {
  const out: CertNames = { subject: rdnsOf(c.subjectName.toArrayBuffer()), dns: [], email: [], other: [] };
  const san = c.extensions.find((e) => e.type === SAN_OID);
  if (san) {
    for (const n of new x509.SubjectAlternativeNameExtension(san.rawData).names.items) {
      if (n.type === 'dns') out.dns.push(n.value);
      else if (n.type === 'email') out.email.push(n.value);
      else out.other.push(n.type);
    }
  }
  return out;
}

interface Subtrees {
  dn: Rdn[][];
  dns: string[];
  email: string[];
  other: string[];
}

function subtrees(list: GeneralSubtree[] | undefined): Subtrees {
  const out: Subtrees = { dn: [], dns: [], email: [], other: [] };
  for (const s of list ?? []) {
    const b = s.base;
    if (b.directoryName) out.dn.push(rdnsOf(AsnConvert.serialize(b.directoryName)));
    else if (b.dNSName !== undefined) out.dns.push(b.dNSName);
    else if (b.rfc822Name !== undefined) out.email.push(b.rfc822Name);
    else if (b.iPAddress !== undefined) out.other.push('ip');
    else if (b.uniformResourceIdentifier !== undefined) out.other.push('url');
    else out.other.push('other');
  }
  return out;
}

/**
 * Problems of `below` (the certificates under `ca` in the path, end certificate first) with the
 * name constraints of `ca`. Self-issued intermediates below are exempt, as RFC 5280 6.1.3 (b) says.
 */
export function nameConstraintProblems(ca: x509.X509Certificate, below: { cert: x509.X509Certificate; isEnd: boolean }[]): string[] {
  const e = ca.extensions.find((x) => x.type === NAME_CONSTRAINTS_OID);
  if (!e) return [];
  let nc: NameConstraints;
  try {
    nc = AsnConvert.parse(e.value, NameConstraints);
  } catch (err) {
    return [`the issuer certificate ${ca.subject} carries unreadable name constraints (${err instanceof Error ? err.message : String(err)})`];
  }
  const permitted = subtrees(nc.permittedSubtrees);
  const excluded = subtrees(nc.excludedSubtrees);
  const problems: string[] = [];
  for (const { cert, isEnd } of below) {
    if (!isEnd && cert.subject === cert.issuer) continue;
    const n = namesOf(cert);
    const violation = (what: string): void => {
      problems.push(`${cert.subject}: ${what} violates the name constraints of ${ca.subject}`);
    };
    if (n.subject.length > 0) {
      if (permitted.dn.length > 0 && !permitted.dn.some((b) => isPrefix(b, n.subject))) violation('its subject is outside every permitted directory name subtree and');
      if (excluded.dn.some((b) => isPrefix(b, n.subject))) violation('its subject is inside an excluded directory name subtree and');
    }
    for (const d of n.dns) {
      if (permitted.dns.length > 0 && !permitted.dns.some((b) => dnsWithin(d, b))) violation(`DNS name ${d}`);
      if (excluded.dns.some((b) => dnsWithin(d, b))) violation(`DNS name ${d}`);
    }
    for (const m of n.email) {
      if (permitted.email.length > 0 && !permitted.email.some((b) => emailWithin(m, b))) violation(`email address ${m}`);
      if (excluded.email.some((b) => emailWithin(m, b))) violation(`email address ${m}`);
    }
    const unchecked = [...permitted.other, ...excluded.other];
    if (n.other.length > 0 && unchecked.length > 0) problems.push(`${cert.subject}: name forms (${[...new Set(n.other)].join(', ')}) under name constraints this verifier does not check`);
  }
  return problems.map((p) => p.replace(' and violates', ', which violates'));
}
