// Which value each of a control's parameters takes in this run.
import type { Control, ProjectConfig } from '../controls/model.js';

/**
 * control defaults <- project.parameters (names the control declares) <-
 * project.control_parameters[control.id]. Names the control does not declare are ignored
 * here; the loader reports them as unknown-parameter.
 */
export function resolveParameters(control: Control, project?: ProjectConfig): Record<string, unknown> {
  const defs = control.parameters ?? {};
  const out: Record<string, unknown> = {};
  const own = (o: object | undefined, k: string): boolean => o !== undefined && Object.prototype.hasOwnProperty.call(o, k);
  const perControl = project?.control_parameters?.[control.id];
  for (const [name, def] of Object.entries(defs)) {
    out[name] = def.default;
    if (own(project?.parameters, name)) out[name] = project!.parameters![name];
    if (own(perControl, name)) out[name] = perControl![name];
  }
  return out;
}
