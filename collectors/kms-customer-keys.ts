// kms.customer-keys: every customer-managed key of the account in this region, whatever uses it
// (kms.keys reads only the keys RDS resources reference): ListKeys, DescribeKey (AWS-managed keys
// are left out once described), ListAliases, GetKeyRotationStatus (rotation on and its period),
// ListKeyRotations (completed rotations, automatic and on demand), GetKeyPolicy and ListGrants.
// The key policy is read for every customer-managed key: a collector knows nothing of which keys
// a project promises as customer-held, and the calls cost nothing.
//
// Added fields: `LastRotationDate` (the newest completed rotation), `KeyPolicy` (the policy
// document, parsed), `CompanyAccess` (each principal of the key's own account that a key-policy
// Allow statement gives kms:Decrypt, kms:ReEncrypt*, kms:CreateGrant or an administrative action,
// with the statement's Sid and actions), `CompanyPrincipals` (those principals alone).
import {
  DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient,
  paginateListAliases, paginateListGrants, paginateListKeyRotations, paginateListKeys,
  type AliasListEntry, type GrantListEntry, type KeyMetadata, type RotationsListEntry,
} from '@aws-sdk/client-kms';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, errorDraft, makeDraft, mapConcurrent, requireArray, requireString, sendOptions } from './common.js';
import { globPattern } from '../src/util/pattern.js';

/** Actions that let a principal use or take over a key: what "never accessible" forbids. */
const SENSITIVE = [
  'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:CreateGrant',
  'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:EnableKey', 'kms:ImportKeyMaterial',
  'kms:DeleteImportedKeyMaterial', 'kms:UpdateKeyDescription', 'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:UpdateAlias',
];

/** Whether a policy action pattern (kms:*, kms:ReEncrypt*, *) covers a sensitive action. */
function sensitiveActions(actions: unknown): string[] {
  const list = (Array.isArray(actions) ? actions : [actions]).filter((a): a is string => typeof a === 'string');
  const out = new Set<string>();
  for (const pattern of list) {
    // a policy's glob is the account owner's text: matched in linear time, never backtracked
    const re = globPattern(pattern, { iam: true });
    for (const action of SENSITIVE) if (re.test(action)) out.add(action);
  }
  return [...out].sort();
}

export interface CompanyAccess { Principal: string; Sid: string | null; Actions: string[] }

/**
 * The key policy's Allow statements that give a principal of `account` (its root, a role or user
 * of it, or "*") a sensitive action. A statement whose conditions name kms:ViaService or
 * kms:GrantIsForAWSResource is still listed: it is the company's principal that may act.
 */
