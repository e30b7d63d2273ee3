import { CatenaeError, ErrorCode } from '../errors.js';
import { errorMessage } from './failure-policy.js';

/** The error of a `setup()` that threw: names the link, keeps the error as cause. */
export function setupFailure(linkName: string, err: unknown): CatenaeError {
  return new CatenaeError(ErrorCode.Setup, `link ${linkName}: setup() failed: ${errorMessage(err)}`, { cause: err });
}
