// Manual controls: proven by a current attestation, never by silence.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Attestation, Control } from '../controls/model.js';
import { DAY_MS } from './values.js';

export interface AttestationVerdict {
  current: boolean;
  /** one line: why it is current or not */
  reason: string;
  attestation?: Attestation;
}

/**
 * Where an attested document's bytes come from: a folder (the project's), or given text (a
 * control's own examples). `undefined` bytes: the document is not available to check.
 */
export type DocumentSource = { baseDir: string } | { text: string };

const isUrl = (s: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);

function documentBytes(a: Attestation, src: DocumentSource): Buffer | undefined {
  if ('text' in src) return Buffer.from(src.text, 'utf8');
  const path = isUrl(a.document) ? a.copy ?? a.document : a.document;
  const file = isAbsolute(path) ? path : resolve(src.baseDir, path);
  return existsSync(file) && statSync(file).isFile() ? readFileSync(file) : undefined;
}

function judge(c: Control, a: Attestation, now: Date, docs?: DocumentSource): AttestationVerdict {
  const at = Date.parse(a.attested_at);
  const exp = Date.parse(a.expires);
  const who = `attested by ${a.attested_by} on ${a.attested_at}`;
  if (Number.isNaN(at)) return { current: false, attestation: a, reason: `attestation date "${a.attested_at}" is not a valid date` };
  if (Number.isNaN(exp)) return { current: false, attestation: a, reason: `attestation expiry "${a.expires}" is not a valid date` };
  if (at > now.getTime()) return { current: false, attestation: a, reason: `attestation is dated in the future (${a.attested_at})` };
  if (exp <= now.getTime()) return { current: false, attestation: a, reason: `attestation expired on ${a.expires} (${who})` };
  const maxAge = c.attestation?.max_age_days;
  if (maxAge !== undefined) {
    const age = (now.getTime() - at) / DAY_MS;
    if (age > maxAge) {
      return { current: false, attestation: a, reason: `attestation is ${Math.floor(age)} days old, more than max_age_days = ${maxAge} days (${who})` };
    }
  }
  // a URL's content can change after it was attested: only a held copy can be hash-checked
  if (isUrl(a.document) && a.copy === undefined) {
    return { current: false, attestation: a, reason: `document ${a.document} is a URL, whose content can change: name the attested copy (copy: FILE, attached to the pack with attach: true) so its sha256 can be checked (${who})` };
  }
  if (a.attach === true && c.kind === 'inherited') {
    return { current: false, attestation: a, reason: `attach: true on an inherited control: the provider's report is never attached to the pack, only its sha256 printed (${who})` };
  }
  let docNote = '';
  if (docs !== undefined && ('text' in docs || !isUrl(a.document) || a.copy !== undefined)) {
    const bytes = documentBytes(a, docs);
    if (bytes !== undefined) {
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (sha !== a.sha256.toLowerCase()) {
        return { current: false, attestation: a, reason: `document ${a.copy ?? a.document} has sha256 ${sha}, but the attestation records ${a.sha256}: the document changed after it was attested` };
      }
      docNote = ', document hash verified';
    } else {
      if (a.copy !== undefined) return { current: false, attestation: a, reason: `the copy ${a.copy} of ${a.document} is not found, so its sha256 cannot be checked (${who})` };
      docNote = ', document not found locally so its hash was not checked';
    }
  }
  return { current: true, attestation: a, reason: `${who}, valid until ${a.expires}${docNote}` };
}

/** Picks the newest current attestation for the control, or explains why there is none. */
export function judgeAttestations(c: Control, all: readonly Attestation[], now: Date, docs?: string | DocumentSource): AttestationVerdict {
  const source = typeof docs === 'string' ? { baseDir: docs } : docs;
  const mine = all.filter((a) => a.control === c.id).sort((x, y) => Date.parse(y.attested_at) - Date.parse(x.attested_at));
  if (mine.length === 0) return { current: false, reason: `no attestation for ${c.id}; it needs: ${c.attestation?.evidence ?? 'an attestation'}` };
  const verdicts = mine.map((a) => judge(c, a, now, source));
  return verdicts.find((v) => v.current) ?? verdicts[0]!;
}
