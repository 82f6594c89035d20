// verifyPack: is this pack exactly what was signed, by whom, and does every embedded file
// match the manifest? Returns the Verify JSON of docs/ARCHITECTURE.md; throws only when the input is not
// a PDF at all (UnreadablePackError, CLI exit 2). A changed pack gives valid=false + problems.
import { createHash, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { checkCms, cmsLength, digestRanges } from './cms.js';
import { pemCertificates, revocationProblems, validatePath } from './x509-path.js';
import { checkTimestampToken } from '../signing/tsa.js';
import { decodedChunks, decodeWhole, HostilePdfError, InflateBudget, LIMITS, listEmbeddedFiles } from './pdf-embedded.js';
import { attestationAttachmentName, attestationDocumentPath, MANIFEST_ATTACHMENT, PERIOD_ATTACHMENT, RESULTS_ATTACHMENT } from '../pack/contract.js';
import { checkPeriodAttachments } from './period-verify.js';
import { canonicalJsonOfData, sha256Hex } from '../evidence/canonical.js';
import { JsonBudget, jsonShapeProblem } from '../verify/json-bounds.js';
import { revocationStatus } from '../verify/revocation.js';

export class UnreadablePackError extends Error {
  override name = 'UnreadablePackError';
}

interface VerifyAttachment {
  name: string;
  sha256: string;
  /** false only when manifest.json lists this path with another hash (or lists a file that is missing) */
  matchesManifest: boolean;
  /** whether manifest.json lists this file (results.json and the OSCAL document are covered by the signature only) */
  inManifest: boolean;
}

export interface VerifyResult {
  valid: boolean;
  signature: {
    subFilter: string | null;
    byteRange: number[] | null;
    digestAlgorithm: string | null;
    signatureValid: boolean;
    digestMatches: boolean;
  };
  signer: string | null;
  /** the signer's claimed time (the CMS signing time of older packs, else the signature dictionary's /M): never used to validate */
  signedAt: string | null;
  /** the RFC 3161 signature timestamp, when the pack carries one; trusted only when its TSA chains to --tsa-trust */
  timestamp: { time: string | null; tsa: string | null; trusted: boolean } | null;
  /** the time certificates were validated at (the trusted timestamp's, else now); null without --trust */
  validatedAt: string | null;
  trusted: boolean;
  coversWholeFile: boolean;
  attachments: VerifyAttachment[];
  /** the attestations results.json names, with the sha256 the pack prints for each document (run packs) */
  attestations: PrintedAttestation[];
  problems: string[];
}

export interface PrintedAttestation {
  control: string;
  document: string;
  /** the held copy of a URL document, which the sha256 is of */
  copy?: string;
  sha256: string;
  attested_by: string;
  attested_at: string;
  /** the pack's embedded copy (attestations/...), when it carries one */
  attachment: string | null;
}

const BYTE_RANGE = Buffer.from('/ByteRange');
const ID_KEY = Buffer.from('"id":"');

export interface VerifyOptions {
  /** PEM text of the trust anchors (--trust, repeatable, each file may be a bundle) */
  trustPem?: string;
  /** PEM text of extra intermediate CA certificates (--intermediates) */
  intermediatesPem?: string;
  /** PEM text of the time-stamping authorities' trust anchors (--tsa-trust) */
  tsaTrustPem?: string;
  /** the validation time when the pack carries no timestamp (default: now) */
  now?: Date;
  /** DER CRLs the verifier supplies (--crl): checked against every certificate of the path but the anchor */
  crls?: Buffer[];
  /** --require-revocation: a certificate of the path without a current CRL of its issuer makes the pack INVALID */
  requireRevocation?: boolean;
}

export async function verifyPack(file: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  let buf: Buffer;
  try {
    // a file over the cap is answered without being read; a device or pipe (/dev/zero) has no
    // size to check and could be endless
    const st = await stat(file);
    if (!st.isFile()) throw new UnreadablePackError(`${file}: not a regular file`);
    const size = st.size;
    if (size > LIMITS.maxInputBytes) return refused(`the file is ${size} bytes, over the cap of ${LIMITS.maxInputBytes} bytes for a pack`);
    buf = await readFile(file);
  } catch (e) {
    throw new UnreadablePackError(`${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return verifyPackBytes(buf, opts, file);
}

function emptyResult(): VerifyResult {
  return {
    valid: false,
    signature: { subFilter: null, byteRange: null, digestAlgorithm: null, signatureValid: false, digestMatches: false },
    signer: null,
    signedAt: null,
    timestamp: null,
    validatedAt: null,
    trusted: false,
    coversWholeFile: false,
    attachments: [],
    attestations: [],
    problems: [],
  };
}

/** A verdict for input refused before it is read (too large). */
function refused(problem: string): VerifyResult {
  const r = emptyResult();
  r.problems.push(problem);
  return r;
}

/**
 * Every input gets a verdict: anything thrown while checking (a bug, or a crafted file that
 * trips a library) becomes a problem and valid=false, never an exception (verify exits only
 * 0, 1 or 2). Only input that is not a PDF at all throws UnreadablePackError.
 */
export async function verifyPackBytes(buf: Buffer, opts: VerifyOptions = {}, label = 'input'): Promise<VerifyResult> {
  const head = buf.subarray(0, 1024).indexOf('%PDF-');
  if (head < 0) throw new UnreadablePackError(`${label}: not a PDF file (no %PDF- header)`);
  if (buf.length > LIMITS.maxInputBytes) return refused(`the input is ${buf.length} bytes, over the cap of ${LIMITS.maxInputBytes} bytes for a pack`);
  const r = emptyResult();
  try {
    await check(buf, opts, r);
  } catch (e) {
    r.problems.push(`verification stopped: ${e instanceof Error ? e.message : String(e)}`);
    r.valid = false;
  }
  return r;
}

async function check(buf: Buffer, opts: VerifyOptions, r: VerifyResult): Promise<void> {
  const problems = r.problems;
  const anchors = opts.trustPem === undefined ? [] : parsePems(opts.trustPem);
  const intermediates = opts.intermediatesPem === undefined ? [] : parsePems(opts.intermediatesPem);
  let signer: X509Certificate | undefined;
  let chainCerts: X509Certificate[] = [];
  let timestampToken: Buffer | undefined;
  let crls: Buffer[] = [];
  let signatureValue: Buffer | undefined;

  // 1. exactly one signature, and its byte range covers the whole file but the /Contents hole
  const at: number[] = [];
  for (let p = buf.indexOf(BYTE_RANGE); p >= 0 && at.length < 5; p = buf.indexOf(BYTE_RANGE, p + 1)) at.push(p);
  if (at.length === 0) problems.push('the pack carries no signature');
  else if (at.length > 1) problems.push(`the pack carries ${at.length} signatures (or signature revisions); expected exactly one`);
  if (at.length >= 1) {
    const p = at[0]!;
    const m = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(buf.toString('latin1', p, p + 80));
    const objStart = buf.lastIndexOf(' obj', p);
    const sub = /\/SubFilter\s*\/([A-Za-z0-9.#_-]+)/.exec(buf.toString('latin1', Math.max(objStart, p - 4096, 0), p + 512));
    r.signature.subFilter = sub ? sub[1]! : null;
    if (r.signature.subFilter && !['adbe.pkcs7.detached', 'ETSI.CAdES.detached'].includes(r.signature.subFilter)) problems.push(`unexpected signature SubFilter ${r.signature.subFilter}`);
    if (!m) problems.push('the signature /ByteRange is unreadable');
    else {
      const [a, b, c, d] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
      r.signature.byteRange = [a, b, c, d];
      r.coversWholeFile = a === 0 && b > 0 && c > b && c + d === buf.length;
      if (!r.coversWholeFile) {
        if (c + d < buf.length) problems.push(`${buf.length - (c + d)} bytes after the signed range: the file was changed or appended to after signing`);
        else problems.push('the signature byte range does not cover the whole file');
      }
      const holeOk = a === 0 && b > 0 && c > b + 1 && c <= buf.length && buf[b] === 0x3c && buf[c - 1] === 0x3e;
      if (!holeOk) problems.push('the signature /Contents is not where the byte range says');
      else {
        const hex = buf.toString('latin1', b + 1, c - 1);
        const der = parseHexStrict(hex);
        if (!der) problems.push('the signature /Contents is not a well-formed signature (altered hex or padding)');
        else {
          const covered: [number, number][] = [
            [a, b],
            [c, Math.min(d, buf.length - c)],
          ];
          const sha = digestRanges(buf, covered);
          const cms = checkCms(der, (alg) => (alg === 'sha256' ? sha : digestRanges(buf, covered, alg)), [...anchors, ...intermediates], r.signature.subFilter);
          timestampToken = cms.timestampToken;
          crls = cms.crls;
          signatureValue = cms.signatureValue;
          r.signature.digestAlgorithm = cms.digestAlgorithm;
          r.signature.digestMatches = cms.digestMatches;
          r.signature.signatureValid = cms.signatureValid;
          problems.push(...cms.problems);
          signer = cms.signer;
          chainCerts = cms.certificates;
          // the signature dictionary around the hole: its start up to /Contents, and from the hole to endobj
          const after = buf.toString('latin1', c, Math.min(buf.length, c + 2048)).split('endobj')[0]!;
          const claimed = cms.signedAt ?? claimedTime(buf.toString('latin1', Math.max(objStart, p - 4096, 0), b) + after);
          if (claimed) r.signedAt = claimed.toISOString();
          if (signer) r.signer = signer.subject.split('\n').join(', ');
        }
      }
    }
  }

  // 2. trust: a valid certificate path (RFC 5280) from the signer to a --trust anchor, at the
  // validation time. The signer's own claimed signing time is never that clock: a back-dated
  // or omitted signing time must not rescue an expired certificate.
  const now = opts.now ?? new Date();
  let trustedTime: Date | undefined;
  if (timestampToken && signatureValue) trustedTime = await checkTimestamp(timestampToken, signatureValue, opts, now, r);
  if (opts.trustPem !== undefined) {
    const anchorDers = pemCertificates(opts.trustPem);
    if (anchorDers.length === 0) problems.push('--trust holds no readable certificate');
    else if (signer) {
      const at = trustedTime ?? now;
      r.validatedAt = at.toISOString();
      const path = await validatePath({
        leaf: signer.raw,
        pool: [...chainCerts.map((c) => c.raw), ...pemCertificates(opts.intermediatesPem ?? '')],
        anchors: anchorDers,
        at,
        purpose: 'document-signing',
      });
      const revoked = path.ok && path.issuer && crls.length ? await revocationProblems(signer.raw, path.issuer, crls, at) : [];
      // the verifier's own CRLs (and, for --require-revocation, the embedded ones too) over the whole path
      const supplied = opts.crls ?? [];
      const status = path.ok && path.ders && (supplied.length > 0 || opts.requireRevocation)
        ? await revocationStatus({ path: path.ders, crls: opts.requireRevocation ? [...supplied, ...crls] : supplied, at, require: Boolean(opts.requireRevocation), role: 'signer' })
        : [];
      r.trusted = path.ok && revoked.length === 0 && status.length === 0;
      problems.push(...path.problems, ...revoked, ...status);
    }
  }

  // 3. embedded files against the manifest; findings against the records. Only once the
  // signature holds: a file that fails it is invalid already, and its attachments (a hostile
  // file's compression bombs) need not be read at all.
  // With --trust, only once the signer is trusted too: anyone can sign a hostile file with a
  // key of their own, so a signature alone does not earn the cost of reading what it covers.
  const signed = r.coversWholeFile && r.signature.digestMatches && r.signature.signatureValid;
  if (!signed) problems.push('the embedded files were not checked: the signature does not hold');
  else if (opts.trustPem !== undefined && !r.trusted) problems.push('the embedded files were not checked: the signer is not trusted');
  else await checkAttachments(buf, r);

  r.valid = problems.length === 0 && signed && (opts.trustPem === undefined || r.trusted);
}

/** The claimed signing time of the signature dictionary (/M (D:YYYYMMDDHHmmss...)), covered by the signature. */
function claimedTime(dict: string): Date | undefined {
  const m = /\/M\s*\(D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{2}'?\d{2}'?)?/.exec(dict);
  if (!m) return undefined;
  const tz = !m[7] || m[7] === 'Z' ? 'Z' : `${m[7].slice(0, 3)}:${m[7].replace(/'/g, '').slice(3, 5)}`;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${tz}`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * The signature timestamp: the token must be over this signature value and verify with its
 * TSA certificate; its time becomes the validation time only when that certificate's path to
 * --tsa-trust is valid now and covered the time it states.
 */
async function checkTimestamp(token: Buffer, signatureValue: Buffer, opts: VerifyOptions, now: Date, r: VerifyResult): Promise<Date | undefined> {
  const tc = checkTimestampToken(token, signatureValue);
  let tsa: string | null = null;
  try {
    if (tc.tsaCert) tsa = new X509Certificate(tc.tsaCert).subject.split('\n').join(', ');
  } catch {
    // named as unknown; the token's own check has said what is wrong
  }
  r.timestamp = { time: tc.time?.toISOString() ?? null, tsa, trusted: false };
  r.problems.push(...tc.problems.map((p) => `timestamp: ${p}`));
  if (!tc.time || !tc.tsaCert || opts.tsaTrustPem === undefined) return undefined;
  const anchors = pemCertificates(opts.tsaTrustPem);
  if (anchors.length === 0) {
    r.problems.push('--tsa-trust holds no readable certificate');
    return undefined;
  }
  const path = await validatePath({ leaf: tc.tsaCert, pool: tc.certificates, anchors, at: now, purpose: 'timestamping' });
  r.problems.push(...path.problems.map((p) => `timestamp: ${p}`));
  const cert = new X509Certificate(tc.tsaCert);
  if (tc.time < new Date(cert.validFrom) || tc.time > new Date(cert.validTo)) {
    r.problems.push(`timestamp: the TSA certificate was not valid at the time it states (${tc.time.toISOString()})`);
    return undefined;
  }
  if (!path.ok) return undefined;
  r.timestamp.trusted = true;
  return tc.time;
}

/** Strict: the DER in lowercase (or uppercase) hex, then only '0' padding. */
function parseHexStrict(hex: string): Buffer | undefined {
  if (hex.length % 2 || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  const all = Buffer.from(hex, 'hex');
  let len: number;
  try {
    len = cmsLength(all);
  } catch {
    return undefined;
  }
  const der = all.subarray(0, len);
  const pad = hex.slice(len * 2);
  if (!/^0*$/.test(pad)) return undefined;
  const body = hex.slice(0, len * 2);
  const lower = der.toString('hex');
  if (body !== lower && body !== lower.toUpperCase()) return undefined;
  return der;
}

function parsePems(pem: string): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)) {
    try {
      out.push(new X509Certificate(m[0]));
    } catch {
      // an unreadable block is reported as "no readable certificate" when nothing else is
    }
  }
  return out;
}

/** The JSON attachments parsed whole may be this large: generous for any real pack, bounded for a hostile one. */
const jsonCap = (inputBytes: number): number => Math.max(LIMITS.jsonFloor, 4 * inputBytes);

/** A JSON attachment decoded whole, its shape checked against the pack's JSON budget before anyone parses it. */
async function decodeJson(f: Parameters<typeof decodeWhole>[0], budget: InflateBudget, json: JsonBudget, inputBytes: number): Promise<Buffer> {
  const bytes = await decodeWhole(f, budget, jsonCap(inputBytes));
  if (f.name.endsWith('.json')) {
    const problem = jsonShapeProblem(f.name, bytes, json);
    if (problem) throw new HostilePdfError(problem);
  }
  return bytes;
}

/** name -> embedded file bytes, each decoded whole within the inflate budget (period packs, verify --archive). */
export async function readEmbeddedFiles(buf: Buffer): Promise<Map<string, Buffer>> {
  const budget = new InflateBudget(buf.length);
  const json = new JsonBudget();
  const files = new Map<string, Buffer>();
  for (const f of await listEmbeddedFiles(buf)) files.set(f.name, await decodeJson(f, budget, json, buf.length));
  return files;
}

async function checkAttachments(buf: Buffer, r: VerifyResult): Promise<void> {
  const problems = r.problems;
  const budget = new InflateBudget(buf.length);
  const json = new JsonBudget();
  try {
    const files = await listEmbeddedFiles(buf);
    const byName = new Map(files.map((f) => [f.name, f]));
    if (byName.has(PERIOD_ATTACHMENT)) {
      // a period pack: run manifests named by their sha256, history.json and period.json (all JSON)
      const whole = new Map<string, Buffer>();
      for (const f of files) whole.set(f.name, await decodeJson(f, budget, json, buf.length));
      problems.push(...checkPeriodAttachments(whole).problems);
      for (const [name, bytes] of whole) r.attachments.push({ name, sha256: createHash('sha256').update(bytes).digest('hex'), matchesManifest: true, inManifest: false });
      return;
    }
    // manifest.json and results.json first: they say what the others must hash to and which
    // evidence records the findings cite
    const manifestFile = byName.get(MANIFEST_ATTACHMENT);
    const resultsFile = byName.get(RESULTS_ATTACHMENT);
    const whole = new Map<string, Buffer>();
    for (const f of [manifestFile, resultsFile]) if (f) whole.set(f.name, await decodeJson(f, budget, json, buf.length));

    let listed = new Map<string, string>();
    const manifestBytes = manifestFile && whole.get(manifestFile.name);
    if (!manifestBytes) problems.push('no manifest.json attached');
    else {
      try {
        const manifest = JSON.parse(manifestBytes.toString('utf8')) as { runId?: string; files?: { path: string; sha256: string }[] };
        listed = new Map((manifest.files ?? []).map((f) => [f.path, f.sha256]));
        const results = resultsFile && whole.get(resultsFile.name);
        if (results && manifest.runId) {
          const runId = (JSON.parse(results.toString('utf8')) as { run?: { id?: string } }).run?.id;
          if (runId !== manifest.runId) problems.push(`results.json is for run ${runId ?? '?'}, the manifest for run ${manifest.runId}`);
        }
      } catch (e) {
        problems.push(`manifest.json is not readable JSON: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const { cited, attested, printed } = citedEvidence(resultsFile && whole.get(resultsFile.name), problems);
    r.attestations = printed;
    const scan = new RecordScan(cited, problems);

    for (const f of files) {
      const h = createHash('sha256');
      const bytes = whole.get(f.name);
      // evidence records are scanned while they stream by: never held whole
      const records = !bytes && cited.size > 0 && f.name.endsWith('.jsonl') && (listed.size === 0 || listed.has(f.name));
      if (bytes) h.update(bytes);
      else {
        for await (const chunk of decodedChunks(f, budget)) {
          h.update(chunk);
          if (records) scan.push(f.name, chunk);
        }
        if (records) scan.end(f.name);
      }
      const sha = h.digest('hex');
      const want = listed.get(f.name);
      const att: VerifyAttachment = { name: f.name, sha256: sha, matchesManifest: want === undefined || want === sha, inManifest: want !== undefined };
      if (!att.matchesManifest) problems.push(`attachment ${f.name} does not match manifest.json (sha256 ${sha}, manifest says ${want})`);
      // an attested document must be the one its attestation names, by sha256 (results.json)
      if (f.name.startsWith('attestations/') && want === undefined) {
        const expected = attested.get(f.name);
        if (!expected) problems.push(`attachment ${f.name} is not a document any attestation in results.json names`);
        else if (!expected.has(sha)) problems.push(`attachment ${f.name} has sha256 ${sha}, the attestation records ${[...expected].join(' or ')}`);
      }
      r.attachments.push(att);
    }
    for (const a of r.attestations) {
      const name = attestationAttachmentName(attestationDocumentPath(a));
      a.attachment = byName.has(name) ? name : null;
    }
    for (const path of listed.keys()) {
      if (!byName.has(path)) {
        problems.push(`manifest.json lists ${path}, which is not attached`);
        r.attachments.push({ name: path, sha256: '', matchesManifest: false, inManifest: true });
      }
    }
    scan.report();
  } catch (e) {
    problems.push(`cannot read the embedded files: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The evidence ids the findings of results.json cite, and the sha256 of each attested document by attachment name. */
function citedEvidence(results: Buffer | undefined, problems: string[]): { cited: Set<string>; attested: Map<string, Set<string>>; printed: PrintedAttestation[] } {
  const cited = new Set<string>();
  const attested = new Map<string, Set<string>>();
  const printed: PrintedAttestation[] = [];
  if (!results) {
    problems.push('no results.json attached');
    return { cited, attested, printed };
  }
  try {
    type A = { document?: unknown; copy?: unknown; sha256?: unknown; attested_by?: unknown; attested_at?: unknown };
    const res = JSON.parse(results.toString('utf8')) as { controls?: { id: string; findings?: { evidence?: string[] }[]; attestation?: A }[] };
    for (const c of res.controls ?? []) {
      for (const f of c.findings ?? []) for (const e of f.evidence ?? []) cited.add(e);
      const a = c.attestation;
      if (typeof a?.document === 'string' && typeof a.sha256 === 'string') {
        const copy = typeof a.copy === 'string' ? a.copy : undefined;
        const name = attestationAttachmentName(attestationDocumentPath({ document: a.document, ...(copy !== undefined ? { copy } : {}) }));
        attested.set(name, (attested.get(name) ?? new Set()).add(a.sha256.toLowerCase()));
        printed.push({
          control: String(c.id), document: a.document, ...(copy !== undefined ? { copy } : {}), sha256: a.sha256.toLowerCase(),
          attested_by: String(a.attested_by ?? ''), attested_at: String(a.attested_at ?? ''), attachment: null,
        });
      }
    }
  } catch (e) {
    problems.push(`results.json is not readable JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { cited, attested, printed };
}

/**
 * Every evidence id a finding cites must be a record in the attached bundle and still hash to
 * its id. Records stream by line (JSONL); a line is parsed only when it holds
 * `"id":"<cited id>"`, and at most once, so the scan is linear in the bytes. Uncited lines are
 * covered by the manifest hash alone: parsing every line of a 100 MB bundle would dominate
 * verify.
 */
class RecordScan {
  private readonly found = new Set<string>();
  private readonly alteredIds: string[] = [];
  private altered = 0;
  private partial: Buffer[] = [];
  private partialBytes = 0;

  constructor(
    private readonly cited: Set<string>,
    private readonly problems: string[],
  ) {}

  push(name: string, chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      if (this.partial.length) {
        this.partial.push(piece);
        this.line(name, Buffer.concat(this.partial, this.partialBytes + piece.length));
        this.partial = [];
        this.partialBytes = 0;
      } else this.line(name, piece);
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.partialBytes += chunk.length - start;
      if (this.partialBytes > LIMITS.maxRecordLine) throw new HostilePdfError(`${name}: a record line longer than ${LIMITS.maxRecordLine / 1048576} MiB`);
      // a copy: the chunk's memory belongs to the inflater
      this.partial.push(Buffer.from(chunk.subarray(start)));
    }
  }

  end(name: string): void {
    if (this.partial.length) this.line(name, Buffer.concat(this.partial, this.partialBytes));
    this.partial = [];
    this.partialBytes = 0;
  }

  private line(name: string, line: Buffer): void {
    let candidate: string | undefined;
    for (let at = line.indexOf(ID_KEY); at >= 0; at = line.indexOf(ID_KEY, at + 1)) {
      const s = at + ID_KEY.length;
      if (line[s + 64] !== 0x22) continue;
      const id = line.toString('latin1', s, s + 64);
      if (this.cited.has(id) && !this.found.has(id)) {
        candidate = id;
        break;
      }
    }
    if (candidate === undefined) return;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line.toString('utf8')) as Record<string, unknown>;
    } catch {
      this.problems.push(`${name}: the record line of ${candidate} is not JSON`);
      return;
    }
    const id = rec.id;
    if (typeof id !== 'string' || !this.cited.has(id) || this.found.has(id)) return; // a nested match: not this record's id
    this.found.add(id);
    // a cited record must still hash to its id (sha256 of its canonical JSON without id)
    const { id: _drop, ...draft } = rec;
    if (sha256Hex(canonicalJsonOfData(draft)) !== id) {
      this.altered++;
      if (this.alteredIds.length < 3) this.alteredIds.push(id);
    }
  }

  report(): void {
    if (this.altered) this.problems.push(`${this.altered} cited evidence record(s) do not hash to their id (the record was altered), e.g. ${this.alteredIds.join(', ')}`);
    if (this.cited.size === 0) return;
    const missing = [...this.cited].filter((id) => !this.found.has(id));
    if (missing.length) this.problems.push(`${missing.length} evidence id(s) cited by findings are not among the attached records, e.g. ${missing.slice(0, 3).join(', ')}`);
  }
}
