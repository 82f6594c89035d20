// The sample company's project file as the pack tests write it: the catalog of this checkout,
// the sample's two regions, its parameters and attestations, plus what a test adds (waivers,
// management responses, keys held by customers, any other line).
import { join } from 'node:path';
import { ROOT } from './cli.js';

export interface SampleProjectOptions {
  waivers?: string;
  responses?: string;
  customerHeldKeys?: string[];
  /** more lines, verbatim (a comment, another setting) */
  extra?: string[];
}

export function sampleProjectYaml(o: SampleProjectOptions = {}): string {
  return [
    'organisation: Example SaaS Inc.',
    `controls: ${join(ROOT, 'controls')}`,
    'regions: [us-east-1, eu-central-1]',
    'parameters:',
    '  deletion_window_days: 15',
    '  allowed_snapshot_accounts: ["444455556666"]',
    ...(o.customerHeldKeys ? ['  customer_held_keys:', ...o.customerHeldKeys.map((k) => `    - ${k}`)] : []),
    ...(o.waivers ? [`waivers: ${o.waivers}`] : []),
    `attestations: ${join(ROOT, 'examples', 'sample', 'attestations.yaml')}`,
    ...(o.responses ? [`responses: ${o.responses}`] : []),
    ...(o.extra ?? []),
    '',
  ].join('\n');
}
