// Small text helpers shared by the renderers.

/** C0/C1 control characters except tab, newline and carriage return. */
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** Removes control characters that no text format can carry safely (XML 1.0 forbids most). */
export function stripControlChars(s: string): string {
  return s.replace(CONTROL_CHARS, '');
}

/** One line: control characters removed, every run of whitespace (newlines too) made one space. */
export function oneLine(s: string): string {
  return stripControlChars(s).replace(/\s+/g, ' ').trim();
}

/** Frameworks of a control as `soc2:CC6.1;pci-dss-4.0.1:3.5.1`, in the control's own order. */
export function frameworkRefs(frameworks: Partial<Record<string, string[]>>): string {
  const refs: string[] = [];
  for (const [fw, ids] of Object.entries(frameworks)) {
    for (const id of ids ?? []) refs.push(`${fw}:${id}`);
  }
  return refs.join(';');
}

/** "1 record", "3 records": a count with its noun in the right number. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
