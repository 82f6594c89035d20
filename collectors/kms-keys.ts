// kms.keys: every KMS key that encrypts a cluster, instance, snapshot or backup (read from the
// four RDS collectors), with its metadata, rotation status and aliases.
//
// Keys may live in another account or region (a central security account's key is common).
// Every call names the key by its ARN on the key's own region endpoint. A key owned by another
// account of the run is read once, with that account's credentials, and shared; a key owned
// outside the run is read as far as its key policy lets this account (DescribeKey usually,
// GetKeyRotationStatus often not). A call that fails for one key is a per-resource ERROR record
// naming the call; only the alias listing of the collection's own region fails the collection.
import {
  DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, paginateListAliases, type AliasListEntry, type KeyMetadata,
} from '@aws-sdk/client-kms';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, dataOf, errorDraft, makeDraft, mapConcurrent, partition, prior, requireString, sendOptions, str } from './common.js';

const SOURCES = ['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots', 'rds.cluster-automated-backups'];
const KEY_ARN = /^arn:([\w-]+):kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;

interface KeyRef {
  ref: string;
  /** the ARN the calls use: the reference itself when it is one, else built in the caller's account and region */
  arn: string;
  region: string;
  owner: string;
}

function keyRef(ref: string, ctx: CollectContext): KeyRef {
  const m = KEY_ARN.exec(ref);
  if (m) return { ref, arn: ref, region: m[2]!, owner: m[3]! };
  const path = ref.startsWith('alias/') ? ref : `key/${ref}`;
  return { ref, arn: `arn:${partition(ctx.region)}:kms:${ctx.region}:${ctx.account}:${path}`, region: ctx.region, owner: ctx.account };
}

/** Errors meaning "this key has no rotation status", not "the evidence is missing". */
function cannotRotate(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'UnsupportedOperationException' || name === 'KMSInvalidStateException';
}

