/**
 * Polls `check` every `intervalMs` (default 50) until it holds; rejects naming `what` (or what it
 * returns, read then) after `timeoutMs`. A check that throws counts as "not yet" (a topic just
 * created may have no leader for a moment); its last error is named on timeout.
 */
export async function until(check: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs = 120_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const reason = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
