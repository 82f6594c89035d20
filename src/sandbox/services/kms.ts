// KMS (JSON 1.1, X-Amz-Target: TrentService.<Op>): describe keys, rotation status, list keys and
// aliases; Sign and GetPublicKey for asymmetric SIGN_VERIFY keys (trustpack's KMS-held signing key).
import { createHash, createPrivateKey, createPublicKey, constants, privateEncrypt } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { ApiError } from '../errors.js';
import { page } from '../paging.js';
import type { Key } from '../model.js';
import type { CallContext, Handler } from './context.js';

function notFound(ref: string, ctx: CallContext): ApiError {
  const what = ref.includes('alias/') ? `Alias ${ref.startsWith('arn:') ? ref : `arn:aws:kms:${ctx.region.name}:${ctx.account.id}:${ref}`}` : `Key '${ref.startsWith('arn:') ? ref : `arn:aws:kms:${ctx.region.name}:${ctx.account.id}:key/${ref}`}'`;
  return new ApiError('NotFoundException', 400, `${what} is not found.`);
}

function param(ctx: CallContext, name: string): string {
  const v = ctx.json[name];
  if (typeof v !== 'string' || v === '') throw new ApiError('ValidationException', 400, `1 validation error detected: Value null at '${name[0]!.toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return v;
}

/** KeyId may be a key id, key ARN, alias name or alias ARN, as in AWS. */
function resolveKey(ctx: CallContext, ref: string): Key {
  // Another account's key: only by its full key ARN, and only on the key's own region endpoint.
  const arn = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/.exec(ref);
  if (arn && (arn[2] !== ctx.account.id || arn[1] !== ctx.region.name)) {
    const owner = ctx.fixture.accounts.find((a) => a.id === arn[2]);
    const key = arn[1] === ctx.region.name ? owner?.regions[arn[1]]?.keys.find((k) => k.metadata.Arn === ref) : undefined;
    if (!key) throw notFound(ref, ctx);
    return key;
  }
  let id = ref;
  if (ref.startsWith('alias/') || /^arn:aws:kms:[^:]+:\d{12}:alias\//.test(ref)) {
    const alias = ctx.region.aliases.find((a) => a.AliasName === ref || a.AliasArn === ref);
    if (!alias?.TargetKeyId) throw notFound(ref, ctx);
    id = alias.TargetKeyId;
  }
  const key = ctx.region.keys.find((k) => k.metadata.KeyId === id || k.metadata.Arn === id);
  if (!key) throw notFound(ref, ctx);
  return key;
}

function limit(ctx: CallContext, dflt: number, max: number): number {
  const v = ctx.json['Limit'];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw new ApiError('ValidationException', 400, `1 validation error detected: Value '${String(v)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${max}`);
  }
  return v;
}

function marker(ctx: CallContext): string | undefined {
  const m = ctx.json['Marker'];
  return typeof m === 'string' ? m : undefined;
}

const badMarker = () => new ApiError('InvalidMarkerException', 400, 'The request was rejected because the marker that specifies where pagination should next begin is not valid.');

/**
 * The key policy, as far as the sandbox models it: another account may call only what the key
 * grants it; the owner's principals anything the key does not deny.
 */
function authorize(ctx: CallContext, key: Key, operation: string): void {
  const caller = ctx.session?.arn ?? ctx.account.callerArn;
  const owner = key.metadata['AWSAccountId'];
  const allowed = owner === ctx.account.id ? !key.deny?.includes(operation) : Boolean(key.grants?.[ctx.account.id]?.includes(operation));
  if (!allowed) {
    const why = owner === ctx.account.id ? 'with an explicit deny in a resource-based policy' : `because no resource-based policy allows the kms:${operation} action`;
    throw new ApiError('AccessDeniedException', 400, `User: ${caller} is not authorized to perform: kms:${operation} on resource: ${key.metadata.Arn} ${why}`);
  }
}

const describeKey: Handler = (ctx) => {
  const key = resolveKey(ctx, param(ctx, 'KeyId'));
  authorize(ctx, key, 'DescribeKey');
  return { KeyMetadata: key.metadata };
};

