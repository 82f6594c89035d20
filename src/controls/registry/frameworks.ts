// The one list of framework ids. Adding a framework is one entry here plus its catalog,
// controls/frameworks/<id>.yaml. From this list come the schemas' enums and per-framework
// properties (scripts/gen-validators.mjs), the CLI's --framework help, the "unknown framework"
// messages and the order frameworks appear in every output (the order of this list).
// Plain data, no imports: the generator reads it and `--help` loads it.

export const FRAMEWORKS = [
  { id: 'soc2', name: 'SOC 2' },
  { id: 'pci-dss-4.0.1', name: 'PCI DSS v4.0.1' },
  { id: 'gdpr', name: 'GDPR' },
  { id: 'ccpa', name: 'CCPA' },
  { id: 'csa-ccm-4', name: 'CSA CCM v4' },
] as const satisfies readonly { id: string; name: string }[];

export type FrameworkId = (typeof FRAMEWORKS)[number]['id'];
export const FRAMEWORK_IDS: readonly FrameworkId[] = FRAMEWORKS.map((f) => f.id);

/** "soc2, pci-dss-4.0.1, ..." for help texts and messages */
export function frameworkIdList(): string {
  return FRAMEWORK_IDS.join(', ');
}
