import { Generator, Link, type Context } from '@catenae/core';

/**
 * A source link that sends each argument after `--` as one message to its output (`-o`, default
 * `topic_a`), then exits: `catenae run sender.js -k host:port -o topic_b -- hello world`.
 */
@Link({ output: 'topic_a' })
export class Sender {
  @Generator()
  *send(ctx: Context) {
    yield* ctx.args;
  }
}
