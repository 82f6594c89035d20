// A minimal DER reader: enough to walk a CMS SignedData and keep the exact bytes of each
// element (the signed attributes must be verified over the bytes as signed, not re-encoded).

export interface Tlv {
  tag: number;
  /** offset of the tag byte */
  start: number;
  /** offset of the first content byte */
  body: number;
  /** offset one past the last content byte */
  end: number;
}

export class DerError extends Error {
  override name = 'DerError';
}

export function readTlv(buf: Buffer, pos: number, limit: number = buf.length): Tlv {
  if (pos + 2 > limit) throw new DerError('truncated DER element');
  const tag = buf[pos]!;
  // tag 0 is end-of-contents (BER only): in DER it means zero padding was read as content
  if (tag === 0) throw new DerError('unexpected zero tag');
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not supported');
  let len = buf[pos + 1]!;
  let body = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('indefinite or oversized DER length');
    if (body + n > limit) throw new DerError('truncated DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[body + i]!;
    // DER: the shortest length form only, so one signature has one encoding
    if (len < 0x80 || buf[body] === 0) throw new DerError('non-minimal DER length');
    body += n;
  }
  const end = body + len;
  if (end > limit) throw new DerError('DER element runs past its container');
  return { tag, start: pos, body, end };
}

export function children(buf: Buffer, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = t.body;
  while (p < t.end) {
    const c = readTlv(buf, p, t.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new DerError(`malformed CMS: expected ${what}`);
  return t;
}

export function oid(buf: Buffer, t: Tlv): string {
  const b = buf.subarray(t.body, t.end);
  if (b.length === 0) throw new DerError('empty OID');
  const parts: number[] = [];
  const first = b[0]!;
  parts.push(first < 80 ? Math.floor(first / 40) : 2, first < 80 ? first % 40 : first - 80);
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

export function content(buf: Buffer, t: Tlv): Buffer {
  return buf.subarray(t.body, t.end);
}

/** UTCTime (0x17) or GeneralizedTime (0x18) -> Date. */
export function time(buf: Buffer, t: Tlv): Date {
  const s = buf.toString('latin1', t.body, t.end);
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s);
  if (!m) throw new DerError(`unreadable time ${JSON.stringify(s)}`);
  let y = Number(m[1]);
  if (t.tag === 0x17) y += y < 50 ? 2000 : 1900;
  return new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}
