import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long one HTTP request may take, in milliseconds. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The JSON documents at `url`, parsed.
 * - `http:`/`https:`: fetched every `intervalMs` for as long as the caller reads. A failed request,
 *   an error status or a body that is not JSON is handed to `onError` and tried again at the next
 *   interval: the network coming and going is normal for a source.
 * - `file:`: read once. An array (a recording) is replayed item by item, `intervalMs` apart;
 *   anything else is one document.
 * @throws when a file cannot be read or parsed: a wrong path is a mistake to report, not an outage.
 */
export async function* readPositions(url: URL, intervalMs: number, onError: (message: string) => void): AsyncGenerator<unknown> {
  if (url.protocol === 'file:') {
    const recorded = JSON.parse(await readFile(url, 'utf8')) as unknown;
    const items: unknown[] = Array.isArray(recorded) ? recorded : [recorded];
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && intervalMs > 0) await sleep(intervalMs);
      yield items[i];
    }
    return;
  }
  for (let isFirst = true; ; isFirst = false) {
    if (!isFirst && intervalMs > 0) await sleep(intervalMs);
    let body: unknown;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      body = await response.json();
    } catch (err) {
      onError(`cannot read ${url.href}: ${describe(err)}`);
      continue;
    }
    yield body;
  }
}

/** The message of an error and of its cause: fetch reports "fetch failed" with the reason inside. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
