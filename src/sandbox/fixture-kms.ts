// Fixture keys and aliases: KMS key metadata as DescribeKey returns it, rotation state, and the
// key of an encrypted resource, referenced by alias.
import { generateKeyPairSync } from 'node:crypto';
import type { Cursor } from './reader.js';
import { keyId } from './defaults.js';
import type { Key } from './model.js';
import { arn, DAY, type Ctx } from './fixture-context.js';

const AWS_MANAGED = /^aws\//;

function aliasName(written: string): string {
  return written.startsWith('alias/') ? written : `alias/${written}`;
}

export function readKey(c: Cursor, ctx: Ctx): void {
  c.keys(['alias', 'aliases', 'id', 'manager', 'spec', 'usage', 'origin', 'rotation', 'rotation_period_days', 'rotations', 'state', 'created', 'description', 'multi_region', 'grants', 'deny', 'policy']);
  const aliases = [...(c.has('alias') ? [c.str('alias')] : []), ...c.strings('aliases')].map(aliasName);
  if (aliases.length === 0 && !c.has('id')) c.fail('a key needs an "alias" (keys are referenced by alias) or an "id"');
  const first = aliases[0] ?? c.str('id');
  const manager = c.oneOf('manager', ['CUSTOMER', 'AWS'] as const, aliases.some((a) => AWS_MANAGED.test(a.slice(6))) ? 'AWS' : 'CUSTOMER');
  const origin = c.oneOf('origin', ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const, 'AWS_KMS');
  const spec = c.str('spec', 'SYMMETRIC_DEFAULT');
  const id = c.str('id', keyId(ctx.account, ctx.region, first));
  const state = c.oneOf('state', ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable'] as const, 'Enabled');
  // AWS-managed keys rotate every year and cannot be changed; customer keys rotate only when enabled
  const rotation = manager === 'AWS' ? true : c.bool('rotation', false);
  const created = c.date('created', '400 days ago');
  const period = c.num('rotation_period_days', 365, 90, 2560);
  const key = makeKey(ctx, { id, manager, origin, spec, state, created, rotation, period,
    usage: c.str('usage', 'ENCRYPT_DECRYPT'), description: c.str('description', manager === 'AWS' ? `Default key that protects my ${first.slice(10)} resources when no other key is defined` : ''),
    multiRegion: c.bool('multi_region', false) });
  // completed rotations (ListKeyRotations): dates, and ON_DEMAND (default) or AUTOMATIC
  const rotations = c.list('rotations').map((rc) => {
    rc.keys(['date', 'type']);
    return { KeyId: key.metadata.Arn, RotationDate: rc.date('date'), RotationType: rc.oneOf('type', ['ON_DEMAND', 'AUTOMATIC'] as const, 'ON_DEMAND') };
  }).sort((a, b) => a.RotationDate.getTime() - b.RotationDate.getTime());
  if (rotations.length > 0) key.rotations = rotations;
  if (ctx.keys.some((k) => k.metadata.KeyId === id)) c.fail(`key id ${id} appears twice in ${ctx.region}`);
  // key policy: which other accounts may call what (grants: {ACCOUNT: [DescribeKey, ...]}), what no one may
  if (c.has('grants')) {
    key.grants = {};
    for (const [account, gc] of c.entries('grants')) {
      if (!/^\d{12}$/.test(account)) gc.fail(`"${account}" is not a 12-digit account id`);
      key.grants[account] = c.at('grants').strings(account);
    }
  }
  if (c.has('deny')) key.deny = c.strings('deny');
  // the key policy GetKeyPolicy returns: the statements as written, else AWS's default key policy
  // (the account's root principal may do anything, which lets every IAM principal of the account in)
  const statements = c.has('policy') ? c.list('policy').map((sc) => JSON.parse(JSON.stringify(sc.value)) as unknown) : [{
    Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ctx.account}:root` }, Action: 'kms:*', Resource: '*',
  }];
  key.policy = JSON.stringify({ Version: '2012-10-17', Id: 'key-default-1', Statement: statements });
  if (key.metadata.KeyUsage === 'SIGN_VERIFY') {
    if (!SIGNING_SPECS[spec]) c.fail(`a SIGN_VERIFY key needs spec ${Object.keys(SIGNING_SPECS).join(', ')} (got ${spec})`, [...c.path, 'spec']);
    key.privateKeyPem = signingKeyPem(spec);
  }
  ctx.keys.push(key);
  for (const a of aliases) {
    if (ctx.aliases.some((x) => x.AliasName === a)) c.fail(`alias ${a} appears twice in ${ctx.region}`);
    addAlias(ctx, a, key, created);
  }
}

interface KeyFacts { id: string; manager: string; origin: string; spec: string; state: string; created: Date; rotation: boolean; period: number; usage: string; description: string; multiRegion: boolean }

function makeKey(ctx: Ctx, f: KeyFacts): Key {
  const canRotate = f.origin === 'AWS_KMS' && f.spec === 'SYMMETRIC_DEFAULT';
  const metadata: Key['metadata'] = {
    AWSAccountId: ctx.account,
    KeyId: f.id,
    Arn: arn(ctx, 'kms', `key/${f.id}`),
    CreationDate: f.created,
    Enabled: f.state === 'Enabled',
    Description: f.description,
    KeyUsage: f.usage,
    KeyState: f.state,
    Origin: f.origin,
    KeyManager: f.manager,
    CustomerMasterKeySpec: f.spec,
    KeySpec: f.spec,
    MultiRegion: f.multiRegion,
  };
  // DescribeKey lists SigningAlgorithms for signing keys, EncryptionAlgorithms for the others
  if (f.usage === 'SIGN_VERIFY') metadata['SigningAlgorithms'] = SIGNING_SPECS[f.spec] ?? [];
  else metadata['EncryptionAlgorithms'] = f.spec === 'SYMMETRIC_DEFAULT' ? ['SYMMETRIC_DEFAULT'] : ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];
  if (f.origin === 'EXTERNAL') metadata['ExpirationModel'] = 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  const key: Key = { metadata, rotationEnabled: canRotate && f.rotation };
  if (key.rotationEnabled) {
    key.rotationPeriodInDays = f.period;
    // the next rotation is the first anniversary of the period after now
    const periodMs = f.period * DAY;
    const elapsed = Math.max(0, ctx.now.getTime() - f.created.getTime());
    key.nextRotationDate = new Date(f.created.getTime() + (Math.floor(elapsed / periodMs) + 1) * periodMs);
  }
  return key;
}

/** Asymmetric signing key specs the sandbox serves, with the signing algorithms AWS lists for them. */
const SIGNING_SPECS: Record<string, string[]> = {
  RSA_2048: ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'],
  RSA_3072: ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'],
  RSA_4096: ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'],
  ECC_NIST_P256: ['ECDSA_SHA_256'],
};

/** Fresh key material for a signing key (node:crypto), held by the sandbox as KMS holds it. */
function signingKeyPem(spec: string): string {
  const pair = spec.startsWith('RSA_')
    ? generateKeyPairSync('rsa', { modulusLength: Number(spec.slice(4)) })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function addAlias(ctx: Ctx, name: string, key: Key, created: Date): void {
  const a = aliasName(name);
  ctx.aliases.push({ AliasName: a, AliasArn: arn(ctx, 'kms', a), TargetKeyId: key.metadata.KeyId, CreationDate: created, LastUpdatedDate: created });
}

/** A key by alias (with or without alias/), id or ARN; aws/* aliases are created on first use, as AWS does. */
export function findKey(ctx: Ctx, ref: string, at: Cursor): Key {
  const byAlias = ctx.aliases.find((a) => a.AliasName === aliasName(ref));
  const key = ctx.keys.find((k) => k.metadata.KeyId === (byAlias?.TargetKeyId ?? ref) || k.metadata.Arn === ref);
  if (key) return key;
  const name = aliasName(ref);
  if (AWS_MANAGED.test(name.slice(6))) {
    const made = makeKey(ctx, { id: keyId(ctx.account, ctx.region, name), manager: 'AWS', origin: 'AWS_KMS', spec: 'SYMMETRIC_DEFAULT',
      state: 'Enabled', created: new Date(ctx.now.getTime() - 1000 * DAY), rotation: true, period: 365, usage: 'ENCRYPT_DECRYPT',
      description: `Default key that protects my ${name.slice(10)} resources when no other key is defined`, multiRegion: false });
    ctx.keys.push(made);
    addAlias(ctx, name, made, made.metadata.CreationDate as Date);
    return made;
  }
  const known = ctx.aliases.map((a) => a.AliasName.slice(6)).join(', ') || 'none';
  at.fail(`unknown key "${ref}" in ${ctx.region} (keys are referenced by alias; defined: ${known})`);
}

/** The KMS key of an encrypted resource: `key` names it; none means the AWS-managed aws/rds key. */
export function storageKey(c: Cursor, ctx: Ctx, inherited?: { encrypted: boolean; key?: string }): { encrypted: boolean; key?: string } {
  const encrypted = c.bool('encrypted', inherited?.encrypted ?? true);
  if (!encrypted) {
    if (c.has('key')) c.fail('"key" given for an unencrypted resource (encrypted: false)', [...c.path, 'key']);
    return { encrypted };
  }
  // a key of another account or region, named by its ARN as RDS reports it (the key lives there)
  const foreign = c.has('key') ? /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/[\w-]+$/.exec(c.str('key')) : null;
  if (foreign && (foreign[2] !== ctx.account || foreign[1] !== ctx.region)) return { encrypted, key: c.str('key') };
  if (c.has('key')) return { encrypted, key: findKey(ctx, c.str('key'), c.at('key')).metadata.Arn };
  return { encrypted, key: inherited?.key ?? findKey(ctx, 'aws/rds', c).metadata.Arn };
}
