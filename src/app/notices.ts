// Warnings about the user's own files that must not stop a nightly job (a waiver without
// approved_on). The app layer never prints: the CLI installs the sink that writes them to stderr.
let sink: (message: string) => void = () => {};

export function setNoticeSink(fn: (message: string) => void): void {
  sink = fn;
}

export function notice(message: string): void {
  sink(message);
}
