// Where an evaluation's findings go. By default each control's result keeps them (`findings`);
// at estate size (a million resources x 50 controls) they do not fit in memory, so `check` and
// `evaluate --output` hand them to a sink that writes them to disk as they are produced, and the
// results keep only what decides each control (counts, first failure). docs/ARCHITECTURE.md.
import type { Finding } from './results.js';

export interface FindingSink {
  /**
   * Called once per finding, in its final form, in the order the control's `findings` would
   * hold it. The finding is not touched again: the sink may keep, serialize or drop it.
   */
  add(control: string, finding: Finding): void;
}
