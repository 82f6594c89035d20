// Results -> an OSCAL 1.0.4 Assessment Results document (NIST), valid against the official
// JSON schema vendored in vendor/oscal. Deterministic: the same results and bundle give the same
// document, because the pack that embeds it must be byte-identical for the same input.
//
// Mapping:
// - one OSCAL result for the run (start/end, reviewed controls = the evaluated control ids);
// - one observation per finding (resource, account, region, trustpack status, reason,
//   relevant evidence) and one per manual attestation considered;
// - one OSCAL finding per control, target status satisfied / not-satisfied, the trustpack
//   status kept verbatim in a prop so nothing (NOT_APPLICABLE, WAIVED) is flattened away;
// - each AWS resource is a local inventory item, the observation's subject; trustpack is the
//   local tool component named as the origin of observations and findings;
// - each evidence record is a back-matter resource; relevant-evidence points at it by
//   `#<uuid>` and carries the record id (sha256) in an `evidence-id` prop.
import type { EvidenceBundle, EvidenceRecord } from '../evidence/model.js';
import type { ControlResult, ControlStatus, Finding, Results } from '../engine/results.js';
import { uuidV5 } from './uuid.js';
import { oneLine, stripControlChars } from './text.js';

const OSCAL_VERSION = '1.0.4';
/** Namespace of trustpack's own props (OSCAL requires `ns` for names it does not define). */
const TRUSTPACK_OSCAL_NS = 'https://trustpack.dev/ns/oscal';

export interface OscalOptions {
  /** metadata title; default names the run */
  title?: string;
  /** how the evaluated control set is described (e.g. "SOC 2 controls of Acme") */
  controlsTitle?: string;
}

type Json = Record<string, unknown>;
interface Prop { name: string; ns?: string; value: string; class?: string }

/** OSCAL token: a letter or `_` first, then letters, digits, `.`, `-`, `_`. */
export function toToken(s: string): string {
  const body = s.replace(/[^\p{L}\p{N}._-]/gu, '_');
  return /^(\p{L}|_)/u.test(body) ? body : `_${body}`;
}

/** A trustpack prop; undefined when the value is empty (OSCAL values must be non-blank). */
function prop(name: string, value: string | undefined, cls?: string): Prop | undefined {
  const v = value === undefined ? '' : oneLine(value);
  if (v === '') return undefined;
  return { name, ns: TRUSTPACK_OSCAL_NS, value: v, ...(cls ? { class: cls } : {}) };
}

/** OSCAL arrays must have at least one item: `{ key: items }` or nothing. */
function some<T>(key: string, items: (T | undefined)[]): Json {
  const kept = items.filter((i): i is T => i !== undefined);
  return kept.length > 0 ? { [key]: kept } : {};
}

/** Free text for description/remarks: control characters removed; never empty (required fields). */
function text(s: string | undefined, fallback: string): string {
  const t = s === undefined ? '' : stripControlChars(s).trim();
  return t === '' ? fallback : t;
}

// The schema's date-time: full date, time and zone. Anything else is normalised or replaced.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
function asDateTime(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  if (DATE_TIME.test(s)) return s;
  if (DATE_ONLY.test(s)) return `${s}T00:00:00Z`;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function targetState(status: ControlStatus): { state: 'satisfied' | 'not-satisfied'; reason: string } {
  switch (status) {
    case 'PASS': return { state: 'satisfied', reason: 'pass' };
    // every in-scope resource satisfies it vacuously; the prop and reason keep it distinct from a pass
    case 'NOT_APPLICABLE': return { state: 'satisfied', reason: 'not-applicable' };
    case 'MANUAL': return { state: 'satisfied', reason: 'attested' };
    // a waiver accepts a failure as a risk; the objective itself is still not met
    case 'WAIVED': return { state: 'not-satisfied', reason: 'waived' };
    case 'ERROR': return { state: 'not-satisfied', reason: 'error' };
    case 'FAIL': return { state: 'not-satisfied', reason: 'fail' };
  }
}

/** When each observation was made, from the bundle at hand (not the engine's EvidenceIndex: this one only dates records). */
class ObservationDates {
  private readonly records = new Map<string, EvidenceRecord>();
  constructor(private readonly bundle: EvidenceBundle | undefined) {
    for (const r of bundle?.records ?? []) this.records.set(r.id, r);
  }
  record(id: string): EvidenceRecord | undefined {
    return this.records.get(id);
  }
  /** When the evidence behind a finding was collected: the latest answer time among its records,
   *  else the end of the matching collection, else the end of the bundle's run. */
  collected(f: Finding): string | undefined {
    const times = f.evidence.map((id) => asDateTime(this.records.get(id)?.source.time)).filter((t): t is string => !!t);
    if (times.length > 0) return times.sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1);
    const m = this.bundle?.manifest;
    if (!m) return undefined;
    const ends = m.collections
      .filter((c) => c.account === f.account && (c.region === f.region || c.region === 'global'))
      .map((c) => asDateTime(c.endedAt))
      .filter((t): t is string => !!t)
      .sort((a, b) => Date.parse(a) - Date.parse(b));
    return ends.at(-1) ?? asDateTime(m.endedAt);
  }
}

