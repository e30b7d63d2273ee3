import { parseArgs } from 'node:util';
import { Electron, Generator, Link, type Context } from '@catenae/core';
import { isIssNow } from './position.js';
import { readPositions } from './read-positions.js';

/** The live API, as in the Python library's example. */
export const ISS_API_URL = 'http://api.open-notify.org/iss-now.json';

/** The recorded positions beside this example's sources (compiled: examples/dist/iss → examples/iss). */
export const SAMPLE_URL = new URL('../../iss/sample.json', import.meta.url);

/** What the source reads, from the arguments after `--`. */
export interface SourceOptions {
  url: URL;
  intervalMs: number;
  /** Stop after emitting this many positions (default: never for http, the whole recording for a file). */
  count: number | undefined;
}

/**
 * Parses `--url URL`, `--sample`, `--interval-ms N` and `--count N`.
 * @throws Error naming the argument that is wrong.
 */
export function parseSourceArgs(args: readonly string[]): SourceOptions {
  const { values } = parseArgs({
    args: [...args],
    options: { url: { type: 'string' }, sample: { type: 'boolean' }, 'interval-ms': { type: 'string' }, count: { type: 'string' } },
    strict: true,
  });
  if (values.url !== undefined && values.sample) throw new Error('give --url or --sample, not both');
  const url = values.sample ? SAMPLE_URL : parseUrl(values.url ?? ISS_API_URL);
  return { url, intervalMs: wholeNumber(values['interval-ms'] ?? '1000', '--interval-ms'), count: values.count === undefined ? undefined : wholeNumber(values.count, '--count') };
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--url "${text}" is not a URL (http://, https:// or file://)`);
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) throw new Error(`--url "${text}" is not http://, https:// or file://`);
  return url;
}

function wholeNumber(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} "${text}" is not a whole number`);
  return value;
}

/**
 * A source link: the position of the International Space Station, read from `--url` every
 * `--interval-ms` (default the live API, every second) and emitted as the parsed JSON, keyed `iss`
 * so that every position reaches one instance of the next link, in order. `--sample` replays the
 * recorded positions of `sample.json` instead, so the example runs offline. Network errors are
 * logged and the next interval tries again.
 */
@Link({ output: 'iss_positions' })
export class IssSource {
  options: SourceOptions | undefined = undefined;

  setup(ctx: Context): void {
    this.options = parseSourceArgs(ctx.args);
    ctx.logger.info(`reading ${this.options.url.href} every ${this.options.intervalMs} ms`);
  }

  @Generator()
  async *positions(ctx: Context) {
    const { url, intervalMs, count } = this.options!;
    if (count === 0) return;
    let sent = 0;
    try {
      for await (const position of readPositions(url, intervalMs, (message) => ctx.logger.warn(message))) {
        if (!isIssNow(position)) {
          ctx.logger.warn(`skipped a document that is not an ISS position: ${JSON.stringify(position)?.slice(0, 200)}`);
          continue;
        }
        yield new Electron({ key: 'iss', value: position });
        if (++sent === count) return;
      }
    } catch (err) {
      // Only a file fails here (network errors are retried): a wrong path ends the link non-zero.
      ctx.stop(`cannot read ${url.href}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