const getKeyRotationStatus: Handler = (ctx) => {
  const ref = param(ctx, 'KeyId');
  if (ref.includes('alias/')) throw notFound(ref, ctx); // AWS accepts only key ids and ARNs here
  const key = resolveKey(ctx, ref);
  authorize(ctx, key, 'GetKeyRotationStatus');
  const origin = key.metadata.Origin;
  if (origin === 'EXTERNAL' || origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE' || key.metadata['KeySpec'] !== 'SYMMETRIC_DEFAULT') {
    throw new ApiError('UnsupportedOperationException', 400, `${key.metadata.Arn} origin is ${origin} which is not valid for this operation.`);
  }
  return {
    KeyRotationEnabled: key.rotationEnabled,
    KeyId: key.metadata.Arn,
    RotationPeriodInDays: key.rotationPeriodInDays,
    NextRotationDate: key.nextRotationDate,
  };
};

// Completed rotations, automatic or on demand; AWS answers for the caller's own keys only.
const listKeyRotations: Handler = (ctx) => {
  const ref = param(ctx, 'KeyId');
  if (ref.includes('alias/')) throw notFound(ref, ctx);
  const key = resolveKey(ctx, ref);
  if (key.metadata['KeySpec'] !== 'SYMMETRIC_DEFAULT' || key.metadata.Origin === 'AWS_CLOUDHSM' || key.metadata.Origin === 'EXTERNAL_KEY_STORE') {
    throw new ApiError('UnsupportedOperationException', 400, `${key.metadata.Arn} origin is ${key.metadata.Origin} which is not valid for this operation.`);
  }
  const p = page(key.rotations ?? [], limit(ctx, 100, 1000), marker(ctx), `kms:ListKeyRotations:${key.metadata.KeyId}`, badMarker);
  return { Rotations: p.items, NextMarker: p.next, Truncated: p.next !== undefined };
};

// The key policy document; AWS knows one policy name per key, "default".
const getKeyPolicy: Handler = (ctx) => {
  const key = resolveKey(ctx, param(ctx, 'KeyId'));
  authorize(ctx, key, 'GetKeyPolicy');
  const name = ctx.json['PolicyName'] ?? 'default';
  if (name !== 'default') throw new ApiError('NotFoundException', 400, `Policy ${String(name)} is not found.`);
  return { Policy: key.policy, PolicyName: 'default' };
};

const listGrants: Handler = (ctx) => {
  const key = resolveKey(ctx, param(ctx, 'KeyId'));
  authorize(ctx, key, 'ListGrants');
  const p = page(key.grantList ?? [], limit(ctx, 50, 100), marker(ctx), `kms:ListGrants:${key.metadata.KeyId}`, badMarker);
  return { Grants: p.items, NextMarker: p.next, Truncated: p.next !== undefined };
};

const listKeys: Handler = (ctx) => {
  const p = page(ctx.region.keys, limit(ctx, 100, 1000), marker(ctx), 'kms:ListKeys', badMarker);
  return { Keys: p.items.map((k) => ({ KeyId: k.metadata.KeyId, KeyArn: k.metadata.Arn })), NextMarker: p.next, Truncated: p.next !== undefined };
};

const listAliases: Handler = (ctx) => {
  let aliases = ctx.region.aliases;
  const keyRef = ctx.json['KeyId'];
  if (typeof keyRef === 'string') {
    const key = resolveKey(ctx, keyRef);
    aliases = aliases.filter((a) => a.TargetKeyId === key.metadata.KeyId);
  }
  const p = page(aliases, limit(ctx, 50, 100), marker(ctx), `kms:ListAliases:${String(keyRef ?? '')}`, badMarker);
  return { Aliases: p.items, NextMarker: p.next, Truncated: p.next !== undefined };
};

// ---- asymmetric signing keys: Sign, GetPublicKey ----

/** A key usable for Sign/GetPublicKey as AWS checks it: enabled, asymmetric, SIGN_VERIFY. */
function signingKey(ctx: CallContext, forSign: boolean): Key & { privateKeyPem: string } {
  const key = resolveKey(ctx, param(ctx, 'KeyId'));
  const arnOf = key.metadata.Arn;
  const state = key.metadata['KeyState'];
  if (state === 'Disabled') throw new ApiError('DisabledException', 400, `${arnOf} is disabled.`);
  if (state !== 'Enabled') throw new ApiError('KMSInvalidStateException', 400, `${arnOf} is ${String(state)}.`);
  if (!key.privateKeyPem) {
    if (!forSign) throw new ApiError('UnsupportedOperationException', 400, `${arnOf} key usage is ${String(key.metadata['KeyUsage'])} which is not valid for GetPublicKey.`);
    throw new ApiError('InvalidKeyUsageException', 400, `${arnOf} key usage is ${String(key.metadata['KeyUsage'])} which is not valid for Sign.`);
  }
  return key as Key & { privateKeyPem: string };
}

