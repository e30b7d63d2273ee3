import { Electron, Generator, Link } from '@catenae/core';

/** The source link: emits a line every second to `lines` (`-o` overrides the topic). */
@Link({ output: 'lines' })
export class Source {
  #count = 0;

  @Generator({ interval: 1000 }) // called every second; what it returns is emitted
  emit() {
    const n = this.#count++;
    // The key is the partition key: one key always reaches the same instance, in order.
    return new Electron({ key: `line-${n % 4}`, value: `hello catenae ${n}` });
  }
}
