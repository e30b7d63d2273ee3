import { CatenaeError, ErrorCode } from '@catenae/core';

/**
 * Walks a command's arguments one at a time, reading each as a flag: `--name value`,
 * `--name=value`, `-k value`, or a bare word (a positional argument, `isFlag` false).
 */
export class ArgvCursor {
  readonly #argv: readonly string[];
  #at = -1;
  #name = '';
  #inline: string | undefined;

  constructor(argv: readonly string[]) {
    this.#argv = argv;
  }

  /** Moves to the next argument; false once they are all read. */
  next(): boolean {
    if (++this.#at >= this.#argv.length) return false;
    const arg = this.#argv[this.#at]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    this.#name = eq > 0 ? arg.slice(0, eq) : arg;
    this.#inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    return true;
  }

  /** The current flag's name (`--port` of `--port=80`), or the bare word itself. */
  get name(): string {
    return this.#name;
  }

  /** Whether the current argument is a flag rather than a positional word. */
  get isFlag(): boolean {
    return this.#name.startsWith('-');
  }

  /**
   * The current flag's value: after its `=`, else the next argument (which is then consumed).
   * @throws CatenaeError `CATENAE_BAD_FLAG` when there is none or it is empty.
   */
  value(): string {
    const given = this.#inline ?? this.#argv[++this.#at];
    if (given === undefined || given === '') throw new CatenaeError(ErrorCode.BadFlag, `${this.#name} needs a value`);
    return given;
  }
}
