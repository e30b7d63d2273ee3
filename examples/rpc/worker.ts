import { Link, Rpc, Transform, type Context, type Electron } from '@catenae/core';

/** What {@link Worker.state} answers. */
export interface WorkerState {
  uid: string;
  /** The topics the instance reads now. */
  inputs: string[];
  /** Messages handled so far, per topic. */
  handled: Record<string, number>;
}

/**
 * A leaf link whose inputs other links change at run time. It prints `handled <topic>: <value>`
 * for each message (`--quiet` prints nothing) and offers, over RPC:
 * - `listen(topic)`: start reading `topic` (`ctx.addInput`), answering the inputs it reads now;
 * - `ignore(topic)`: stop reading it (`ctx.removeInput`), answering the same;
 * - `state()`: its uid, inputs and counts of handled messages per topic;
 * - `announce(message)`: print `announcement from <link>(<uid>): <message>`.
 */
@Link({ inputs: ['topic_a'] })
export class Worker {
  readonly handled = new Map<string, number>();
  /** The announcements received, as printed. */
  readonly announcements: string[] = [];
  isQuiet = false;

  setup(ctx: Context): void {
    this.isQuiet = ctx.args.includes('--quiet');
  }

  @Transform()
  handle(message: Electron<string>): void {
    const topic = message.previousTopic!;
    this.handled.set(topic, (this.handled.get(topic) ?? 0) + 1);
    this.#print(`handled ${topic}: ${message.value}`);
  }

  /**
   * Starts reading `topic` from its group's committed offset, or from the beginning of a topic the
   * group never read (`auto.offset.reset=earliest`): what was written meanwhile is not lost.
   */
  @Rpc()
  async listen(topic: unknown, ctx: Context): Promise<string[]> {
    await ctx.addInput(topicName(topic, 'listen'));
    ctx.logger.info(`listening to ${String(topic)}, asked by ${describeCaller(ctx)}`);
    return [...ctx.inputs];
  }

  /** Stops reading `topic`; what its group handled so far stays committed, so a later `listen` goes on from there. */
  @Rpc()
  async ignore(topic: unknown, ctx: Context): Promise<string[]> {
    await ctx.removeInput(topicName(topic, 'ignore'));
    ctx.logger.info(`ignoring ${String(topic)}, asked by ${describeCaller(ctx)}`);
    return [...ctx.inputs];
  }

  @Rpc()
  state(_: unknown, ctx: Context): WorkerState {
    return { uid: ctx.uid, inputs: [...ctx.inputs], handled: Object.fromEntries(this.handled) };
  }

  @Rpc()
  announce(message: unknown, ctx: Context): void {
    const line = `announcement from ${describeCaller(ctx)}: ${String(message)}`;
    this.announcements.push(line);
    this.#print(line);
  }

  #print(line: string): void {
    if (!this.isQuiet) process.stdout.write(`${line}\n`);
  }
}

function topicName(topic: unknown, method: string): string {
  if (typeof topic !== 'string' || topic === '') throw new Error(`${method} takes a topic name, got ${JSON.stringify(topic)}`);
  return topic;
}

function describeCaller(ctx: Context): string {
  return ctx.caller ? `${ctx.caller.link}(${ctx.caller.uid})` : 'an unknown caller';
}
