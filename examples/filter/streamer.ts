import { Generator, Link, type Context } from '@catenae/core';
import { LINES } from './text.js';

/**
 * A source link: streams the text's sentences, one electron each.
 * Extra arguments: `--repeat N` sends the text N times (default 1), `--pause-ms M` waits M ms
 * between sentences (default 0), so a demo can be watched.
 */
@Link({ output: 'filter_input' })
export class Streamer {
  @Generator()
  async *lines(ctx: Context) {
    const repeat = numberArg(ctx.args, '--repeat', 1);
    const pauseMs = numberArg(ctx.args, '--pause-ms', 0);
    for (let round = 0; round < repeat; round++) {
      for (const line of LINES) {
        yield line;
        if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
    ctx.logger.info(`sent ${repeat * LINES.length} lines`);
  }
}

function numberArg(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} takes a whole number`);
  return value;
}
