// Which framework requirements have a control behind them, and which of those are proven
// by collected evidence rather than by an attestation: the `coverage --format json` contract.
import { FRAMEWORK_IDS, type Control, type Framework, type FrameworkId } from '../controls/model.js';

interface RequirementCoverage {
  id: string;
  title: string;
  /** a grouping the framework catalog may give (a SOC 2 series, a GDPR chapter) */
  group?: string;
  /** ids of the controls mapped to this exact requirement id, sorted */
  controls: string[];
  /** true when at least one of `controls` is an automated control */
  automated: boolean;
  /**
   * a parent (one with narrower ids in the catalog, PCI 6.3 -> 6.3.1..6.3.3): how many of its
   * points have a control of their own. Informative only: a parent is covered by a control
   * mapped to the parent itself, never by its points, however many (issue 18: one engine flag
   * that tests 6.3.3 must not make all of 6.3 look covered).
   */
  points?: { total: number; covered: number };
}

interface FrameworkCoverage {
  id: FrameworkId;
  title: string;
  version: string;
  total: number;
  covered: number;
  automated: number;
  /**
   * the same counts over leaf requirements only (those with no narrower id in the catalog:
   * 3.5.1 but not 3.5, Art.32(1)(a) but not Art.32), so a parent is never counted because a
   * control maps to its child, nor a child because a control maps to its parent
   */
  leaves: { total: number; covered: number; automated: number };
  /** every requirement of the catalog, in catalog order */
  requirements: RequirementCoverage[];
  /** ids of requirements no control maps to, in catalog order */
  uncovered: string[];
}

export interface Coverage {
  frameworks: FrameworkCoverage[];
}

export class UnknownFrameworkError extends Error {
  constructor(readonly frameworkId: string, readonly known: string[]) {
    super(`unknown framework "${frameworkId}"; known: ${known.join(', ') || '(none loaded)'}`);
    this.name = 'UnknownFrameworkError';
  }
}

/**
 * Coverage of each framework (or only `frameworkId`) by the controls.
 * Ids match exactly: a control mapped to GDPR "Art.32" covers "Art.32" only, not
 * "Art.32(1)(a)"; an article and its points are distinct requirements, each counted on its own,
 * so a broad mapping never makes the narrower points look covered.
 * Throws UnknownFrameworkError when `frameworkId` names no loaded framework (a usage error).
 */
export function computeCoverage(controls: Control[], frameworks: Framework[], frameworkId?: string): Coverage {
  const selected = frameworkId === undefined ? frameworks : frameworks.filter((f) => f.id === frameworkId);
  if (frameworkId !== undefined && selected.length === 0) {
    throw new UnknownFrameworkError(frameworkId, frameworks.map((f) => f.id));
  }
  // in the framework registry's order (soc2, pci-dss-4.0.1, gdpr, ccpa, csa-ccm-4), as the pack shows them
  const rank = (f: Framework) => FRAMEWORK_IDS.indexOf(f.id);
  return { frameworks: [...selected].sort((a, b) => rank(a) - rank(b)).map((f) => frameworkCoverage(controls, f)) };
}

function frameworkCoverage(controls: Control[], framework: Framework): FrameworkCoverage {
  // requirement id -> controls mapped to it; a Set so a control listing an id twice counts once
  const byRequirement = new Map<string, Map<string, Control>>();
  for (const control of controls) {
    for (const reqId of control.frameworks[framework.id] ?? []) {
      let mapped = byRequirement.get(reqId);
      if (!mapped) byRequirement.set(reqId, (mapped = new Map<string, Control>()));
      mapped.set(control.id, control);
    }
  }

  const seen = new Set<string>();
  const requirements: RequirementCoverage[] = [];
  for (const req of framework.requirements) {
    if (seen.has(req.id)) continue; // a duplicated catalog entry must not be counted twice
    seen.add(req.id);
    const mapped = [...(byRequirement.get(req.id)?.values() ?? [])];
    // `group` is optional in catalogs; read it without widening the shared Requirement type
    const group = (req as { group?: unknown }).group;
    // built in the contract's key order (id, title, group?, controls, automated) for stable JSON
    const entry: RequirementCoverage = {
      id: req.id,
      title: req.title,
      ...(typeof group === 'string' && group !== '' ? { group } : {}),
      controls: mapped.map((c) => c.id).sort(),
      automated: mapped.some((c) => c.kind === 'automated'),
    };
    requirements.push(entry);
  }

  for (const r of requirements) {
    const points = requirements.filter((q) => isChildOf(q.id, r.id));
    if (points.length > 0) r.points = { total: points.length, covered: points.filter((q) => q.controls.length > 0).length };
  }
  const leaves = requirements.filter((r) => r.points === undefined);
  return {
    id: framework.id,
    title: framework.title,
    version: framework.version,
    total: requirements.length,
    covered: requirements.filter((r) => r.controls.length > 0).length,
    automated: requirements.filter((r) => r.automated).length,
    leaves: {
      total: leaves.length,
      covered: leaves.filter((r) => r.controls.length > 0).length,
      automated: leaves.filter((r) => r.automated).length,
    },
    requirements,
    uncovered: requirements.filter((r) => r.controls.length === 0).map((r) => r.id),
  };
}

/**
 * Whether `child` is a narrower requirement than `id`: one that continues it with a dot or a
 * parenthesis (PCI 3.5 -> 3.5.1, GDPR Art.32 -> Art.32(1), CCPA 1798.100 -> 1798.100(a)).
 * Quadratic in catalog size (a few hundred ids), computed once per coverage report.
 */
function isChildOf(child: string, id: string): boolean {
  return child.length > id.length && child.startsWith(id) && (child[id.length] === '.' || child[id.length] === '(');
}
