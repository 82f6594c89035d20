// Results -> JUnit XML, the format CI systems display as test reports.
// One <testsuite name="trustpack">; one <testcase classname=CONTROL_ID name=RESOURCE> per finding
// (FAIL -> <failure>, ERROR -> <error>, WAIVED -> <skipped>), and one testcase per control that
// has no findings (NOT_APPLICABLE -> <skipped>, MANUAL -> <system-out> naming the attestation).
import type { ControlResult, Finding, Results } from '../engine/results.js';
import { oneLine, stripControlChars } from './text.js';

// XML 1.0 allows tab, LF, CR and U+0020..U+D7FF, U+E000..U+FFFD, supplementary planes;
// everything else (C0 controls, lone surrogates, U+FFFE/U+FFFF) cannot appear even escaped.
const XML_INVALID = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes for both text and attribute values; `>` too, so `]]>` can never appear. */
function xmlEscape(s: string): string {
  return stripControlChars(s)
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Attribute values: one line, since parsers normalise newlines in attributes to spaces anyway. */
function attr(s: string): string {
  return xmlEscape(oneLine(s));
}

interface Counts { tests: number; failures: number; errors: number; skipped: number }

function testcase(classname: string, name: string, body: string, counts: Counts): string {
  counts.tests++;
  const open = `    <testcase classname="${attr(classname)}" name="${attr(name)}" time="0"`;
  return body === '' ? `${open}/>` : `${open}>\n${body}\n    </testcase>`;
}

function findingBody(c: ControlResult, f: Finding, counts: Counts): string {
  const detail = xmlEscape(
    [`${f.status}: ${f.reason}`, `account ${f.account}, region ${f.region}`, f.evidence.length ? `evidence ${f.evidence.join(' ')}` : '']
      .filter(Boolean).join('\n'),
  );
  switch (f.status) {
    case 'FAIL':
      counts.failures++;
      return `      <failure message="${attr(f.reason || 'FAIL')}" type="FAIL">${detail}</failure>`;
    case 'ERROR':
      counts.errors++;
      return `      <error message="${attr(f.reason || 'ERROR')}" type="ERROR">${detail}</error>`;
    case 'WAIVED': {
      counts.skipped++;
      const w = f.waiver;
      const why = w ? `waived until ${w.expires} by ${w.approver}: ${w.reason}` : `waived: ${f.reason}`;
      return `      <skipped message="${attr(why)}"/>`;
    }
    case 'PASS':
    case 'MANUAL': // resting on a current attestation: passes, as a MANUAL control does
      return '';
  }
}

/** The testcase body for a control judged as a whole (no finding carries its status). */
function controlBody(c: ControlResult, counts: Counts): string {
  switch (c.status) {
    case 'FAIL':
      counts.failures++;
      return `      <failure message="${attr(c.reason)}" type="FAIL">${xmlEscape(c.reason)}</failure>`;
    case 'ERROR':
      counts.errors++;
      return `      <error message="${attr(c.reason)}" type="ERROR">${xmlEscape(c.reason)}</error>`;
    case 'NOT_APPLICABLE':
    case 'WAIVED':
      counts.skipped++;
      return `      <skipped message="${attr(`${c.status}: ${c.reason}`)}"/>`;
    case 'MANUAL': {
      const a = c.attestation;
      const text = a
        ? `attested by ${a.attested_by} on ${a.attested_at}: ${a.document} (sha256 ${a.sha256}), expires ${a.expires}`
        : c.reason;
      return `      <system-out>${xmlEscape(`MANUAL: ${text}`)}</system-out>`;
    }
    case 'PASS':
      return '';
  }
}

export function renderJunit(results: Results): string {
  const counts: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const cases: string[] = [];
  for (const c of results.controls) {
    for (const f of c.findings) cases.push(testcase(c.id, f.resource, findingBody(c, f, counts), counts));
    // a control with no findings still gets a testcase; so does a FAIL/ERROR control whose findings
    // do not carry the failure, so that no failing control can show up green in CI
    const carried = c.findings.some((f) => f.status === c.status);
    if (c.findings.length === 0 || ((c.status === 'FAIL' || c.status === 'ERROR') && !carried)) {
      cases.push(testcase(c.id, c.title, controlBody(c, counts), counts));
    }
  }
  const n = `tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}"`;
  const run = results.run;
  const props = [
    ['run.id', run.id], ['tool.version', results.tool.version], ['evaluatedAt', run.evaluatedAt],
    ['accounts', run.accounts.join(',')], ['regions', run.regions.join(',')], ['framework', run.framework ?? ''],
  ].filter(([, v]) => v !== '').map(([k, v]) => `      <property name="${attr(k!)}" value="${attr(v!)}"/>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="trustpack" ${n} time="0">`,
    `  <testsuite name="trustpack" ${n} time="0" timestamp="${attr(run.evaluatedAt)}">`,
    '    <properties>', ...props, '    </properties>',
    ...cases,
    // warnings fail nothing, so they are not testcases; CI report viewers show system-err
    ...((results.warnings ?? []).length > 0
      ? [`    <system-err>${xmlEscape((results.warnings ?? []).map((w) => `WARNING: ${w.message}`).join('\n'))}</system-err>`]
      : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
