// sts.caller-identity: who the collection ran as. Global: once per account.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, makeDraft, requireString, sendOptions } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, STSClient);
  try {
    const out = await client.send(new GetCallerIdentityCommand({}), sendOptions(ctx));
    const account = requireString(out.Account, 'Account');
    const arn = requireString(out.Arn, 'Arn');
    yield makeDraft(ctx, 'sts.caller-identity', {
      service: 'sts', operation: 'GetCallerIdentity', parameters: {},
      resourceType: 'AWS::STS::CallerIdentity', resource: arn,
      // the account is what STS says, even when the run only guessed it from a role ARN
      account,
      data: { UserId: out.UserId, Account: account, Arn: arn },
    });
  } finally {
    client.destroy();
  }
}
