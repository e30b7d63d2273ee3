// The soak's source: a steady stream of keyed ~100-byte strings, `--rate` electrons per second
// (after `--`), paced by the wall clock so the average holds whatever the event loop does.
import { Electron, defineLink } from '@catenae/core';

const PAD = 'x'.repeat(72);

export const SoakSource = defineLink({
  name: 'SoakSource',
  interval: 10,
  state: () => ({ startedAt: 0, sent: 0, rate: 0 }),
  setup(ctx) {
    const index = ctx.args.indexOf('--rate');
    this.rate = index >= 0 ? Number(ctx.args[index + 1]) : 5000;
    this.startedAt = Date.now();
  },
  generator(ctx) {
    const due = Math.floor(((Date.now() - this.startedAt) * this.rate) / 1000);
    for (; this.sent < due; this.sent++) {
      ctx.send(new Electron({ key: `k${this.sent % 128}`, value: `${this.sent}:${Date.now()}:${PAD}` }));
    }
  },
  // After the stop's drain and flush: everything sent was acknowledged.
  finish(ctx) {
    ctx.logger.warn(`soak-source sent=${this.sent}`);
  },
});