export function companyAccess(policy: unknown, account: string): CompanyAccess[] {
  const statements = (policy as { Statement?: unknown } | null)?.Statement;
  const out: CompanyAccess[] = [];
  for (const s of (Array.isArray(statements) ? statements : statements ? [statements] : []) as Record<string, unknown>[]) {
    if (s['Effect'] !== 'Allow') continue;
    const actions = sensitiveActions(s['Action']);
    if (actions.length === 0) continue;
    const principal = s['Principal'];
    const named = principal === '*' ? ['*'] : (() => {
      const aws = (principal as { AWS?: unknown } | undefined)?.AWS;
      return (Array.isArray(aws) ? aws : aws === undefined ? [] : [aws]).filter((p): p is string => typeof p === 'string');
    })();
    for (const p of named) {
      const ofAccount = p === '*' || p === account || new RegExp(`^arn:[\\w-]+:(?:iam|sts)::${account}:`).test(p);
      if (ofAccount) out.push({ Principal: p, Sid: typeof s['Sid'] === 'string' ? s['Sid'] : null, Actions: actions });
    }
  }
  return out;
}

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, KMSClient);
  try {
    const keys: { KeyId?: string; KeyArn?: string }[] = [];
    for await (const page of paginateListKeys({ client }, { Limit: 1000 }, sendOptions(ctx))) keys.push(...requireArray(page.Keys, 'Keys'));
    const aliases: AliasListEntry[] = [];
    for await (const page of paginateListAliases({ client }, { Limit: 100 }, sendOptions(ctx))) aliases.push(...requireArray(page.Aliases, 'Aliases'));
    const time = ctx.now().toISOString();

    const drafts = await mapConcurrent(keys, async (k): Promise<EvidenceRecordDraft | undefined> => {
      const arn = requireString(k.KeyArn, 'KeyArn');
      const common = {
        service: 'kms', operation: 'ListKeys+DescribeKey+ListAliases+GetKeyRotationStatus+ListKeyRotations+GetKeyPolicy+ListGrants',
        parameters: { KeyId: arn }, time, resourceType: 'AWS::KMS::Key', resource: arn,
      };
      let meta: KeyMetadata;
      try {
        meta = (await client.send(new DescribeKeyCommand({ KeyId: arn }), sendOptions(ctx))).KeyMetadata ?? ({} as KeyMetadata);
        requireString(meta.KeyManager, 'KeyMetadata.KeyManager');
      } catch (err) {
        return errorDraft(ctx, 'kms.customer-keys', { ...common, failed: { operation: 'kms:DescribeKey', err } });
      }
      if (meta.KeyManager !== 'CUSTOMER') return undefined;
      const mine = aliases.filter((a) => a.TargetKeyId === meta.KeyId);
      const data: Record<string, unknown> = {
        KeyMetadata: meta,
        Aliases: mine.map((a) => a.AliasName).filter((n): n is string => typeof n === 'string').sort(),
        KeyArns: [arn, ...mine.map((a) => a.AliasArn).filter((n): n is string => typeof n === 'string').sort()],
        KeyRotationEnabled: null, RotationPeriodInDays: null, NextRotationDate: null,
      };
      const failed: { operation: string; err: unknown; fields: string[] }[] = [];
      const attempt = async (operation: string, fields: string[], run: () => Promise<void>, unsupportedIsAnswer = false): Promise<void> => {
        try {
          await run();
        } catch (err) {
          // asymmetric, HMAC, imported and custom-key-store keys do not rotate: that is an answer
          const name = (err as { name?: string }).name;
          if (unsupportedIsAnswer && name === 'UnsupportedOperationException') return;
          failed.push({ operation, err, fields });
        }
      };
      const usable = meta.KeyState !== 'PendingDeletion' && meta.KeyState !== 'PendingReplicaDeletion';
      await Promise.all([
        attempt('kms:GetKeyRotationStatus', ['KeyRotationEnabled', 'RotationPeriodInDays', 'NextRotationDate'], async () => {
          if (!usable) return;
          const s = await client.send(new GetKeyRotationStatusCommand({ KeyId: arn }), sendOptions(ctx));
          data['KeyRotationEnabled'] = s.KeyRotationEnabled ?? null;
          data['RotationPeriodInDays'] = s.RotationPeriodInDays ?? null;
          data['NextRotationDate'] = s.NextRotationDate instanceof Date ? s.NextRotationDate.toISOString() : null;
        }, true),
        attempt('kms:ListKeyRotations', ['Rotations', 'LastRotationDate'], async () => {
          const rotations: RotationsListEntry[] = [];
          data['Rotations'] = rotations;
          data['LastRotationDate'] = null;
          for await (const page of paginateListKeyRotations({ client }, { KeyId: arn, Limit: 1000 }, sendOptions(ctx))) rotations.push(...(page.Rotations ?? []));
          const dates = rotations.map((r) => r.RotationDate).filter((d): d is Date => d instanceof Date).map((d) => d.toISOString()).sort();
          data['LastRotationDate'] = dates.at(-1) ?? null;
        }, true),
        attempt('kms:GetKeyPolicy', ['KeyPolicy', 'CompanyAccess', 'CompanyPrincipals'], async () => {
          const p = await client.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }), sendOptions(ctx));
          const policy = JSON.parse(requireString(p.Policy, 'Policy')) as unknown;
          const access = companyAccess(policy, meta.AWSAccountId ?? ctx.account);
          data['KeyPolicy'] = policy;
          data['CompanyAccess'] = access;
          data['CompanyPrincipals'] = [...new Set(access.map((a) => a.Principal))].sort();
        }),
        attempt('kms:ListGrants', ['Grants'], async () => {
          const grants: GrantListEntry[] = [];
          for await (const page of paginateListGrants({ client }, { KeyId: arn, Limit: 100 }, sendOptions(ctx))) grants.push(...(page.Grants ?? []));
          data['Grants'] = grants;
        }),
      ]);
      if (failed.length === 0) return makeDraft(ctx, 'kms.customer-keys', { ...common, data });
      return errorDraft(ctx, 'kms.customer-keys', { ...common, data, failed: { ...failed[0]!, fields: failed.flatMap((f) => f.fields) } });
    });
    for (const d of drafts) if (d) yield d;
  } finally {
    client.destroy();
  }
}
