const IN_LINK_WORKER = Symbol.for('catenae.inLinkWorker');

/** Marks this thread as a worker of `--workers` (set before the link's module is imported). */
export function markLinkWorker(): void {
  (globalThis as Record<symbol, unknown>)[IN_LINK_WORKER] = true;
}

/** Whether this thread is a worker of `--workers` (across copies of the package too). */
export function isInLinkWorker(): boolean {
  return (globalThis as Record<symbol, unknown>)[IN_LINK_WORKER] === true;
}
