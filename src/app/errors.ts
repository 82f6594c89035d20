// Errors the CLI turns into exit codes. Anything a user can cause is a UsageError (exit 2):
// its message is printed as is, never with a stack trace.
import { formatProblem, type LoadProblem } from '../controls/model.js';
import { UsageError } from '../util/errors.js';

export { UsageError };

/** Several load problems at once, each FILE:LINE:COL: message [rule]. */
export class ProblemsError extends UsageError {
  constructor(readonly problems: LoadProblem[]) {
    super(problems.map(formatProblem).join('\n') + `\n${problems.length} problem${problems.length === 1 ? '' : 's'} found`);
    this.name = 'ProblemsError';
  }
}
