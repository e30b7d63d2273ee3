import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// A stack frame or Node's source arrow: `file:///x.js:12:5`, `/x.js:12`.
const LOCATION = /((?:file:\/\/)?\/[^\s():]+):(\d+)(?::(\d+))?/;
const LOCATE_TIMEOUT_MS = 10_000;

/**
 * Where a module failed to load, as `path:line[:column]` relative to `cwd`: the first frame of the
 * error's stack in a file (an error thrown while the module ran). A syntax error has no such frame:
 * Node 20 gives `import()` none, though it prints the place when the import is the main one; so
 * the import is repeated in a child `node` (which stops at the same parse error: no module of that
 * graph runs) and the place read from what it prints. Undefined when neither says.
 */
export async function locateLoadError(err: unknown, moduleUrl: string, cwd: string): Promise<string | undefined> {
  if (!(err instanceof Error)) return undefined;
  const frame = err.stack?.split('\n').slice(1).find((line) => /^\s+at /.test(line) && LOCATION.test(line) && !line.includes('node:'));
  if (frame !== undefined) return format(LOCATION.exec(frame)!, cwd);
  if (err.name !== 'SyntaxError') return undefined;
  const printed = await importInChild(moduleUrl, cwd);
  const line = printed.split('\n').find((text) => LOCATION.test(text) && /^(file:\/\/)?\//.test(text));
  return line === undefined ? undefined : format(LOCATION.exec(line)!, cwd);
}

function format(match: RegExpExecArray, cwd: string): string {
  const [, where, line, column] = match;
  const path = where!.startsWith('file://') ? fileURLToPath(where!) : where!;
  return `${relative(cwd, path) || path}:${line}${column === undefined ? '' : `:${column}`}`;
}

function importInChild(moduleUrl: string, cwd: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', `await import(${JSON.stringify(moduleUrl)});`], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: LOCATE_TIMEOUT_MS,
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', () => resolve(''));
    child.on('close', () => resolve(stderr));
  });
}
