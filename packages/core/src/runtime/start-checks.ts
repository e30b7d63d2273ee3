import { CatenaeError, ErrorCode, isCatenaeError } from '../errors.js';
import { errorMessage } from './failure-policy.js';

/** What a link instance has to do once `setup` ran. */
export interface LinkWork {
  /** Topics its handlers read now (`-i`, `@Link({ inputs })`, `@Transform(topic)`, `ctx.addInput` in `setup`). */
  inputs: readonly string[];
  /** Whether it has a `@Transform()`. */
  hasTransforms: boolean;
  /** Whether it has a `@Generator` or a `ctx.loop` task. */
  hasSources: boolean;
  /** Whether it has `@Rpc()` methods (which may add inputs later, with `ctx.addInput`). */
  hasRpc: boolean;
}

/**
 * Refuses a link that would idle for ever: nothing to read, no source, no RPC method (see
 * `StartOptions.refuseIdle`). A link with only `@Rpc()` methods (and maybe a `@Transform()` it
 * feeds through `ctx.addInput`) is a service.
 * @throws CatenaeError `CATENAE_BAD_LINK` saying what to add.
 */
export function checkHasWork(linkName: string, work: LinkWork): void {
  if (work.inputs.length > 0 || work.hasSources || work.hasRpc) return;
  if (work.hasTransforms) {
    throw new CatenaeError(
      ErrorCode.BadLink,
      `link ${linkName} has a @Transform() but no input topic to read: pass -i a,b, set @Link({ inputs }), or name a topic in @Transform('topic')`,
    );
  }
  throw new CatenaeError(ErrorCode.BadLink, `link ${linkName} has nothing to run: no @Transform, @Generator or @Rpc method, and its setup() started no ctx.loop`);
}

/**
 * The error of a `setup()` that threw: names the link, keeps the error as cause, and its code:
 * `CATENAE_SETUP`, or the Catenae code of what setup threw (a store that is missing is
 * `CATENAE_STORE` wherever it is found).
 */
export function setupFailure(linkName: string, err: unknown): CatenaeError {
  const what = isCatenaeError(err) ? err.message : errorMessage(err);
  return new CatenaeError(isCatenaeError(err) ? err.code : ErrorCode.Setup, `link ${linkName}: setup() failed: ${what}`, { cause: err });
}
