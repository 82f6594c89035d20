// `trustpack iam-policy` is generated from declarations at the call sites, and nothing calls AWS
// without one (issue 9, point 6): collections run against the sandbox, whose per-operation call
// log is compared with the declarations; every SDK command in the source is declared too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generateAccount, loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { iamAction, policyFor, undeclaredCalls } from '../src/aws/permissions.js';
import { allPermissionDeclarations } from '../src/app/iam-policy.js';
import { NOW, SAMPLE, useSandboxEnv } from './collect-helpers.js';
import { ROOT, runCli } from './helpers/cli.js';

let sb: Sandbox;
beforeAll(async () => {
  const sample = loadFixture(SAMPLE, NOW);
  const other = generateAccount({ regions: ['us-west-2'], clustersPerRegion: 3, seed: 3, accountId: '444455556666', now: NOW });
  sb = await startSandbox({ fixture: { accounts: [...sample.accounts, ...other.accounts] }, port: 0, now: NOW });
  useSandboxEnv(sb.url);
});
afterAll(async () => sb?.close());

describe('every call made is declared', () => {
  let calls: string[];
  beforeAll(async () => {
    // the caller's own account, then two accounts through sts:AssumeRole: every collector runs
    await collectEvidence({ regions: ['us-east-1', 'eu-central-1'], toolVersion: 'test', now: () => NOW });
    await collectEvidence({
      regions: ['us-west-2'], toolVersion: 'test', now: () => NOW,
      roleArns: ['arn:aws:iam::111122223333:role/trustpack-audit', 'arn:aws:iam::444455556666:role/trustpack-audit'],
    });
    calls = [...new Set(sb.callLog().map((c) => c.call))];
    expect(calls.sort()).toEqual(Object.keys(sb.stats().byOperation).sort());
  });

  it('the sandbox served the calls of every collector and the role assumption', () => {
    expect(calls).toEqual(expect.arrayContaining(['sts:AssumeRole', 'sts:GetCallerIdentity', 'kms:ListAliases', 'rds:DescribeDBClusters', 'config:GetComplianceDetailsByConfigRule']));
  });

  it('no call the sandbox served lacks a declaration', () => {
    expect(undeclaredCalls(calls, allPermissionDeclarations())).toEqual([]);
  });

  it('a missing declaration is caught (kms:ListAliases, which the old hand-written list missed)', () => {
    const without = allPermissionDeclarations().filter((d) => d.action !== 'kms:ListAliases');
    expect(undeclaredCalls(calls, without)).toEqual(['kms:ListAliases']);
  });

  it('each principal\'s policy holds the calls made as that principal (the sandbox logs who called)', () => {
    const decls = allPermissionDeclarations();
    const actions = (kind: 'member' | 'organization') => new Set(policyFor(kind, decls).Statement.flatMap((s) => s.Action));
    const action = (call: string) => iamAction(call.split(':')[0]!, call.split(':')[1]!);
    const log = sb.callLog();
    // calls made with an assumed role's credentials: the member role in each account
    const asMember = [...new Set(log.filter((c) => c.session?.includes(':assumed-role/trustpack-audit/')).map((c) => c.call))];
    expect(asMember.length).toBeGreaterThan(10);
    for (const c of asMember) expect(actions('member'), c).toContain(action(c));
    // the caller's own credentials assumed those roles: the organization principal
    expect(log.filter((c) => c.call === 'sts:AssumeRole').every((c) => c.session === undefined)).toBe(true);
    expect(actions('organization')).toContain('sts:AssumeRole');
    expect(actions('member')).not.toContain('sts:AssumeRole');
    const org = policyFor('organization', decls, { role: 'trustpack-audit' });
    expect(org.Statement).toEqual([
      { Sid: 'TrustpackOrganization', Effect: 'Allow', Action: ['organizations:ListAccounts'], Resource: '*' },
      { Sid: 'TrustpackOrganization2', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: 'arn:aws:iam::*:role/trustpack-audit' },
    ]);
  });
});

