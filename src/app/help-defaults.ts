// Defaults that `--help` prints, re-exported so that src/cli.ts (which may import only src/app)
// states the same numbers the code uses.
export { DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT_SECONDS } from '../aws/network-options.js';
export { DEFAULT_MAX_ROWS } from '../output/markdown.js';