const getPublicKey: Handler = (ctx) => {
  const key = signingKey(ctx, false);
  const spki = createPublicKey(key.privateKeyPem).export({ type: 'spki', format: 'der' });
  return {
    KeyId: key.metadata.Arn,
    PublicKey: spki.toString('base64'),
    CustomerMasterKeySpec: key.metadata['KeySpec'],
    KeySpec: key.metadata['KeySpec'],
    KeyUsage: 'SIGN_VERIFY',
    SigningAlgorithms: key.metadata['SigningAlgorithms'],
  };
};

// DigestInfo prefixes (RFC 8017 9.2) for PKCS#1 v1.5 over a digest computed by the caller
const DIGEST_INFO: Record<string, { hash: string; length: number; prefix: string }> = {
  RSASSA_PKCS1_V1_5_SHA_256: { hash: 'sha256', length: 32, prefix: '3031300d060960864801650304020105000420' },
  RSASSA_PKCS1_V1_5_SHA_384: { hash: 'sha384', length: 48, prefix: '3041300d060960864801650304020205000430' },
  RSASSA_PKCS1_V1_5_SHA_512: { hash: 'sha512', length: 64, prefix: '3051300d060960864801650304020305000440' },
};

const sign: Handler = (ctx) => {
  const key = signingKey(ctx, true);
  const algorithm = param(ctx, 'SigningAlgorithm');
  const supported = (key.metadata['SigningAlgorithms'] as string[] | undefined) ?? [];
  if (!supported.includes(algorithm)) throw new ApiError('InvalidKeyUsageException', 400, `${algorithm} is not a valid signing algorithm for ${key.metadata.Arn} (${String(key.metadata['KeySpec'])}).`);
  const messageType = ctx.json['MessageType'] ?? 'RAW';
  if (messageType !== 'RAW' && messageType !== 'DIGEST') throw new ApiError('ValidationException', 400, `1 validation error detected: Value '${String(messageType)}' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [DIGEST, RAW]`);
  const message = Buffer.from(param(ctx, 'Message'), 'base64');
  if (message.length === 0 || message.length > 4096) throw new ApiError('ValidationException', 400, `1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length between 1 and 4096`);
  let signature: Buffer;
  if (algorithm === 'ECDSA_SHA_256') {
    const digest = messageType === 'DIGEST' ? message : createHash('sha256').update(message).digest();
    if (digest.length !== 32) throw new ApiError('ValidationException', 400, `Digest is invalid length for algorithm ${algorithm}.`);
    // node:crypto always hashes what it signs; KMS signs the digest it is given, with a random k
    // (extraEntropy) as KMS does: ECDSA signatures differ each time
    const d = Buffer.from(createPrivateKey(key.privateKeyPem).export({ format: 'jwk' }).d!, 'base64url');
    signature = Buffer.from(p256.sign(digest, d, { prehash: false, format: 'der', extraEntropy: true }));
  } else {
    const info = DIGEST_INFO[algorithm];
    if (!info) throw new ApiError('UnsupportedOperationException', 400, `the sandbox does not implement ${algorithm}`);
    const digest = messageType === 'DIGEST' ? message : createHash(info.hash).update(message).digest();
    if (digest.length !== info.length) throw new ApiError('ValidationException', 400, `Digest is invalid length for algorithm ${algorithm}.`);
    signature = privateEncrypt({ key: key.privateKeyPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(info.prefix, 'hex'), digest]));
  }
  return { KeyId: key.metadata.Arn, Signature: signature.toString('base64'), SigningAlgorithm: algorithm };
};

export const kmsOperations: Record<string, Handler> = {
  Sign: sign,
  GetPublicKey: getPublicKey,
  DescribeKey: describeKey,
  GetKeyRotationStatus: getKeyRotationStatus,
  ListKeys: listKeys,
  ListAliases: listAliases,
  ListKeyRotations: listKeyRotations,
  GetKeyPolicy: getKeyPolicy,
  ListGrants: listGrants,
};
