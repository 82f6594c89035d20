// Results and a bundle shared by the output tests: every status, hostile strings included.
import type { Results } from '../src/engine/results.js';
import type { EvidenceBundle } from '../src/evidence/model.js';

const EV1 = 'a'.repeat(64);
const EV2 = 'b'.repeat(64);
const acct = '111122223333';
const region = 'eu-west-1';
const arn = (name: string) => `arn:aws:rds:${region}:${acct}:cluster:${name}`;

export const results: Results = {
  tool: { name: 'trustpack', version: '0.1.0' },
  run: {
    id: 'run-2026-11-28', startedAt: '2026-11-28T10:00:00.000Z', endedAt: '2026-11-28T10:01:00.000Z',
    evaluatedAt: '2026-11-28T10:02:00.000Z', accounts: [acct], regions: [region],
  },
  summary: { PASS: 1, FAIL: 1, ERROR: 1, NOT_APPLICABLE: 1, MANUAL: 1, WAIVED: 1 },
  controls: [
    {
      id: 'rds-encrypted', title: 'RDS clusters are encrypted at rest', status: 'FAIL', severity: 'high', kind: 'automated',
      frameworks: { soc2: ['CC6.1'], 'pci-dss-4.0.1': ['3.5.1'] }, reason: '1 of 2 clusters not encrypted',
      findings: [
        { resource: arn('a'), account: acct, region, status: 'PASS', reason: 'StorageEncrypted is true', evidence: [EV1] },
        { resource: arn('b'), account: acct, region, status: 'FAIL', reason: 'StorageEncrypted is false', evidence: [EV1, EV2] },
      ],
    },
    {
      id: 'rds-backup', title: 'Backups kept 15 days', status: 'PASS', severity: 'medium', kind: 'automated',
      frameworks: { soc2: ['A1.2'] }, reason: 'all clusters pass',
      findings: [{ resource: arn('a'), account: acct, region, status: 'PASS', reason: 'BackupRetentionPeriod is 30', evidence: [EV1] }],
    },
    {
      id: 'kms-rotation', title: 'KMS keys rotate', status: 'ERROR', severity: 'high', kind: 'automated',
      frameworks: { 'pci-dss-4.0.1': ['3.7.4'] }, reason: 'evidence incomplete',
      findings: [{ resource: `arn:aws:kms:${region}:${acct}:*`, account: acct, region, status: 'ERROR', reason: 'AccessDenied on ListKeys', evidence: [] }],
    },
    {
      id: 'dynamo-pitr', title: 'DynamoDB PITR', status: 'NOT_APPLICABLE', severity: 'low', kind: 'automated',
      frameworks: {}, reason: 'no table in scope', findings: [],
    },
    {
      id: 'incident-policy', title: 'Incident response policy', status: 'MANUAL', severity: 'medium', kind: 'manual',
      frameworks: { gdpr: ['Art.33'] }, reason: 'current attestation', findings: [],
      attestation: { attested_by: 'CISO', attested_at: '2026-01-05', document: 'policies/ir.pdf', sha256: 'c'.repeat(64), expires: '2027-01-05', current: true },
    },
    {
      id: 'rds-public', title: 'RDS not public', status: 'WAIVED', severity: 'critical', kind: 'automated',
      frameworks: { soc2: ['CC6.6'] }, reason: 'failing resources waived',
      findings: [{
        resource: arn('legacy'), account: acct, region, status: 'WAIVED', reason: 'PubliclyAccessible is true', evidence: [EV2],
        waiver: { reason: 'migration ticket OPS-1', approver: 'cto@example.com', expires: '2027-03-01' },
      }],
    },
  ],
};

/** Strings that break naive XML, CSV, Markdown and table writers. */
export const NASTY = 'Zürich "q" \'a\' <b> & ]]> \u0001\u001f end | pipe, comma\nsecond line';

export const hostile: Results = {
  ...results,
  run: { ...results.run, id: 'run "x" <y> & z' },
  controls: [
    {
      id: '9 odd/id', title: `Title ${NASTY}`, status: 'FAIL', severity: 'high', kind: 'automated',
      frameworks: { gdpr: ['Art.32(1)(a)'] }, reason: NASTY,
      findings: [
        { resource: `arn:aws:s3:::bucket-"<&>"`, account: acct, region, status: 'FAIL', reason: NASTY, evidence: [EV1] },
        { resource: '=HYPERLINK("http://evil")', account: '+1', region: '-x', status: 'FAIL', reason: '@SUM(A1)', evidence: [] },
        { resource: `arn:aws:s3:::bucket-"<&>"`, account: acct, region, status: 'ERROR', reason: '', evidence: [] },
      ],
    },
  ],
};

export const bundle: EvidenceBundle = {
  manifest: {
    formatVersion: 1, runId: results.run.id, tool: { name: 'trustpack', version: '0.1.0' }, accounts: [acct], regions: [region],
    startedAt: '2026-11-28T10:00:00.000Z', endedAt: '2026-11-28T10:01:00.000Z',
    collections: [{ collector: 'rds.clusters', account: acct, region, status: 'ok', calls: 1, records: 2, startedAt: '2026-11-28T10:00:10.000Z', endedAt: '2026-11-28T10:00:40.000Z' }],
    files: [],
  },
  records: [{
    id: EV1, collector: 'rds.clusters',
    source: { service: 'rds', operation: 'DescribeDBClusters', parameters: {}, region, account: acct, time: '2026-11-28T10:00:30.000Z' },
    resourceType: 'AWS::RDS::DBCluster', resource: arn('a'), data: { StorageEncrypted: true },
  }],
};
