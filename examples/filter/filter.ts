import { Link, Transform, type Context, type Electron } from '@catenae/core';

const ALLOWED_WORDS = new Set(['CPU', 'proof-of-work', 'chain', 'nodes']);

/** Logs the lines that mention one of the allowed words and passes them on to `filtered_lines`. */
@Link({ inputs: ['filter_input'], output: 'filtered_lines' })
export class Filter {
  @Transform()
  filter(line: Electron<string>, ctx: Context): string | undefined {
    const words = line.value.split(/\s+/);
    if (!words.some((word) => ALLOWED_WORDS.has(word))) return undefined;
    ctx.logger.info(line.value);
    return line.value;
  }
}
