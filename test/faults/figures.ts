import { appendFileSync } from 'node:fs';

/**
 * Appends one measured figure of a fault test as a JSON line to `$FAULT_FIGURES` (when set), so a
 * run's counts can be written up in test/RELIABILITY.md; always prints it as a test diagnostic.
 */
export function recordFigure(test: string, variant: string, figure: string): void {
  const line = { at: new Date().toISOString(), test, variant, figure };
  process.stdout.write(`# figure: ${test} [${variant}] ${figure}\n`);
  if (process.env.FAULT_FIGURES) appendFileSync(process.env.FAULT_FIGURES, `${JSON.stringify(line)}\n`);
}

/** One line of a fault test's progress on stderr, with the time: what a long test is waiting for. */
export function progress(message: string): void {
  process.stderr.write(`# ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}
