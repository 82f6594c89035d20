// The one list of result formats. From it come every command's --format choices and help.
// Adding a format is one entry here; the compiler then points at the switch in
// src/output/index.ts that must render it. Plain data, no imports: `--help` loads it.

export const OUTPUT_FORMAT_LIST = [
  { id: 'table', describe: 'a table for a terminal (colour only there, never with NO_COLOR)' },
  { id: 'json', describe: 'the results JSON contract' },
  { id: 'junit', describe: 'JUnit XML, one test case per control and resource' },
  { id: 'csv', describe: 'one row per finding' },
  { id: 'markdown', describe: 'for a CI job summary' },
  { id: 'oscal', describe: 'OSCAL 1.0.4 Assessment Results' },
] as const satisfies readonly { id: string; describe: string }[];

export type OutputFormat = (typeof OUTPUT_FORMAT_LIST)[number]['id'];
export const OUTPUT_FORMATS: readonly OutputFormat[] = OUTPUT_FORMAT_LIST.map((f) => f.id);

