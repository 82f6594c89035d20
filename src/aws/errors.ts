// Turns whatever a collection threw into the manifest's {code, message}: one line, no stack,
// never a credential. AWS error codes are kept as AWS names them (AccessDenied, Throttling...).

export interface CollectionError {
  code: string;
  message: string;
}

const MAX_MESSAGE = 300;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/**
 * Removes anything shaped like a credential: access key ids (AKIA/ASIA...), 40-character secret
 * keys, session tokens and signatures, and the values of any known secrets passed in.
 */
export function scrubSecrets(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const secret of known) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out
    .replace(/\b(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g, '[redacted]')
    .replace(/(Signature|Credential|X-Amz-Security-Token|X-Amz-Signature|aws_secret_access_key|aws_session_token|SecretAccessKey|SessionToken)([=:"\s]+)[^\s,"&]+/gi, '$1$2[redacted]')
    .replace(/(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g, '[redacted]')
    .replace(/[A-Za-z0-9/+=]{100,}/g, '[redacted]');
}

function oneLine(text: string): string {
  const line = text
    // SDK boilerplate that says nothing about this failure
    .replace(/^@smithy\/[\w-]+ - \[\w+\] /, '')
    .replace(/\s*Deserialization error: to see the raw response, inspect the hidden field \{error\}\.\$response on this object\./, '')
    .replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

/** {code, message} for the manifest from any thrown value. */
export function describeError(err: unknown, knownSecrets: readonly string[] = []): CollectionError {
  const e = (err ?? {}) as {
    name?: string; code?: string; message?: string; $fault?: string; $metadata?: { attempts?: number; httpStatusCode?: number };
    $response?: unknown; cause?: unknown;
  };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const rawMessage = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  const attempts = e.$metadata?.attempts;
  const after = attempts && attempts > 1 ? ` (after ${attempts} attempts)` : '';
  const msg = (m: string): string => oneLine(scrubSecrets(m, knownSecrets)) + after;
  const causeCode = (e.cause as { code?: string } | undefined)?.code;
  const sysCode = typeof e.code === 'string' ? e.code : causeCode;

  if (e.code === 'MalformedResponse' || name === 'MalformedResponseError') return { code: 'MalformedResponse', message: msg(rawMessage) };
  if (name === 'AbortError') return { code: 'Aborted', message: 'the collection was stopped' };
  // the pacer's ConnectionFailure: refused, DNS or unreachable, already "CODE: message"
  if (name === 'NetworkError') return { code: 'NetworkError', message: msg(rawMessage) };
  // the pacer gave up on a call AWS kept throttling: AWS's own code
  if (name === 'ThrottledPastRetries') return { code: String((err as { throttledCode?: unknown }).throttledCode ?? 'Throttling'), message: msg(rawMessage) };
  if (name === 'TimeoutError' || sysCode === 'ETIMEDOUT' || /timed? ?out|did not complete within/i.test(rawMessage) && !e.$fault) {
    return { code: 'Timeout', message: msg(rawMessage) };
  }
  if (sysCode && NETWORK_CODES.has(sysCode)) return { code: 'NetworkError', message: msg(`${sysCode}: ${rawMessage}`) };
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') return { code: 'CredentialsError', message: msg(rawMessage) };
  if (e.$fault === 'client' || e.$fault === 'server') {
    // A service error AWS named. An unknown name with an unparseable body means a broken answer.
    if (/Deserialization error|Unexpected token|not valid JSON|Unexpected end|parse/i.test(rawMessage) && (name === 'Error' || name.startsWith('Unknown'))) {
      return { code: 'MalformedResponse', message: msg(rawMessage) };
    }
    return { code: name, message: msg(rawMessage) };
  }
  if (name === 'SyntaxError' || /Deserialization error|Unexpected token|not valid JSON|Unexpected end of|Unexpected close tag|Invalid XML|char .* is not expected|parse/i.test(rawMessage)) {
    return { code: 'MalformedResponse', message: msg(rawMessage) };
  }
  return { code: name === 'Error' ? 'Error' : name, message: msg(rawMessage) };
}
