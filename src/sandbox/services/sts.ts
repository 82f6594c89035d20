// STS (query protocol, API version 2011-06-15): who am I, and AssumeRole into another fixture account.
import { ApiError } from '../errors.js';
import { accessKeyFor } from '../auth.js';
import { resourceToken } from '../defaults.js';
import type { Handler } from './context.js';

export const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

const getCallerIdentity: Handler = (ctx) => ({
  UserId: ctx.session?.userId ?? ctx.account.callerUserId,
  Account: ctx.account.id,
  Arn: ctx.session?.arn ?? ctx.account.callerArn,
});

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

const assumeRole: Handler = (ctx) => {
  const roleArn = ctx.query.get('RoleArn') ?? '';
  const sessionName = ctx.query.get('RoleSessionName') ?? '';
  if (!roleArn || !sessionName) throw new ApiError('MissingParameter', 400, `The request must contain the parameter ${roleArn ? 'RoleSessionName' : 'RoleArn'}`);
  const m = ROLE_ARN.exec(roleArn);
  if (!m) throw new ApiError('ValidationError', 400, `${roleArn} is invalid`);
  const target = ctx.fixture.accounts.find((a) => a.id === m[1]);
  const caller = ctx.session?.arn ?? ctx.account.callerArn;
  // an account that lists its roles has only those; AWS answers a missing role as access denied
  if (!target || (target.roles && !target.roles.includes(m[2] ?? ''))) {
    throw new ApiError('AccessDenied', 403, `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  }
  const duration = Number(ctx.query.get('DurationSeconds') ?? 3600);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) throw new ApiError('ValidationError', 400, 'DurationSeconds must be between 900 and 43200');
  const roleId = `AROA${resourceToken(17, target.id, m[2] ?? '')}`;
  const arn = `arn:aws:sts::${target.id}:assumed-role/${m[2]}/${sessionName}`;
  const accessKeyId = accessKeyFor(target.id, resourceToken(3, arn));
  ctx.sessions.set(accessKeyId, { account: target.id, arn, userId: `${roleId}:${sessionName}` });
  return {
    Credentials: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: `sandbox-secret-${target.id}`,
      SessionToken: Buffer.from(`sandbox:${target.id}:${sessionName}`).toString('base64'),
      Expiration: new Date(ctx.now.getTime() + duration * 1000),
    },
    AssumedRoleUser: { AssumedRoleId: `${roleId}:${sessionName}`, Arn: arn },
    PackedPolicySize: 0,
  };
};

export const stsOperations: Record<string, Handler> = {
  GetCallerIdentity: getCallerIdentity,
  AssumeRole: assumeRole,
};
