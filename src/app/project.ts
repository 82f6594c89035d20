// Where a run's inputs come from: trustpack.yaml (if any), the control catalog, waivers and
// attestations. Every problem in any of them is reported at once (ProblemsError, exit 2).
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { formatProblem, type Attestation, type Claim, type Control, type Framework, type LoadProblem, type ManagementResponse, type ProjectConfig, type Waiver } from '../controls/model.js';
import { loadAttestations, loadCatalog, loadProject, loadResponses, loadWaivers, type LoadedProject } from '../controls/load.js';
import { COLLECTORS } from '../../collectors/registry.js';
import { RECORD_FIELDS } from '../../collectors/record-fields.generated.js';
import { PACKAGE_ROOT } from '../version.js';
import { ProblemsError, UsageError } from './errors.js';
import { notice } from './notices.js';

export interface ProjectContext {
  /** the project file used, if any */
  projectFile?: string;
  project: ProjectConfig;
  controlsDir: string;
  controls: Control[];
  frameworks: Framework[];
  /** the promises the controls back (controls/claims.yaml) */
  claims: Claim[];
  waivers: Waiver[];
  attestations: Attestation[];
  /** management responses to exceptions (period packs) */
  responses: ManagementResponse[];
  /** folder that attestation documents are relative to */
  attestationBaseDir?: string;
}

export interface ProjectOptions {
  project?: string;
  controls?: string;
  /** where to say that no project file was found (commands that collect or evaluate) */
  log?: (s: string) => void;
}

/** Said once per run when there is no project file: what the run then assumes. */
const NO_PROJECT_NOTE =
  "no trustpack.yaml here (and no --project): using the catalog's defaults: every parameter at its default, " +
  'regions from --regions or AWS_REGION, no waivers, no attestations (manual controls fail), no organisation name. ' +
  'Run `trustpack init` to write a project file of your own.';

/**
 * The project file is `--project FILE`, else ./trustpack.yaml when present. The controls are
 * `--controls DIR`, else the project's `controls:`, else ./controls, else the catalog shipped
 * with the package (so `npx trustpack check` works in any folder).
 */
export function loadProjectContext(opts: ProjectOptions): ProjectContext {
  const problems: LoadProblem[] = [];
  let projectFile: string | undefined;
  if (opts.project) {
    projectFile = resolve(opts.project);
    if (!existsSync(projectFile)) throw new UsageError(`${opts.project}: project file not found`);
  } else if (existsSync('trustpack.yaml')) {
    projectFile = resolve('trustpack.yaml');
  }
  if (!projectFile) opts.log?.(NO_PROJECT_NOTE);
  let project: ProjectConfig = {};
  let loadedProject: LoadedProject | undefined;
  if (projectFile) {
    loadedProject = loadProject(projectFile);
    project = loadedProject.config;
    problems.push(...loadedProject.problems);
  }
  const base = projectFile ? dirname(projectFile) : process.cwd();
  const rel = (p: string) => (isAbsolute(p) ? p : join(base, p));

  let controlsDir: string;
  if (opts.controls) controlsDir = resolve(opts.controls);
  else if (project.controls) controlsDir = rel(project.controls);
  else if (existsSync('controls')) controlsDir = resolve('controls');
  else controlsDir = join(PACKAGE_ROOT, 'controls');
  if (!existsSync(controlsDir)) {
    // a folder named by the project file is named with the file, which is where to fix it
    const from = !opts.controls && project.controls && projectFile ? ` (\`controls: ${project.controls}\` in ${projectFile})` : '';
    throw new UsageError(`${controlsDir}: controls folder not found${from}`);
  }

  const catalog = loadCatalog(controlsDir, { knownCollectors: new Set(COLLECTORS.map((c) => c.id)), recordFields: RECORD_FIELDS });
  problems.push(...catalog.problems);
  // Cross-file checks (control_parameters, waivers and attestations naming unknown controls)
  // need the catalog, whose folder may come from the project file: so they run now.
  const controls = catalog.problems.length === 0 ? catalog.controls : undefined;
  if (loadedProject && controls) problems.push(...loadedProject.checkAgainst(controls));

  let waivers: Waiver[] = [];
  if (project.waivers) {
    const w = loadWaivers(rel(project.waivers), controls ? { controls } : {});
    waivers = w.waivers;
    problems.push(...w.problems);
    for (const warning of w.warnings) notice(`warning: ${formatProblem(warning)}`);
  }
  let attestations: Attestation[] = [];
  let attestationBaseDir: string | undefined;
  if (project.attestations) {
    const file = rel(project.attestations);
    const a = loadAttestations(file, controls ? { controls } : {});
    attestations = a.attestations;
    attestationBaseDir = dirname(file);
    problems.push(...a.problems);
  }
  let responses: ManagementResponse[] = [];
  if (project.responses) {
    const r = loadResponses(rel(project.responses), controls ? { controls } : {});
    responses = r.responses;
    problems.push(...r.problems);
  }
  if (problems.length > 0) throw new ProblemsError(problems);
  return {
    ...(projectFile ? { projectFile } : {}),
    project, controlsDir, controls: catalog.controls, frameworks: catalog.frameworks, claims: catalog.claims, waivers, attestations, responses,
    ...(attestationBaseDir ? { attestationBaseDir } : {}),
  };
}
