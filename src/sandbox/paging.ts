// Pagination as AWS does it: a page size, and an opaque token that resumes after the last item.
import { ApiError } from './errors.js';

export interface Page<T> { items: T[]; next?: string }

/**
 * Slices `all` from the position `token` encodes. The token names the operation, so a token
 * from one listing is refused by another, as AWS refuses foreign markers.
 */
export function page<T>(all: readonly T[], size: number, token: string | undefined, scope: string, badToken: () => ApiError): Page<T> {
  let start = 0;
  if (token !== undefined && token !== '') {
    const decoded = decodeToken(token);
    if (!decoded || decoded.scope !== scope || decoded.offset > all.length) throw badToken();
    start = decoded.offset;
  }
  const end = start + size;
  const items = all.slice(start, end);
  return end < all.length ? { items, next: encodeToken(scope, end) } : { items };
}

/**
 * A token that resumes at the end of `all`: its page is empty and carries no token. AWS answers
 * that way now and then (the last page is empty but the one before it had a marker).
 */
export function tokenAtEnd(scope: string, length: number): string {
  return encodeToken(scope, length);
}

function encodeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset }), 'utf8').toString('base64url');
}

function decodeToken(token: string): { scope: string; offset: number } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: unknown; o?: unknown };
    if (typeof v.s === 'string' && typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0) return { scope: v.s, offset: v.o };
  } catch {
    // not ours: fall through
  }
  return undefined;
}