function describeRecord(id: string, r: EvidenceRecord | undefined): string {
  if (!r) return `Evidence record ${id}`;
  const s = r.source;
  return `Evidence record ${id}: ${s.service} ${s.operation} in account ${s.account}, region ${s.region}, answered ${s.time}, for ${r.resource}`;
}

export function toOscal(results: Results, bundle?: EvidenceBundle, opts: OscalOptions = {}): object {
  const run = results.run;
  const index = new ObservationDates(bundle);
  const runEnd = asDateTime(run.endedAt) ?? asDateTime(bundle?.manifest.endedAt);
  const fallbackTime = runEnd ?? asDateTime(run.evaluatedAt) ?? asDateTime(run.startedAt) ?? '1970-01-01T00:00:00Z';

  const observations: Json[] = [];
  const findings: Json[] = [];
  const inventory = new Map<string, Json>(); // ARN -> inventory item
  const evidence = new Map<string, Json>(); // record id -> back-matter resource
  const usedObservationKeys = new Set<string>();
  // trustpack itself, as the OSCAL tool component that made the automated observations
  const toolUuid = uuidV5('component', results.tool.name, results.tool.version);
  const toolOrigin = [{ actors: [{ type: 'tool', 'actor-uuid': toolUuid }] }];
  const toolComponent = {
    uuid: toolUuid,
    type: 'software',
    title: oneLine(`${results.tool.name} ${results.tool.version}`) || 'trustpack',
    description: 'Evaluates declared security controls against evidence collected from AWS APIs.',
    props: [prop('version', results.tool.version)].filter((p) => p !== undefined),
    status: { state: 'operational' },
  };

  const evidenceRef = (id: string): Json => {
    if (!evidence.has(id)) {
      const r = index.record(id);
      evidence.set(id, {
        uuid: uuidV5('evidence', id),
        title: `Evidence record ${id}`,
        description: stripControlChars(describeRecord(id, r)),
        props: [
          prop('evidence-id', id, 'sha256'),
          ...(r ? [prop('collector', r.collector), prop('resource-type', r.resourceType), prop('resource', r.resource)] : []),
        ].filter((p) => p !== undefined),
      });
    }
    return {
      href: `#${uuidV5('evidence', id)}`,
      description: stripControlChars(describeRecord(id, index.record(id))),
      props: [prop('evidence-id', id, 'sha256')!],
    };
  };

  const subject = (arn: string): Json => {
    const uuid = uuidV5('inventory-item', arn);
    if (!inventory.has(arn)) {
      inventory.set(arn, {
        uuid,
        description: text(arn, 'unnamed resource'),
        // asset-id is OSCAL's own prop name for an inventory item's identifier: no ns
        ...some('props', [oneLine(arn) ? { name: 'asset-id', value: oneLine(arn) } : undefined]),
      });
    }
    return { 'subject-uuid': uuid, type: 'inventory-item', title: text(arn, 'unnamed resource') };
  };

  for (const control of results.controls) {
    const related: string[] = [];

    for (const f of control.findings) {
      // a control may report the same resource twice (e.g. an ERROR per scope); keep uuids distinct
      const base = ['observation', run.id, control.id, f.account, f.region, f.resource];
      let key = JSON.stringify(base);
      for (let n = 2; usedObservationKeys.has(key); n++) key = JSON.stringify([...base, String(n)]);
      usedObservationKeys.add(key);
      const uuid = uuidV5(key);
      related.push(uuid);
      observations.push({
        uuid,
        title: stripControlChars(`${control.id}: ${f.status} for ${f.resource}`),
        description: text(f.reason, `${f.status} for ${f.resource}`),
        props: [
          prop('trustpack-status', f.status),
          prop('control-id', control.id),
          prop('resource', f.resource),
          prop('account', f.account),
          prop('region', f.region),
          prop('waiver-approver', f.waiver?.approver),
          prop('waiver-expires', f.waiver?.expires),
          prop('waiver-reason', f.waiver?.reason),
        ].filter((p) => p !== undefined),
        methods: ['TEST'],
        types: [f.status === 'PASS' ? 'control-objective' : 'finding'],
        origins: toolOrigin,
        subjects: [subject(f.resource)],
        ...some('relevant-evidence', [...new Set(f.evidence)].map(evidenceRef)),
        collected: index.collected(f) ?? fallbackTime,
      });
    }

    const att = control.attestation;
    if (att) {
      const uuid = uuidV5('attestation', run.id, control.id, att.sha256, att.attested_at);
      related.push(uuid);
      observations.push({
        uuid,
        title: stripControlChars(`${control.id}: attestation by ${att.attested_by}`),
        description: text(
          `Attested by ${att.attested_by} on ${att.attested_at}: ${att.document} (sha256 ${att.sha256}), expires ${att.expires}; ${att.current ? 'current' : 'not current'}.`,
          'attestation',
        ),
        props: [
          prop('control-id', control.id),
          prop('attested-by', att.attested_by),
          prop('attestation-document', att.document),
          prop('attestation-sha256', att.sha256, 'sha256'),
          prop('attestation-expires', att.expires),
          prop('attestation-current', String(att.current)),
        ].filter((p) => p !== undefined),
        methods: ['EXAMINE'],
        collected: asDateTime(att.attested_at) ?? fallbackTime,
        ...(asDateTime(att.expires) ? { expires: asDateTime(att.expires) } : {}),
      });
    }

    findings.push(controlFinding(results, control, related, toolOrigin));
  }

  const planUuid = uuidV5('assessment-plan', run.id);
  const controlsTitle = opts.controlsTitle ?? 'trustpack control catalog';
  const start = asDateTime(run.startedAt) ?? fallbackTime;

  const result: Json = {
    uuid: uuidV5('result', run.id),
    title: stripControlChars(`trustpack run ${run.id}`),
    description: stripControlChars(
      `Evaluation of ${results.controls.length} controls against evidence collected from account(s) ${run.accounts.join(', ') || '(none)'} in region(s) ${run.regions.join(', ') || '(none)'}` +
        (run.framework ? ` for framework ${run.framework}` : '') + '.',
    ),
    start,
    ...(runEnd ? { end: runEnd } : {}),
    props: [
      prop('run-id', run.id),
      prop('evaluated-at', run.evaluatedAt),
      prop('framework', run.framework),
      ...run.accounts.map((a) => prop('account', a)),
      ...run.regions.map((r) => prop('region', r)),
      ...Object.entries(results.summary).map(([status, n]) => prop('summary-count', String(n), toToken(status))),
    ].filter((p) => p !== undefined),
    'local-definitions': {
      components: [toolComponent],
      ...(inventory.size > 0 ? { 'inventory-items': [...inventory.values()] } : {}),
    },
    'reviewed-controls': {
      description: stripControlChars(controlsTitle),
      'control-selections': [
        results.controls.length > 0
          ? { 'include-controls': results.controls.map((c) => ({ 'control-id': toToken(c.id) })) }
          : { 'include-all': {} },
      ],
    },
    ...some('observations', observations),
    ...some('findings', findings),
    // trustpack's warnings (a waiver matching nothing) belong to the run, not to one control
    ...((results.warnings ?? []).length > 0
      ? { remarks: (results.warnings ?? []).map((w) => `WARNING: ${stripControlChars(w.message)}`).join('\n\n') }
      : {}),
  };

  return {
    'assessment-results': {
      uuid: uuidV5('assessment-results', run.id),
      metadata: {
        title: stripControlChars(opts.title ?? `trustpack assessment results: run ${run.id}`),
        'last-modified': asDateTime(run.evaluatedAt) ?? fallbackTime,
        version: oneLine(run.id) || '1',
        'oscal-version': OSCAL_VERSION,
        props: [prop('tool', results.tool.name), prop('tool-version', results.tool.version)].filter((p) => p !== undefined),
      },
      'import-ap': {
        // trustpack has no separate assessment plan: the back-matter entry says what stands for one
        href: `#${planUuid}`,
        remarks: 'The assessment plan is the trustpack control catalog evaluated in this run; see the referenced back-matter resource.',
      },
      results: [result],
      'back-matter': {
        resources: [
          {
            uuid: planUuid,
            title: stripControlChars(controlsTitle),
            description: 'The controls evaluated, each a YAML declaration of what is asserted on which AWS evidence, mapped to framework requirements.',
          },
          ...evidence.values(),
        ],
      },
    },
  };
}

function controlFinding(results: Results, control: ControlResult, related: string[], origins: Json[]): Json {
  const { state, reason } = targetState(control.status);
  const frameworkProps = Object.entries(control.frameworks).flatMap(([fw, ids]) =>
    (ids ?? []).map((id) => prop('framework-requirement', `${fw}:${id}`, toToken(fw))),
  );
  return {
    uuid: uuidV5('finding', results.run.id, control.id),
    title: text(control.title, control.id),
    description: text(control.reason, `${control.id}: ${control.status}`),
    props: [
      prop('trustpack-status', control.status),
      prop('control-id', control.id),
      prop('severity', control.severity),
      prop('kind', control.kind),
      prop('claim', control.claim),
      ...frameworkProps,
    ].filter((p) => p !== undefined),
    origins,
    target: {
      type: 'objective-id',
      'target-id': toToken(control.id),
      ...(control.asserts ? { description: stripControlChars(control.asserts) } : {}),
      status: { state, reason },
    },
    ...some('related-observations', related.map((uuid) => ({ 'observation-uuid': uuid }))),
  };
}
