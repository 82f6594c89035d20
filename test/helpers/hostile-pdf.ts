// Builds small hand-written PDFs for the attack regression tests: a page, a signature field
// with a placeholder, embedded files given as raw (already compressed) streams, and any extra
// objects. The result is then signed like a pack (signPdf), so that verify's signature check
// passes and the attack reaches the parts of verify it aims at.
import { createDeflate, deflateSync } from 'node:zlib';

export interface RawAttachment {
  name: string;
  /** the stream bytes as stored (FlateDecode when `flate`) */
  stream: Buffer;
  flate: boolean;
}

export interface HostileSpec {
  attachments: RawAttachment[];
  /** extra indirect objects, written as given (`N 0 obj ... endobj` included) */
  extraObjects?: Buffer[];
  /** name tree entries to write instead of one per attachment (for duplicate names) */
  nameEntries?: { name: string; attachment: number }[];
}

/** A PDF literal string. */
const lit = (s: string): string => `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;

export function hostilePdf(spec: HostileSpec): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets = new Map<number, number>();
  let size = parts[0]!.length;
  const add = (num: number, body: Buffer | string): void => {
    offsets.set(num, size);
    const b = Buffer.concat([Buffer.from(`${num} 0 obj\n`), typeof body === 'string' ? Buffer.from(body, 'latin1') : body, Buffer.from('\nendobj\n')]);
    parts.push(b);
    size += b.length;
  };
  const first = 10; // attachment objects: filespec 10+2i, stream 11+2i
  const entries = spec.nameEntries ?? spec.attachments.map((a, i) => ({ name: a.name, attachment: i }));
  const names = entries.map((e) => `${lit(e.name)} ${first + 2 * e.attachment} 0 R`).join(' ');
  add(1, `<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [${names}] >> >> /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>`);
  add(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  add(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>');
  add(4, '<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] /V 5 0 R /T (Signature1) /F 4 /P 3 0 R >>');
  add(5, `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 /********** /********** /**********] /Contents <${'0'.repeat(16384)}> /M (D:20260301000000Z) >>`);
  spec.attachments.forEach((a, i) => {
    add(first + 2 * i, `<< /Type /Filespec /F ${lit(a.name)} /UF ${lit(a.name)} /EF << /F ${first + 2 * i + 1} 0 R >> >>`);
    add(first + 2 * i + 1, Buffer.concat([Buffer.from(`<< /Type /EmbeddedFile /Length ${a.stream.length}${a.flate ? ' /Filter /FlateDecode' : ''} >>\nstream\n`), a.stream, Buffer.from('\nendstream')]));
  });
  for (const o of spec.extraObjects ?? []) {
    parts.push(o);
    size += o.length;
  }
  const max = Math.max(...offsets.keys());
  let xref = `xref\n0 ${max + 1}\n0000000000 65535 f \n`;
  for (let n = 1; n <= max; n++) {
    const o = offsets.get(n);
    xref += o === undefined ? '0000000000 65535 f \n' : `${String(o).padStart(10, '0')} 00000 n \n`;
  }
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${max + 1} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`));
  return Buffer.concat(parts);
}

export const flate = (b: Buffer | string): Buffer => deflateSync(typeof b === 'string' ? Buffer.from(b) : b);

/** deflate of `bytes` zero bytes, streamed so the zeros never sit in memory. */
export async function deflatedZeros(bytes: number): Promise<Buffer> {
  const z = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((res, rej) => {
    z.on('end', () => res());
    z.on('error', rej);
  });
  const chunk = Buffer.alloc(1 << 20);
  for (let left = bytes; left > 0; left -= chunk.length) {
    if (!z.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await new Promise((r) => z.once('drain', r));
  }
  z.end();
  await done;
  return Buffer.concat(out);
}
