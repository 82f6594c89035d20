// The review of issue 18 over the sandbox: `trustpack check` with the real SDK against clusters the
// catalog used to misjudge. Each case failed before the fix: Aurora MySQL auditing only CONNECT and
// QUERY_DDL, and Aurora PostgreSQL with pgaudit.log = ddl, passed "activity is logged"; AWS's
// documented object auditing (pgaudit.role) failed; an Aurora Standard cluster, for which AWS
// returns no StorageType, failed the storage control; a member the run could not read counted as
// no zone at all and failed "two zones" instead of being ERROR.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import type { ControlResult, Results } from '../src/engine/results.js';
import { ROOT, runCli } from './helpers/cli.js';

const ACCOUNT = '222233334444';
const AT = `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:`;

async function check(sb: Sandbox, dir: string, project: string): Promise<Results> {
  await writeFile(join(dir, 'trustpack.yaml'), project);
  const env = {
    AWS_ENDPOINT_URL: sb.url, AWS_ACCESS_KEY_ID: 'AKIDCLAIMSTEST', AWS_SECRET_ACCESS_KEY: 'claims-secret',
    AWS_REGION: 'us-east-1', AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const r = await runCli(['--project', join(dir, 'trustpack.yaml'), 'check', '--format', 'json'], { env, cwd: dir });
  expect(r.stdout, r.stderr).not.toBe('');
  return JSON.parse(r.stdout) as Results;
}

describe('claims that hold up: false passes and false alarms of the review, over the sandbox', () => {
  let sb: Sandbox;
  let dir: string;
  let attested: Results;
  let unattested: Results;
  beforeAll(async () => {
    sb = await startSandbox({ fixture: loadFixture(join(ROOT, 'test/fixtures/sandbox/claims.yaml')), port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'trustpack-claims-'));
    const doc = '# Object auditing\nrds_pgaudit has SELECT, INSERT, UPDATE, DELETE on orders.* and customers.*\n';
    await writeFile(join(dir, 'object-audit.md'), doc);
    const sha = createHash('sha256').update(doc).digest('hex');
    await writeFile(join(dir, 'attestations.yaml'), [
      'attestations:', '  - control: rds-cluster-audit-logs-exported', '    attested_by: "Dana Lee, Head of Data Platform"',
      `    attested_at: "${new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10)}"`,
      '    document: object-audit.md', `    sha256: ${sha}`, `    expires: "${new Date(Date.now() + 300 * 86_400_000).toISOString().slice(0, 10)}"`, '',
    ].join('\n'));
    const base = `controls: ${join(ROOT, 'controls')}\nregions: [us-east-1]\nparameters: { application_db_users: [app] }\n`;
    attested = await check(sb, dir, `${base}attestations: attestations.yaml\n`);
    unattested = await check(sb, dir, base);
  }, 120_000);
  afterAll(async () => {
    await sb?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const control = (r: Results, id: string): ControlResult => r.controls.find((c) => c.id === id)!;
  const finding = (r: Results, id: string, cluster: string) => control(r, id).findings.find((f) => f.resource === `${AT}${cluster}`);

  it('Aurora MySQL auditing CONNECT and QUERY_DDL only fails, with the four deciding values in the finding', () => {
    const f = finding(attested, 'rds-cluster-audit-logs-exported', 'mysql-ddl-only')!;
    expect(f.status).toBe('FAIL');
    expect(f.reason).toBe('no element of ServerAuditEvents (["CONNECT","QUERY_DDL"]) is in ["QUERY_DML","QUERY"]');
    expect(f.values).toMatchObject({
      ServerAuditLogging: '1', ServerAuditEvents: ['CONNECT', 'QUERY_DDL'], EnabledCloudwatchLogsExports: ['audit'],
      ServerAuditIncludeUsers: [], ServerAuditExcludeUsers: [],
    });
    expect(finding(attested, 'rds-cluster-audit-logs-exported', 'mysql-dml')?.status).toBe('PASS');
  });

  it('Aurora MySQL excluding the application user the project names fails', () => {
    const f = finding(attested, 'rds-cluster-audit-logs-exported', 'mysql-excludes-app')!;
    expect(f.status).toBe('FAIL');
    expect(f.values).toMatchObject({ ServerAuditExcludeUsers: ['app', 'reporting'] });
  });

  it('Aurora PostgreSQL: pgaudit.log = ddl fails, all,-read fails, all,-misc passes', () => {
    expect(finding(attested, 'rds-cluster-audit-logs-exported', 'pg-ddl-only')).toMatchObject({ status: 'FAIL', values: { PgauditLogClasses: ['ddl'] } });
    expect(finding(attested, 'rds-cluster-audit-logs-exported', 'pg-all-but-read')?.status).toBe('FAIL');
    expect(finding(attested, 'rds-cluster-audit-logs-exported', 'pg-all-but-misc')).toMatchObject({
      status: 'PASS', values: { PgauditLogClasses: ['ddl', 'function', 'misc_set', 'read', 'role', 'write'] },
    });
  });

  it('object auditing through pgaudit.role rests on the attestation: MANUAL with one, FAIL without', () => {
    const withOne = finding(attested, 'rds-cluster-audit-logs-exported', 'pg-object-audit')!;
    expect(withOne.status).toBe('MANUAL');
    expect(withOne.reason).toMatch(/pgaudit\.role names an audit role.*attested by Dana Lee.*document hash verified/);
    const without = finding(unattested, 'rds-cluster-audit-logs-exported', 'pg-object-audit')!;
    expect(without.status).toBe('FAIL');
    expect(without.reason).toMatch(/no attestation for rds-cluster-audit-logs-exported/);
  });

  it('Aurora Standard (no StorageType from AWS) and I/O-Optimized pass the storage control; a Multi-AZ DB cluster fails', () => {
    expect(finding(attested, 'rds-cluster-aurora-storage', 'mysql-dml')).toMatchObject({ status: 'PASS', values: { StorageType: null } });
    expect(finding(attested, 'rds-cluster-aurora-storage', 'io-optimized')).toMatchObject({ status: 'PASS', values: { StorageType: 'aurora-iopt1' } });
    expect(finding(attested, 'rds-cluster-aurora-storage', 'ledger-maz')).toMatchObject({ status: 'FAIL', values: { StorageType: 'io1' } });
  });

  it('a cluster with a member the run could not read is ERROR naming the member, not FAIL', () => {
    const f = finding(attested, 'rds-cluster-members-multi-az', 'member-gone')!;
    expect(f.status).toBe('ERROR');
    expect(f.reason).toContain('member-gone-reader-b');
    expect(finding(attested, 'rds-cluster-members-multi-az', 'mysql-dml')?.status).toBe('PASS');
  });
});
