// The pack's contract between the three modules that handle a pack: src/report draws it and
// names its attachments, src/signing signs it and says who signed, src/verify reads it back.
// Each imports these names from here, so the writer and the reader cannot drift apart. The
// attachment names are part of the Verify JSON contract (docs/CONTRACTS.md); this module
// imports nothing.

/** Names the run pack gives its own attachments (verify looks for them). */
export const RESULTS_ATTACHMENT = 'results.json';
export const OSCAL_ATTACHMENT = 'oscal-assessment-results.json';
export const MANIFEST_ATTACHMENT = 'manifest.json';

/**
 * The attachment name of an attested document (`report --attach-attestations`): its path as the
 * attestations file gives it, under attestations/, without leading ../ or / so that every reader
 * lists it inside the pack's own folder. verify finds the expected sha256 in results.json by it.
 */
/** The file an attestation's sha256 is of: the held copy of a URL document, else the document. */
export function attestationDocumentPath(a: { document: string; copy?: string }): string {
  return a.copy ?? a.document;
}

export function attestationAttachmentName(document: string): string {
  const parts = document.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
  return `attestations/${parts.join('/')}`;
}

/** Names the period pack gives its attachments. */
export const HISTORY_ATTACHMENT = 'history.json';
export const PERIOD_ATTACHMENT = 'period.json';
export const POPULATION_ATTACHMENT = 'population.tsv';
export const CRITERIA_ATTACHMENT = 'criteria.json';
export const REDRAW_ATTACHMENT = 'redraw-sample.sh';
export const bundleAttachmentName = (sha256: string) => `bundle-${sha256}.json`;
export const BUNDLE_ATTACHMENT = /^bundle-([0-9a-f]{64})\.json$/;

/** One run of a period pack as period.json lists it (and `verify --archive` checks it). */
export interface PeriodRunRef {
  n: number;
  entry: string;
  runId: string;
  asOf: string;
  source: string;
  bundle: string;
  results: string;
}

/** The signature's SubFilter: PAdES baseline, CMS with the ESS signing-certificate-v2 attribute. */
export const SIGNATURE_SUBFILTER = 'ETSI.CAdES.detached';

/** Who signed a pack, as the cover prints it and verify reports it. */
export interface SignerIdentity {
  commonName?: string;
  organisation?: string;
  /** the subject as `CN=..., O=...` */
  subject: string;
  issuer: string;
  serialNumber: string;
  certPem: string;
  notBefore: Date;
  notAfter: Date;
}
