// The soak's leaf: counts what arrives and logs, every 10 s, the end-to-end latency (source send
// time to here) of that window: `soak-window n=<count> p50=<ms> p99=<ms> max=<ms>`.
import { defineLink } from '@catenae/core';

export const SoakSink = defineLink({
  name: 'SoakSink',
  state: () => ({ latencies: [] }),
  setup(ctx) {
    ctx.loop(
      () => {
        const window = this.latencies;
        this.latencies = [];
        window.sort((a, b) => a - b);
        const at = (q) => (window.length === 0 ? 0 : window[Math.min(window.length - 1, Math.floor(q * window.length))]);
        ctx.logger.warn(`soak-window n=${window.length} p50=${at(0.5)} p99=${at(0.99)} max=${at(1)}`);
      },
      { intervalMs: 10_000 },
    );
  },
  transform(electron) {
    const value = electron.value;
    const sentAt = Number(value.slice(value.indexOf(':') + 1, value.lastIndexOf(':')));
    this.latencies.push(Date.now() - sentAt);
  },
});
