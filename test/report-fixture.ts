// A small, self-made pack input for the report and verify tests and the benchmark: five
// frameworks, automated and manual controls, a waiver, an expired waiver, an expired
// attestation, non-ASCII text, and an evidence bundle whose manifest hashes its records.
import { createHash } from 'node:crypto';
import type { Control, Framework } from '../src/controls/model.js';
import type { EvidenceRecord, Manifest } from '../src/evidence/model.js';
import type { ControlResult, Finding, Results } from '../src/engine/results.js';
import type { PackCoverage, PackInput } from '../src/report/types.js';
import { toRecord } from '../src/evidence/canonical.js';
import { recordLine } from '../src/evidence/canonical.js';

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
const SIGNING_TIME = new Date('2026-11-20T10:00:00Z');
const ACCOUNT = '111122223333';

export const FRAMEWORKS: Framework[] = [
  { id: 'soc2', title: 'SOC 2 Trust Services Criteria', version: '2017 (rev. 2022)', requirements: [{ id: 'CC6.1', title: 'Logical access security over protected information assets' }, { id: 'CC6.7', title: 'Restricts transmission of information to authorised parties' }, { id: 'A1.2', title: 'Environmental protections, backup and recovery' }, { id: 'CC7.2', title: 'Monitors system components for anomalies' }] },
  { id: 'pci-dss-4.0.1', title: 'PCI DSS', version: 'v4.0.1', requirements: [{ id: '3.5.1', title: 'PAN is rendered unreadable wherever it is stored' }, { id: '4.2.1', title: 'Strong cryptography protects PAN during transmission' }, { id: '10.3.2', title: 'Audit log files are protected from modification' }] },
  { id: 'gdpr', title: 'GDPR', version: '2016/679', requirements: [{ id: 'Art.32(1)(a)', title: 'Pseudonymisation and encryption of personal data' }, { id: 'Art.5(1)(e)', title: 'Storage limitation' }] },
  { id: 'ccpa', title: 'CCPA', version: 'as amended by CPRA', requirements: [{ id: '1798.100(e)', title: 'Reasonable security procedures and practices' }] },
  { id: 'csa-ccm-4', title: 'CSA Cloud Controls Matrix', version: 'v4.0.12', requirements: [{ id: 'CEK-03', title: 'Data encryption' }, { id: 'BCR-08', title: 'Backup' }, { id: 'LOG-09', title: 'Log protection' }] },
];

