import { CatenaeError, ErrorCode } from '../errors.js';
import type { TransformSpec } from './link-definition.js';

/**
 * Rejects handler sets the runtime could not route: two handlers on one topic, or two
 * handlers that both take the default inputs.
 * @throws CatenaeError `CATENAE_BAD_LINK`
 */
export function checkTransforms(linkName: string, transforms: readonly TransformSpec[]): void {
  const seen = new Map<string | undefined, string>();
  for (const { method, topic } of transforms) {
    if (topic !== undefined && !isTopicName(topic)) {
      throw new CatenaeError(ErrorCode.BadLink, `link ${linkName}: ${method}() reads "${topic}", which is not a valid Kafka topic name (letters, digits, . _ -)`);
    }
    const other = seen.get(topic);
    if (other !== undefined) {
      const what = topic === undefined ? 'the default inputs' : `topic "${topic}"`;
      throw new CatenaeError(ErrorCode.BadLink, `link ${linkName}: ${other}() and ${method}() both handle ${what}`);
    }
    seen.set(topic, method);
  }
}

/** Kafka's topic rule: 1 to 249 of letters, digits, '.', '_' and '-', and not "." or "..". */
export function isTopicName(topic: string): boolean {
  return /^[A-Za-z0-9._-]{1,249}$/.test(topic) && topic !== '.' && topic !== '..';
}
