import { relative } from 'node:path';
import { CatenaeError, ErrorCode, startLink, type LinkDefinition, type LinkHandle } from '@catenae/core';
import { loadLinks, moduleUrlOf } from '../load-links.js';
import type { RunRequest } from '../parse-run-args.js';
import { chooseStateDir } from '../run-command.js';
import { GENERATION_PARAM } from './reload-hooks.js';

/**
 * The links of one `catenae dev` run, started afresh after each change: the running generation is
 * stopped (drained, flushed, committed, `finish` called) before the next one loads the changed
 * modules and starts. Each link keeps its uid across restarts, so its RPC identity stays.
 */
export class DevSession {
  readonly #request: RunRequest;
  readonly #cwd: string;
  readonly #log: (line: string) => void;
  readonly #uids = new Map<string, string>();
  #handles: LinkHandle[] = [];
  #generation = 0;
  #isRestarting = false;
  #queue: Promise<void> = Promise.resolve();

  constructor(request: RunRequest, cwd: string, log: (line: string) => void) {
    this.#request = request;
    this.#cwd = cwd;
    this.#log = log;
  }

  /** Starts the first generation. @throws what loading or starting a link throws. */
  async start(): Promise<string[]> {
    return this.#startGeneration();
  }

  /** Restarts every link after `changed` files changed, one restart at a time; prints one line. */
  restart(changed: readonly string[]): Promise<void> {
    this.#queue = this.#queue.then(() => this.#restart(changed));
    return this.#queue;
  }

  /** Stops the running links (drain, commit, finish). */
  async stop(): Promise<void> {
    await this.#queue;
    await this.#stopAll('catenae dev stopped');
  }

  async #restart(changed: readonly string[]): Promise<void> {
    const what = changed.map((path) => relative(this.#cwd, path)).join(', ');
    const stoppingAt = performance.now();
    this.#isRestarting = true;
    try {
      await this.#stopAll(`${what} changed`);
      const stoppedMs = Math.round(performance.now() - stoppingAt);
      const startingAt = performance.now();
      try {
        const names = await this.#startGeneration();
        this.#log(`catenae dev: ${what} changed: restarted ${names.join(', ')} (drained and committed in ${stoppedMs} ms, started in ${Math.round(performance.now() - startingAt)} ms)`);
      } catch (err) {
        await this.#stopAll('a link failed to start');
        this.#log(`catenae dev: ${what} changed, but the links did not start: ${oneLine(err)}; waiting for the next change`);
      }
    } finally {
      this.#isRestarting = false;
    }
  }

  async #startGeneration(): Promise<string[]> {
    const generation = ++this.#generation;
    const links = await loadLinks(this.#request.files, this.#cwd, `?${GENERATION_PARAM}=${generation}`);
    checkLinkTopics(this.#request, links);
    const options = { ...this.#request.options };
    await chooseStateDir(options, links);
    for (const link of links) {
      // refuseIdle, as catenae run: nothing outside the session can give such a link work.
      const handle = await startLink(link, { ...options, moduleUrl: moduleUrlOf(link), uid: options.uid ?? this.#uids.get(link.name), refuseIdle: true });
      this.#uids.set(link.name, handle.uid);
      this.#handles.push(handle);
      void handle.done.then((exit) => {
        if (!exit.ok && !this.#isRestarting && this.#handles.includes(handle)) {
          this.#log(`catenae dev: ${handle.name} stopped: ${exit.reason}; it starts again at the next change`);
        }
      });
    }
    return links.map((link) => link.name);
  }

  async #stopAll(reason: string): Promise<void> {
    const handles = this.#handles;
    this.#handles = [];
    await Promise.all(handles.map((handle) => handle.stop(reason)));
  }
}

/** -i, -o and -g name the topics of one link: refused with several. */
function checkLinkTopics(request: RunRequest, links: readonly LinkDefinition[]): void {
  if (links.length > 1 && request.hasLinkTopics) {
    throw new CatenaeError(ErrorCode.BadFlag, `-i, -o and -g apply to one link, but ${request.files.join(' ')} export ${links.length} (${links.map((l) => l.name).join(', ')}): set their topics in @Link`);
  }
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return err instanceof CatenaeError ? `${message} (${err.code})` : message;
}
