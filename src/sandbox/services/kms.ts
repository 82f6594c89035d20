// KMS (JSON 1.1, X-Amz-Target: TrentService.<Op>): describe keys, rotation status, list keys and aliases.
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
export function resolveKey(ctx: CallContext, ref: string): Key {
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

export const kmsOperations: Record<string, Handler> = {
  DescribeKey: describeKey,
  GetKeyRotationStatus: getKeyRotationStatus,
  ListKeys: listKeys,
  ListAliases: listAliases,
  ListKeyRotations: listKeyRotations,
};
