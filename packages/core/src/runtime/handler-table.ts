import { CatenaeError, ErrorCode } from '../errors.js';
import type { LinkDefinition } from '../registry/link-definition.js';
import { handlerOf, type Handler } from './dispatch.js';

/** The topic → handler routing of a link instance, built once at start. */
export class HandlerTable {
  readonly #byTopic = new Map<string, Handler>();
  readonly #priorities = new Map<string, number>();
  readonly #defaultHandler: Handler | undefined;
  readonly #defaultPriority: number;
  readonly #linkName: string;

  constructor(definition: LinkDefinition, instance: object, inputs: readonly string[]) {
    this.#linkName = definition.name;
    let defaultHandler: Handler | undefined;
    let defaultPriority = 0;
    for (const spec of definition.transforms) {
      const fn = (instance as Record<string, unknown>)[spec.method];
      if (typeof fn !== 'function') {
        throw new CatenaeError(ErrorCode.BadLink, `link ${definition.name}: handler ${spec.method} is not a method`);
      }
      const handler = handlerOf(spec.method, fn as Handler['fn']);
      if (spec.topic === undefined) {
        defaultHandler = handler;
        defaultPriority = spec.priority;
      } else {
        this.#byTopic.set(spec.topic, handler);
        this.#priorities.set(spec.topic, spec.priority);
      }
    }
    this.#defaultHandler = defaultHandler;
    this.#defaultPriority = defaultPriority;
    if (inputs.length > 0 && !defaultHandler) {
      throw new CatenaeError(
        ErrorCode.BadLink,
        `link ${definition.name} has inputs (${inputs.join(', ')}) but no @Transform() without a topic to read them`,
      );
    }
    for (const topic of inputs) this.add(topic);
  }

  /** Whether some handler is an `async` function or async generator. */
  get hasAsyncHandlers(): boolean {
    if (this.#defaultHandler?.isAsync === true) return true;
    for (const handler of this.#byTopic.values()) if (handler.isAsync) return true;
    return false;
  }

  /** Whether the link handles input at all (and so needs a consumer). */
  get hasHandlers(): boolean {
    return this.#defaultHandler !== undefined || this.#byTopic.size > 0;
  }

  /** Routes `topic` to the default handler. @throws `CATENAE_BAD_LINK` when there is none. */
  add(topic: string): void {
    if (this.#byTopic.has(topic)) return;
    if (!this.#defaultHandler) {
      throw new CatenaeError(ErrorCode.BadLink, `link ${this.#linkName} cannot read "${topic}": it has no @Transform() without a topic`);
    }
    this.#byTopic.set(topic, this.#defaultHandler);
    this.#priorities.set(topic, this.#defaultPriority);
  }

  remove(topic: string): void {
    this.#byTopic.delete(topic);
    this.#priorities.delete(topic);
  }

  /** A copy of the routing, for the consume loop. */
  snapshot(): Map<string, Handler> {
    return new Map(this.#byTopic);
  }

  get topics(): string[] {
    return [...this.#byTopic.keys()];
  }

  priorityOf(topic: string): number {
    return this.#priorities.get(topic) ?? 0;
  }
}
