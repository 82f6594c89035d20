// A backfilled day's config_rule verdict is read with the rule's parameters of today (AWS Config
// keeps no history of them): every finding of such a run says so; a live run's findings do not.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/controls/load.js';
import { evaluate } from '../src/engine/evaluate.js';
import { COLLECTORS } from '../collectors/registry.js';
import { bundle, collection, record } from './engine-helpers.js';

const ROOT = join(import.meta.dirname, '..');
const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
const guardduty = catalog.controls.find((c) => c.id === 'guardduty-enabled')!;
const encrypted = catalog.controls.find((c) => c.id === 'rds-cluster-encrypted-at-rest')!;

function run(source: 'live' | 'config-history') {
  const ex = guardduty.examples![0]!;
  const b = bundle(['111122223333'], ['us-east-1'], [collection(guardduty.collector!, '111122223333', 'us-east-1')],
    [record(guardduty.collector!, '111122223333', 'us-east-1', 'arn:aws:config:us-east-1:111122223333:resource/AWS::::Account/111122223333', ex.resource)]);
  if (source === 'config-history') b.manifest.source = 'config-history';
  return evaluate([guardduty, encrypted], b, { toolVersion: 't', now: new Date('2026-11-28T12:00:00Z'), project: { corroborate_with_config_rules: true } });
}

describe('backfilled config_rule verdicts', () => {
  it('say "rule parameters as of today" on every finding of a config-history run', () => {
    const past = run('config-history').controls.find((c) => c.id === 'guardduty-enabled')!;
    expect(past.status).toBe('PASS');
    expect(past.findings.length).toBeGreaterThan(0);
    for (const f of past.findings) expect(f.reason).toMatch(/\(rule parameters as of today: AWS Config keeps no history of rule parameters\)$/);
  });

  it('a live run, and a control that is not a config_rule, say nothing of it', () => {
    for (const f of run('live').controls.flatMap((c) => c.findings)) expect(f.reason).not.toMatch(/as of today/);
    for (const f of run('config-history').controls.find((c) => c.id === encrypted.id)!.findings) expect(f.reason).not.toMatch(/as of today/);
  });
});