export const CONTROLS: Control[] = [
  { id: 'rds-cluster-customer-managed-key', title: 'Aurora clusters are encrypted with a customer-managed KMS key', description: 'Every Aurora cluster stores its data encrypted under a KMS key the company manages, so the company controls rotation and access.', claim: 'Customer data is encrypted at rest with keys we manage.', severity: 'high', kind: 'automated', collector: 'rds.clusters', frameworks: { soc2: ['CC6.1'], 'pci-dss-4.0.1': ['3.5.1'], gdpr: ['Art.32(1)(a)'], ccpa: ['1798.100(e)'], 'csa-ccm-4': ['CEK-03'] }, remediation: 'Create a snapshot, copy it with a customer-managed key and restore.', references: [{ title: 'Encrypting Amazon Aurora resources', url: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html' }] },
  { id: 'rds-retained-backup-within-window', title: 'Retained backups of deleted clusters are purged within the deletion window', description: 'After a customer leaves, their database backups are gone within the promised window.', claim: 'We delete customer data within 15 days of account closure.', severity: 'high', kind: 'automated', collector: 'rds.retained-backups', parameters: { deletion_window_days: { type: 'days', default: 15, description: 'days', unit: 'days' } }, frameworks: { gdpr: ['Art.5(1)(e)'], ccpa: ['1798.100(e)'], soc2: ['A1.2'], 'csa-ccm-4': ['BCR-08'] }, remediation: 'Delete the retained automated backup.' },
  { id: 'rds-cluster-members-multi-az', title: 'Aurora clusters have members in two availability zones', description: 'A writer and at least one reader in different zones.', severity: 'medium', kind: 'automated', collector: 'rds.clusters', parameters: { min_azs: { type: 'count', default: 2, description: 'zones' } }, frameworks: { soc2: ['A1.2'], 'csa-ccm-4': ['BCR-08'] }, remediation: 'Add a reader in another zone.' },
  { id: 'cloudtrail-log-file-validation', title: 'CloudTrail log file validation is enabled', description: 'Trails write digest files so tampering with logs is detectable.', severity: 'medium', kind: 'automated', config_rule: 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED', collector: 'config.rule-evaluations', frameworks: { soc2: ['CC7.2'], 'pci-dss-4.0.1': ['10.3.2'], 'csa-ccm-4': ['LOG-09'] }, remediation: 'Enable log file validation on the trail.', references: [{ title: 'AWS Config managed rule', config_rule: 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED' }] },
  { id: 'manual-backup-restore-test', title: 'Backups are restored in a test at least yearly', description: 'A restore drill proves backups are usable.', severity: 'medium', kind: 'manual', attestation: { evidence: 'the restore drill report', max_age_days: 365 }, frameworks: { soc2: ['A1.2'], 'csa-ccm-4': ['BCR-08'] }, remediation: 'Run the restore drill and attest.' },
  { id: 'manual-security-policy', title: 'An information security policy is approved yearly', description: 'The policy is reviewed and approved by management.', severity: 'low', kind: 'manual', attestation: { evidence: 'the signed policy' }, frameworks: { soc2: ['CC6.1'] }, remediation: 'Approve the policy.' },
];

function record(collector: string, region: string, resource: string, data: unknown, i: number): EvidenceRecord {
  const draft = { collector, source: { service: 'rds', operation: 'DescribeDBClusters', parameters: {}, region, account: ACCOUNT, time: '2026-11-20T09:00:00Z' }, resourceType: 'AWS::RDS::DBCluster', resource, data };
  void i;
  return toRecord(draft); // id = sha256 of the canonical JSON, as the collectors make it
}

export interface Fixture {
  input: Omit<PackInput, 'signingTime'> & { signingTime: Date };
  records: EvidenceRecord[];
  manifest: Manifest;
}

/**
 * `extra` adds that many findings (alternating pass/fail) to the first control, for size
 * tests; `bulk` adds that many uncited records of about `bulkBytes` each (hex payload, which
 * compresses about 2:1), to make a large pack cheaply.
 */
export function makeFixture(opts: { extra?: number; bulk?: number; bulkBytes?: number } = {}): Fixture {
  const regions = ['us-east-1', 'eu-central-1'];
  const recs: Record<string, EvidenceRecord[]> = { 'rds.clusters': [], 'rds.retained-backups': [], 'config.rule-evaluations': [] };
  const f = (collector: string, region: string, resource: string, status: Finding['status'], reason: string, values: Record<string, unknown>, data: unknown): Finding => {
    const r = record(collector, region, resource, data, recs[collector]!.length);
    recs[collector]!.push(r);
    return { resource, account: ACCOUNT, region, status, reason, evidence: [r.id], values };
  };
  const cmk: Finding[] = [
    f('rds.clusters', 'us-east-1', `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:orders-prod`, 'PASS', 'encrypted with a customer-managed key', { StorageEncrypted: true, 'KeyManager': 'CUSTOMER' }, { DBClusterIdentifier: 'orders-prod' }),
    f('rds.clusters', 'eu-central-1', `arn:aws:rds:eu-central-1:${ACCOUNT}:cluster:customers-eu`, 'PASS', 'encrypted with a customer-managed key (bring your own key), tag city = Zürich', { KeyManager: 'CUSTOMER', 'TagList[?Key==`city`].Value': ['Zürich'] }, { DBClusterIdentifier: 'customers-eu', TagList: [{ Key: 'city', Value: 'Zürich' }] }),
    f('rds.clusters', 'eu-central-1', `arn:aws:rds:eu-central-1:${ACCOUNT}:cluster:analytics-eu-with-a-rather-long-identifier-that-needs-wrapping-0123456789`, 'FAIL', 'KeyManager is AWS, expected CUSTOMER', { KeyManager: 'AWS' }, { DBClusterIdentifier: 'analytics-eu' }),
  ];
  for (let i = 0; i < (opts.extra ?? 0); i++) {
    const region = regions[i % 2]!;
    cmk.push(f('rds.clusters', region, `arn:aws:rds:${region}:${ACCOUNT}:cluster:tenant-${String(i).padStart(6, '0')}-db`, i % 2 ? 'FAIL' : 'PASS', i % 2 ? 'KeyManager is AWS, expected CUSTOMER' : 'encrypted with a customer-managed key', { KeyManager: i % 2 ? 'AWS' : 'CUSTOMER', StorageEncrypted: true }, { DBClusterIdentifier: `tenant-${i}`, StorageEncrypted: true, KmsKeyId: `arn:aws:kms:${region}:${ACCOUNT}:key/${sha(String(i)).slice(0, 36)}` }));
  }
  const backups = [f('rds.retained-backups', 'us-east-1', `arn:aws:rds:us-east-1:${ACCOUNT}:auto-backup:ab-old-tenant-db`, 'FAIL', 'earliest restorable time is 30 days ago, beyond the deletion window of 15 days', { EarliestRestorableTime: '2026-10-21T09:00:00Z', BackupRetentionPeriod: 35 }, { DbClusterResourceId: 'old-tenant-db' })];
  const multiAz = [f('rds.clusters', 'us-east-1', `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:legacy-reporting`, 'WAIVED', 'members in 1 zone, expected at least 2', { 'length(DBClusterMembers)': 1 }, { DBClusterIdentifier: 'legacy-reporting' })];
  multiAz[0]!.waiver = { reason: 'reporting cluster rebuilt from the source of truth', approver: 'cto@example.com', expires: '2027-01-19T00:00:00Z' };
  const trail = [
    f('config.rule-evaluations', 'us-east-1', `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`, 'PASS', 'ComplianceType is COMPLIANT', { ComplianceType: 'COMPLIANT' }, {}),
    f('config.rule-evaluations', 'eu-central-1', `arn:aws:cloudtrail:eu-central-1:${ACCOUNT}:trail/eu-data-trail`, 'FAIL', 'ComplianceType is NON_COMPLIANT, expected COMPLIANT', { ComplianceType: 'NON_COMPLIANT' }, {}),
  ];
  const ctl = (id: string, status: ControlResult['status'], findings: Finding[], extra: Partial<ControlResult> = {}): ControlResult => {
    const c = CONTROLS.find((x) => x.id === id)!;
    return { id, title: c.title, status, severity: c.severity, kind: c.kind, frameworks: c.frameworks, findings, reason: `${findings.filter((x) => x.status === 'FAIL').length} of ${findings.length} resources fail`, ...(c.claim ? { claim: c.claim } : {}), ...extra };
  };
  const controls: ControlResult[] = [
    ctl('rds-cluster-customer-managed-key', 'FAIL', cmk, { asserts: 'every Aurora cluster is encrypted and its key is managed by the customer' }),
    ctl('rds-retained-backup-within-window', 'FAIL', backups, { asserts: 'the earliest restorable time of a retained backup is newer than deletion_window_days days', parameters: { deletion_window_days: 15 } }),
    ctl('rds-cluster-members-multi-az', 'WAIVED', multiAz, { asserts: 'cluster members span at least min_azs availability zones', parameters: { min_azs: 2 } }),
    ctl('cloudtrail-log-file-validation', 'FAIL', trail, { asserts: 'AWS Config rule CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED reports COMPLIANT' }),
    ctl('manual-backup-restore-test', 'FAIL', [], { reason: 'attestation expired on 2026-11-10', attestation: { attested_by: 'ops@example.com', attested_at: '2025-11-10', document: 'documents/restore-drill-2025.pdf', sha256: sha('drill'), expires: '2026-11-10', current: false } }),
    ctl('manual-security-policy', 'MANUAL', [], { reason: 'current attestation', attestation: { attested_by: 'ciso@example.com', attested_at: '2026-03-01', document: 'documents/policy.pdf', sha256: sha('policy'), expires: '2027-03-01', current: true } }),
  ];
  const summary = { PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0, MANUAL: 0, WAIVED: 0 };
  for (const c of controls) summary[c.status]++;
  const results: Results = {
    tool: { name: 'trustpack', version: '0.1.0' },
    run: { id: 'run-20261120T090000Z-0001', startedAt: '2026-11-20T09:00:00Z', endedAt: '2026-11-20T09:02:00Z', evaluatedAt: '2026-11-20T09:03:00Z', accounts: [ACCOUNT], regions },
    summary,
    controls,
    expiredWaivers: [{ control: 'rds-cluster-deletion-protection', resource: `arn:aws:rds:*:${ACCOUNT}:cluster:old-*`, expires: '2026-09-01T00:00:00Z', approver: 'cto@example.com' }],
  };
  if (opts.bulk) {
    recs['rds.snapshots'] = [];
    let h = sha('bulk');
    for (let i = 0; i < opts.bulk; i++) {
      const parts: string[] = [];
      for (let k = 0; k < Math.ceil((opts.bulkBytes ?? 1024) / 64); k++) parts.push((h = sha(h)));
      recs['rds.snapshots'].push(record('rds.snapshots', regions[i % 2]!, `arn:aws:rds:${regions[i % 2]}:${ACCOUNT}:cluster-snapshot:snap-${i}`, { payload: parts.join('') }, i));
    }
  }
  const files = Object.entries(recs).map(([collector, rs]) => ({ path: `records/${collector}.jsonl`, bytes: Buffer.from(rs.map((r) => recordLine(r)).join('\n') + '\n'), records: rs.length }));
  const manifest: Manifest = {
    formatVersion: 1, runId: results.run.id, tool: { name: 'trustpack', version: '0.1.0' },
    caller: { account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/trustpack-audit/nightly` },
    accounts: [ACCOUNT], regions, startedAt: '2026-11-20T09:00:00Z', endedAt: '2026-11-20T09:02:00Z',
    collections: Object.keys(recs).flatMap((collector) => regions.map((region) => ({ collector, account: ACCOUNT, region, status: 'ok' as const, calls: 2, records: recs[collector]!.filter((r) => r.source.region === region).length, startedAt: '2026-11-20T09:00:01Z', endedAt: '2026-11-20T09:00:03Z' }))),
    files: files.map((x) => ({ path: x.path, sha256: sha(x.bytes), bytes: x.bytes.length, records: x.records })),
  };
  const coverage: PackCoverage = {
    frameworks: FRAMEWORKS.map((fw) => {
      const requirements = fw.requirements.map((r) => {
        const cs = CONTROLS.filter((c) => c.frameworks[fw.id]?.includes(r.id));
        return { id: r.id, title: r.title, controls: cs.map((c) => c.id), automated: cs.some((c) => c.kind === 'automated') };
      });
      return { id: fw.id, title: fw.title, total: requirements.length, covered: requirements.filter((r) => r.controls.length).length, automated: requirements.filter((r) => r.automated).length, requirements };
    }),
  };
  const attachments = [
    { name: 'manifest.json', bytes: Buffer.from(JSON.stringify(manifest, null, 2) + '\n') },
    ...files.map((x) => ({ name: x.path, bytes: x.bytes })),
  ];
  return {
    input: { results, controls: CONTROLS, frameworks: FRAMEWORKS, coverage, oscal: { 'assessment-results': { uuid: '00000000-0000-4000-8000-000000000000', metadata: { title: 'fixture' } } }, attachments, organisation: 'Example SaaS Inc. (Zürich office)', framework: 'all', signingTime: SIGNING_TIME },
    records: Object.values(recs).flat(),
    manifest,
  };
}