/** What the calls about one key returned, read once per (key, reading account) for the run. */
interface KeyRead {
  meta?: KeyMetadata;
  rotation?: boolean | null;
  /** how often and when next (GetKeyRotationStatus, for keys with automatic rotation on) */
  schedule?: { RotationPeriodInDays: number | null; NextRotationDate: string | null };
  aliases?: string[];
  /** the names a project file may use for the key: its ARN and its aliases' ARNs */
  keyArns?: string[];
  failed?: { operation: string; err: unknown; fields?: string[] };
}

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const refs = new Map<string, KeyRef>();
  for (const collector of SOURCES) {
    for (const r of prior(ctx, collector)) {
      const id = str(dataOf(r)['KmsKeyId']);
      if (id && !refs.has(id)) refs.set(id, keyRef(id, ctx));
    }
  }
  if (refs.size === 0) return;

  const clients = new Map<string, KMSClient>();
  const clientFor = (region: string, account: string, credentials: AwsCredentialIdentityProvider): KMSClient => {
    const k = `${account}\u0000${region}`;
    let c = clients.get(k);
    if (!c) {
      c = createClient({ ...ctx, account, clientConfig: { ...ctx.clientConfig, credentials } }, KMSClient, region);
      clients.set(k, c);
    }
    return c;
  };
  const local = new Map<string, Promise<unknown>>();
  const shared = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    if (ctx.estate) return ctx.estate.shared(key, make);
    let p = local.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      local.set(key, p);
    }
    return p;
  };

  /** The aliases of one account and region: one listing, shared by every key there. */
  const aliasesIn = (client: KMSClient, account: string, region: string): Promise<AliasListEntry[]> =>
    shared(`kms:ListAliases:${account}:${region}`, async () => {
      const all: AliasListEntry[] = [];
      for await (const page of paginateListAliases({ client }, { Limit: 100 }, sendOptions(ctx))) all.push(...(page.Aliases ?? []));
      return all;
    });

  // The collection's own region's aliases: a list, so its failure fails the collection.
  const ownClient = clientFor(ctx.region, ctx.account, ctx.credentials);
  await aliasesIn(ownClient, ctx.account, ctx.region);

  const read = (k: KeyRef, readAs: string, credentials: AwsCredentialIdentityProvider): Promise<KeyRead> =>
    shared(`kms:key:${k.arn}:${readAs}`, async (): Promise<KeyRead> => {
      const client = clientFor(k.region, readAs, credentials);
      let meta: KeyMetadata;
      try {
        const described = await client.send(new DescribeKeyCommand({ KeyId: k.arn }), sendOptions(ctx));
        if (!described.KeyMetadata) throw Object.assign(new Error(`DescribeKey for ${k.arn} returned no KeyMetadata`), { code: 'MalformedResponse' });
        meta = described.KeyMetadata;
        requireString(meta.Arn, 'KeyMetadata.Arn');
      } catch (err) {
        return { failed: { operation: 'kms:DescribeKey', err } };
      }
      let rotation: boolean | null;
      let rotationFailed: KeyRead['failed'];
      let schedule: { RotationPeriodInDays: number | null; NextRotationDate: string | null } = { RotationPeriodInDays: null, NextRotationDate: null };
      try {
        const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: meta.Arn }), sendOptions(ctx));
        rotation = typeof status.KeyRotationEnabled === 'boolean' ? status.KeyRotationEnabled : null;
        schedule = {
          RotationPeriodInDays: typeof status.RotationPeriodInDays === 'number' ? status.RotationPeriodInDays : null,
          NextRotationDate: status.NextRotationDate instanceof Date ? status.NextRotationDate.toISOString() : null,
        };
      } catch (err) {
        // imported (EXTERNAL), CloudHSM and asymmetric keys do not rotate: that is an answer
        // any other failure leaves the rotation fields unknown; the aliases are still read, so a
        // control that reads only them (the customer-held key list) is judged
        if (!cannotRotate(err)) rotationFailed = { operation: 'kms:GetKeyRotationStatus', err, fields: ['KeyRotationEnabled', 'RotationPeriodInDays', 'NextRotationDate'] };
        rotation = null;
      }
      const also = rotationFailed ? { failed: rotationFailed } : {};
      // Aliases are listed per account: a key owned outside the run has none this account can list.
      if (readAs !== meta.AWSAccountId) return { meta, rotation, schedule, aliases: [], keyArns: [meta.Arn!], ...also };
      try {
        const mine = (await aliasesIn(client, readAs, k.region)).filter((a) => a.TargetKeyId === meta.KeyId || a.TargetKeyId === meta.Arn);
        const aliases = mine.map((a) => a.AliasName).filter((n): n is string => typeof n === 'string').sort();
        const keyArns = [meta.Arn!, ...mine.map((a) => a.AliasArn).filter((n): n is string => typeof n === 'string').sort()];
        return { meta, rotation, schedule, aliases, keyArns, ...also };
      } catch (err) {
        const aliasFields = ['Aliases', 'KeyArns'];
        return {
          meta, rotation, schedule,
          failed: rotationFailed ? { ...rotationFailed, fields: [...rotationFailed.fields!, ...aliasFields] } : { operation: 'kms:ListAliases', err, fields: aliasFields },
        };
      }
    });

  try {
    const drafts = await mapConcurrent([...refs.values()].sort((a, b) => (a.ref < b.ref ? -1 : 1)), async (k) => {
      // a key another account of the run owns is read with that account's credentials, once
      const ownerCredentials = k.owner !== ctx.account
        ? await ctx.estate?.credentialsFor(k.owner)?.catch(() => undefined) // the owner's role failed: read as ourselves
        : undefined;
      const readAs = ownerCredentials ? k.owner : ctx.account;
      const got = await read(k, readAs, ownerCredentials ?? ctx.credentials);
      const resource = got.meta?.Arn ?? k.arn;
      const owner = got.meta?.AWSAccountId ?? k.owner;
      const common = {
        service: 'kms', operation: 'DescribeKey+GetKeyRotationStatus+ListAliases',
        parameters: { KeyId: k.ref, ...(readAs !== ctx.account ? { ReadInAccount: readAs } : {}) },
        resourceType: 'AWS::KMS::Key', resource,
      };
      const data = got.meta ? {
        KeyMetadata: got.meta, KeyRotationEnabled: got.rotation ?? null,
        ...(got.schedule ?? { RotationPeriodInDays: null, NextRotationDate: null }),
        Aliases: got.aliases ?? null, KeyArns: got.keyArns ?? null,
      } : undefined;
      const draft = got.failed
        ? errorDraft(ctx, 'kms.keys', { ...common, ...(data ? { data } : {}), failed: got.failed })
        : makeDraft(ctx, 'kms.keys', { ...common, data });
      if (owner !== ctx.account) draft.owner = owner;
      return { resource, draft };
    });
    // Several references (ARN, key id) can name one key: one record per key.
    const seen = new Set<string>();
    for (const { resource, draft } of drafts) {
      if (seen.has(resource)) continue;
      seen.add(resource);
      yield draft;
    }
  } finally {
    for (const c of clients.values()) c.destroy();
  }
}
