// verifyPack: is this pack exactly what was signed, by whom, and does every embedded file
// match the manifest? Returns the Verify JSON of docs/ARCHITECTURE.md; throws only when the input is not
// a PDF at all (UnreadablePackError, CLI exit 2). A changed pack gives valid=false + problems.
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFParser, PDFRawStream, PDFString } from 'pdf-lib';
import { checkCms, cmsLength, digestRanges } from './cms.js';
import { MANIFEST_ATTACHMENT, RESULTS_ATTACHMENT } from './types.js';
import { canonicalJsonOfData, sha256Hex } from '../evidence/canonical.js';

export class UnreadablePackError extends Error {
  override name = 'UnreadablePackError';
}

export interface VerifyAttachment {
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
  signedAt: string | null;
  trusted: boolean;
  coversWholeFile: boolean;
  attachments: VerifyAttachment[];
  problems: string[];
}

const BYTE_RANGE = Buffer.from('/ByteRange');
const ID_KEY = Buffer.from('"id":"');

export async function verifyPack(file: string, opts: { trustPem?: string } = {}): Promise<VerifyResult> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw new UnreadablePackError(`${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return verifyPackBytes(buf, opts, file);
}

export async function verifyPackBytes(buf: Buffer, opts: { trustPem?: string } = {}, label = 'input'): Promise<VerifyResult> {
  const head = buf.subarray(0, 1024).indexOf('%PDF-');
  if (head < 0) throw new UnreadablePackError(`${label}: not a PDF file (no %PDF- header)`);

  const r: VerifyResult = {
    valid: false,
    signature: { subFilter: null, byteRange: null, digestAlgorithm: null, signatureValid: false, digestMatches: false },
    signer: null,
    signedAt: null,
    trusted: false,
    coversWholeFile: false,
    attachments: [],
    problems: [],
  };
  const problems = r.problems;
  const anchors = opts.trustPem === undefined ? [] : parsePems(opts.trustPem);
  let signer: X509Certificate | undefined;
  let chainCerts: X509Certificate[] = [];

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
          const cms = checkCms(der, (alg) => (alg === 'sha256' ? sha : digestRanges(buf, covered, alg)), anchors);
          r.signature.digestAlgorithm = cms.digestAlgorithm;
          r.signature.digestMatches = cms.digestMatches;
          r.signature.signatureValid = cms.signatureValid;
          problems.push(...cms.problems);
          signer = cms.signer;
          chainCerts = cms.certificates;
          if (cms.signedAt) r.signedAt = cms.signedAt.toISOString();
          if (signer) r.signer = signer.subject.split('\n').join(', ');
        }
      }
    }
  }

  // 2. trust: the signer chains to a certificate the user gave
  if (opts.trustPem !== undefined) {
    if (anchors.length === 0) problems.push('--trust holds no readable certificate');
    else if (signer) {
      r.trusted = chainsTo(signer, chainCerts, anchors);
      if (!r.trusted) problems.push('the signer certificate does not chain to a certificate given with --trust');
      else if (r.signedAt) {
        const t = Date.parse(r.signedAt);
        if (t < Date.parse(signer.validFrom) || t > Date.parse(signer.validTo)) {
          r.trusted = false;
          problems.push(`the signer certificate was not valid at the signing time (valid ${signer.validFrom} to ${signer.validTo})`);
        }
      }
    }
  }

  // 3. embedded files against the manifest; findings against the records
  await checkAttachments(buf, r);

  r.valid = problems.length === 0 && r.coversWholeFile && r.signature.digestMatches && r.signature.signatureValid && (opts.trustPem === undefined || r.trusted);
  return r;
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

/** Walks issuer links through the CMS's certificates until one of the anchors is reached. */
function chainsTo(leaf: X509Certificate, pool: X509Certificate[], anchors: X509Certificate[]): boolean {
  const isAnchor = (c: X509Certificate): boolean => anchors.some((a) => a.fingerprint256 === c.fingerprint256);
  let cur = leaf;
  for (let depth = 0; depth < 8; depth++) {
    if (isAnchor(cur)) return true;
    const issuer = [...anchors, ...pool].find((i) => i.fingerprint256 !== cur.fingerprint256 && i.subject === cur.issuer && cur.verify(i.publicKey));
    if (!issuer) return false;
    cur = issuer;
  }
  return false;
}

/** A bound on what one attachment may inflate to: a hostile file cannot exhaust memory. */
const MAX_ATTACHMENT_BYTES = 1 << 30;
const NAME_TREE_DEPTH = 16;

/** /Params /Size of an embedded file stream (a hint for the inflate buffer; not trusted as a bound). */
function sizeOf(stream: PDFRawStream): number | undefined {
  const params = stream.dict.lookup(PDFName.of('Params'));
  const size = params instanceof PDFDict ? params.lookup(PDFName.of('Size')) : undefined;
  return size instanceof PDFNumber ? size.asNumber() : undefined;
}

/**
 * The decoded bytes of an embedded file stream (FlateDecode, possibly repeated, or none).
 * node:zlib rather than pdf-lib's decodePDFRawStream: about twice as fast on a 90 MB
 * attachment, and maxOutputLength bounds a decompression bomb.
 */
function decodeStream(name: string, stream: PDFRawStream): Buffer {
  const filter = stream.dict.lookup(PDFName.of('Filter'));
  const filters = filter instanceof PDFArray ? Array.from({ length: filter.size() }, (_, i) => filter.lookup(i)) : filter === undefined ? [] : [filter];
  const size = sizeOf(stream);
  const raw = stream.getContents();
  let data = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  for (const f of filters) {
    if (f !== PDFName.of('FlateDecode')) throw new Error(`attachment ${name} has an unsupported stream filter`);
    // the size hint lets zlib inflate into one buffer instead of concatenating chunks
    const chunkSize = size !== undefined && size > 0 && size < MAX_ATTACHMENT_BYTES ? Math.max(64 * 1024, size + 1) : 64 * 1024;
    data = inflateSync(data, { maxOutputLength: MAX_ATTACHMENT_BYTES, chunkSize });
  }
  return data;
}

const keyword = (k: string): number[] => [...k].map((c) => c.charCodeAt(0));
const XREF = keyword('xref');
const TRAILER = keyword('trailer');
const STARTXREF = keyword('startxref');
const OBJ = keyword('obj');

/**
 * pdf-lib's parser without its recovery of damaged files. Between objects PDFParser steps past
 * anything that is not an object header, xref or trailer one byte at a time, trying an object
 * header at each byte: quadratic on a run of digits and ~100 s on a 46 MB pack with one
 * damaged object header (the 45 MB stream after it becomes "jibberish"). A pack has nothing
 * between objects but whitespace and comments, so here anything else is damage and ends the
 * parse (throwOnInvalidObject does the same for an object that does not parse).
 */
class StrictPdfParser extends PDFParser {
  constructor(bytes: Uint8Array) {
    super(bytes, Infinity, true);
    // skipJibberish is private in pdf-lib's typings; it is called as this.skipJibberish()
    (this as unknown as { skipJibberish: () => void }).skipJibberish = () => this.refuseJibberish();
  }

  private refuseJibberish(): void {
    this.skipWhitespaceAndComments();
    if (this.bytes.done()) return;
    const at = this.bytes.offset();
    const ok = this.matchKeyword(XREF) || this.matchKeyword(TRAILER) || this.matchKeyword(STARTXREF) || this.objectHeaderFollows();
    this.bytes.moveTo(at);
    if (!ok) throw new Error(`unexpected bytes between PDF objects at offset ${at}`);
  }

  private objectHeaderFollows(): boolean {
    try {
      this.parseRawInt();
      this.skipWhitespaceAndComments();
      this.parseRawInt();
      this.skipWhitespaceAndComments();
      return this.matchKeyword(OBJ);
    } catch {
      return false;
    }
  }
}

/** name -> embedded file bytes, from the catalog's /Names /EmbeddedFiles name tree (pdf-lib). */
async function readEmbeddedFiles(buf: Buffer): Promise<Map<string, Buffer>> {
  const context = await new StrictPdfParser(buf).parseDocument();
  if (context.trailerInfo.Encrypt) throw new Error('the PDF is encrypted');
  const files = new Map<string, Buffer>();
  const catalog = context.lookup(context.trailerInfo.Root);
  const names = catalog instanceof PDFDict ? catalog.lookup(PDFName.of('Names')) : undefined;
  const tree = names instanceof PDFDict ? names.lookup(PDFName.of('EmbeddedFiles')) : undefined;
  if (!(tree instanceof PDFDict)) return files;
  const seen = new Set<PDFDict>();
  const walk = (node: PDFDict, depth: number): void => {
    if (depth > NAME_TREE_DEPTH) throw new Error('the EmbeddedFiles name tree is too deep');
    if (seen.has(node)) throw new Error('the EmbeddedFiles name tree has a loop');
    seen.add(node);
    const pairs = node.lookup(PDFName.of('Names'));
    if (pairs instanceof PDFArray) {
      for (let i = 0; i + 1 < pairs.size(); i += 2) {
        const key = pairs.lookup(i);
        const spec = pairs.lookup(i + 1);
        if (!(key instanceof PDFString || key instanceof PDFHexString) || !(spec instanceof PDFDict)) continue;
        const name = key.decodeText();
        const ef = spec.lookup(PDFName.of('EF'));
        const stream = ef instanceof PDFDict ? ef.lookup(PDFName.of('F')) : undefined;
        if (!(stream instanceof PDFRawStream)) throw new Error(`attachment ${name} has no embedded stream`);
        files.set(name, decodeStream(name, stream));
      }
    }
    const kids = node.lookup(PDFName.of('Kids'));
    if (kids instanceof PDFArray) {
      for (let i = 0; i < kids.size(); i++) {
        const kid = kids.lookup(i);
        if (kid instanceof PDFDict) walk(kid, depth + 1);
      }
    }
  };
  walk(tree, 0);
  return files;
}

async function checkAttachments(buf: Buffer, r: VerifyResult): Promise<void> {
  const problems = r.problems;
  let files: Map<string, Buffer>;
  try {
    files = await readEmbeddedFiles(buf);
  } catch (e) {
    problems.push(`cannot read the embedded files: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const hashes = new Map<string, string>();
  for (const [name, bytes] of files) hashes.set(name, createHash('sha256').update(bytes).digest('hex'));

  const manifestBytes = files.get(MANIFEST_ATTACHMENT);
  let listed = new Map<string, string>();
  if (!manifestBytes) problems.push('no manifest.json attached');
  else {
    try {
      const manifest = JSON.parse(manifestBytes.toString('utf8')) as { runId?: string; files?: { path: string; sha256: string }[] };
      listed = new Map((manifest.files ?? []).map((f) => [f.path, f.sha256]));
      const results = files.get(RESULTS_ATTACHMENT);
      if (results && manifest.runId) {
        const runId = (JSON.parse(results.toString('utf8')) as { run?: { id?: string } }).run?.id;
        if (runId !== manifest.runId) problems.push(`results.json is for run ${runId ?? '?'}, the manifest for run ${manifest.runId}`);
      }
    } catch (e) {
      problems.push(`manifest.json is not readable JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const [name, sha] of hashes) {
    const want = listed.get(name);
    const att: VerifyAttachment = { name, sha256: sha, matchesManifest: want === undefined || want === sha, inManifest: want !== undefined };
    if (!att.matchesManifest) problems.push(`attachment ${name} does not match manifest.json (sha256 ${sha}, manifest says ${want})`);
    r.attachments.push(att);
  }
  for (const [path, sha] of listed) {
    if (!hashes.has(path)) {
      problems.push(`manifest.json lists ${path}, which is not attached`);
      r.attachments.push({ name: path, sha256: '', matchesManifest: false, inManifest: true });
      void sha;
    }
  }
  checkEvidenceIds(files, listed, problems);
}

/** Every evidence id a finding cites must be a record in the attached bundle. */
function checkEvidenceIds(files: Map<string, Buffer>, listed: Map<string, string>, problems: string[]): void {
  const results = files.get(RESULTS_ATTACHMENT);
  if (!results) {
    problems.push('no results.json attached');
    return;
  }
  let cited: Set<string>;
  try {
    const res = JSON.parse(results.toString('utf8')) as { controls?: { id: string; findings?: { evidence?: string[] }[] }[] };
    cited = new Set();
    for (const c of res.controls ?? []) for (const f of c.findings ?? []) for (const e of f.evidence ?? []) cited.add(e);
  } catch (e) {
    problems.push(`results.json is not readable JSON: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  if (cited.size === 0) return;
  // Only cited records are parsed: a scan for `"id":"<64 hex>"` finds candidate lines (a
  // superset: nested ids match too), and each cited id's line is parsed and must carry that id
  // at the top level and hash to it. Uncited lines are covered by the manifest hash alone;
  // parsing every line of a 100 MB bundle would dominate verify.
  const ids = new Set<string>();
  let altered = 0;
  const alteredIds: string[] = [];
  for (const [name, bytes] of files) {
    if (!name.endsWith('.jsonl') || (listed.size && !listed.has(name))) continue;
    const where = new Map<string, number[]>();
    for (let at = bytes.indexOf(ID_KEY); at >= 0; at = bytes.indexOf(ID_KEY, at + 1)) {
      const s = at + ID_KEY.length;
      if (bytes[s + 64] !== 0x22) continue;
      const id = bytes.toString('latin1', s, s + 64);
      if (!cited.has(id) || ids.has(id)) continue;
      const list = where.get(id);
      if (list) list.push(at);
      else where.set(id, [at]);
    }
    for (const [id, at] of [...where].flatMap(([k, v]) => v.map((i) => [k, i] as const))) {
      if (ids.has(id)) continue;
      const start = bytes.lastIndexOf(0x0a, at) + 1;
      let end = bytes.indexOf(0x0a, at);
      if (end < 0) end = bytes.length;
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(bytes.toString('utf8', start, end)) as Record<string, unknown>;
      } catch {
        problems.push(`${name}: the record line of ${id} is not JSON`);
        continue;
      }
      if (rec.id !== id) continue; // a nested match: not this record's id
      ids.add(id);
      // a cited record must still hash to its id (sha256 of its canonical JSON without id)
      const { id: _drop, ...draft } = rec;
      if (sha256Hex(canonicalJsonOfData(draft)) !== id) {
        altered++;
        if (alteredIds.length < 3) alteredIds.push(id);
      }
    }
  }
  if (altered) problems.push(`${altered} cited evidence record(s) do not hash to their id (the record was altered), e.g. ${alteredIds.join(', ')}`);
  const missing = [...cited].filter((id) => !ids.has(id));
  if (missing.length) problems.push(`${missing.length} evidence id(s) cited by findings are not among the attached records, e.g. ${missing.slice(0, 3).join(', ')}`);
}
