// Who is calling and where: read from the SigV4 Authorization header's credential scope.
// The sandbox does NOT verify signatures: it is a local test endpoint, not a security
// boundary, and any client with any dummy key must be able to talk to it.

export interface CallScope {
  accessKeyId?: string;
  region?: string;
  service?: string;
}

const CREDENTIAL = /Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request/;

export function parseAuthorization(header: string | undefined): CallScope {
  if (!header) return {};
  const m = CREDENTIAL.exec(header);
  if (!m) return {};
  return { accessKeyId: m[1], region: m[3], service: m[4] };
}

/**
 * Temporary keys from AssumeRole encode the account: ASIA + 12 digits + S + 3 characters of the
 * session (20 characters, like AWS keys), so the account survives even without the session table.
 */
export function accessKeyFor(account: string, sessionToken: string): string {
  return `ASIA${account}S${sessionToken.slice(0, 3)}`;
}

export function accountOfKey(accessKeyId: string | undefined): string | undefined {
  const m = accessKeyId ? /^ASIA(\d{12})S[A-Z2-7]{3}$/.exec(accessKeyId) : null;
  return m?.[1];
}