describe('every SDK command in the source is declared', () => {
  // the SDK client package -> the IAM service prefix
  const PREFIX: Record<string, string> = {
    'client-rds': 'rds', 'client-kms': 'kms', 'client-sts': 'sts', 'client-config-service': 'config', 'client-s3': 's3',
    'client-organizations': 'organizations', 'client-account': 'account', 'client-ec2': 'ec2',
    'client-cloudtrail': 'cloudtrail', 'client-cloudwatch-logs': 'logs', 'client-guardduty': 'guardduty',
    'client-backup': 'backup', 'client-elastic-load-balancing-v2': 'elasticloadbalancing', 'client-cloudfront': 'cloudfront',
  };
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.generated.ts') ? [join(dir, e.name)] : []);

  it('finds each XxxCommand and paginateXxx imported from an @aws-sdk client, and fromTemporaryCredentials', () => {
    const used = new Map<string, string>();
    for (const f of [...files(join(ROOT, 'src')), ...files(join(ROOT, 'collectors'))]) {
      if (f.includes(`${join('src', 'sandbox')}`)) continue; // the sandbox serves calls, it makes none
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?:import\s*\{([^}]*)\}\s*from|const\s*\{([^}]*)\}\s*=\s*await import\()\s*'@aws-sdk\/(client-[\w-]+)'/g)) {
        const prefix = PREFIX[m[3]!];
        expect(prefix, `${m[3]} in ${f}: add its IAM prefix to this test`).toBeDefined();
        for (const name of (m[1] ?? m[2] ?? '').split(',').map((s) => s.replace(/\btype\b/, '').trim().split(/\s+as\s+/)[0]!)) {
          const op = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
          if (op) used.set(iamAction(prefix!, op), relative(ROOT, f));
        }
      }
      if (/fromTemporaryCredentials\(/.test(text)) used.set('sts:AssumeRole', relative(ROOT, f));
    }
    expect(used.size).toBeGreaterThan(10);
    const declared = new Set(allPermissionDeclarations().map((d) => d.action));
    const missing = [...used].filter(([a]) => !declared.has(a)).map(([a, f]) => `${a} (${f})`);
    expect(missing).toEqual([]);
  });
});

describe('trustpack iam-policy', () => {
  it('prints the member policy as JSON, kms:ListAliases included', async () => {
    const r = await runCli(['iam-policy']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.Version).toBe('2012-10-17');
    expect(p.Statement[0].Action).toContain('kms:ListAliases');
    expect(p.Statement[0].Action).toContain('rds:DescribeDBClusterAutomatedBackups');
  });

  it('refuses an unknown principal with exit 2', async () => {
    const r = await runCli(['iam-policy', '--for', 'admin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('member, organization, archive, archive-reader, signer');
  });

  it('--explain goes to stderr: `iam-policy --explain > policy.json` is JSON', async () => {
    const r = await runCli(['iam-policy', '--explain']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).Statement[0].Sid).toBe('TrustpackMemberRead');
    expect(r.stderr).toContain('why (member):');
    expect(r.stderr).toMatch(/kms:ListAliases +collectors\/declarations\.ts/);
  });

  it('--for archive-reader: list and get under the prefix, no write; ListBucket limited by an s3:prefix condition', async () => {
    const r = await runCli(['iam-policy', '--for', 'archive-reader', '--bucket', 'acme-evidence', '--prefix', 'trustpack']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout) as { Statement: { Action: string[]; Resource: string; Condition?: unknown }[] };
    const actions = p.Statement.flatMap((s) => s.Action);
    expect(actions.sort()).toEqual(['s3:GetBucketObjectLockConfiguration', 's3:GetObject', 's3:ListBucket']);
    expect(actions.some((a) => /Put|Delete/.test(a))).toBe(false);
    const list = p.Statement.find((s) => s.Action.includes('s3:ListBucket'))!;
    expect(list.Resource).toBe('arn:aws:s3:::acme-evidence');
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['trustpack/*'] } });
    expect(p.Statement.find((s) => s.Action.includes('s3:GetObject'))!.Resource).toBe('arn:aws:s3:::acme-evidence/trustpack/*');
    // the writer's ListBucket carries the same condition; without --prefix the whole bucket is the archive
    const writer = JSON.parse((await runCli(['iam-policy', '--for', 'archive', '--bucket', 'acme-evidence', '--prefix', 'trustpack/'])).stdout) as typeof p;
    expect(writer.Statement.find((s) => s.Action.includes('s3:ListBucket'))!.Condition).toEqual({ StringLike: { 's3:prefix': ['trustpack/*'] } });
    expect(writer.Statement.flatMap((s) => s.Action)).toContain('s3:PutObject');
    const whole = JSON.parse((await runCli(['iam-policy', '--for', 'archive-reader', '--bucket', 'acme-evidence'])).stdout) as typeof p;
    expect(whole.Statement.every((s) => s.Condition === undefined)).toBe(true);
  });

  it('the organization policy notes how the management account itself is read (stderr)', async () => {
    const r = await runCli(['iam-policy', '--for', 'organization', '--role-name', 'trustpack-audit']);
    expect(r.code).toBe(0);
    JSON.parse(r.stdout);
    expect(r.stderr).toContain('note: --org-role reads the management account');
    expect(r.stderr).toContain('attach the member policy');
  });

  it('the README shows the generated member policy, not a hand-kept list', async () => {
    const r = await runCli(['iam-policy']);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- iam-policy member -->\n```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README.md: the ```json block after <!-- iam-policy member -->').toBeDefined();
    expect(JSON.parse(block!)).toEqual(JSON.parse(r.stdout));
  });
});
