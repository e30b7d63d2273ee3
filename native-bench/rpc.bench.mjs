// RPC call latency (ctx.rpc.call, one call at a time, round trip in ms): between two
// `catenae run -k` processes over Kafka, with the default producer settings and with
// linger.ms=0; and TestDriver.rpc on the embedded broker, in one process.
// Usage: node native-bench/rpc.bench.mjs [calls=1000]
import { fileURLToPath } from 'node:url';
import { TestDriver } from '@catenae/core';
import { catenaeProcess } from './lib/catenae-cli.mjs';
import { percentile } from './lib/stats.mjs';
import { RpcEcho } from './links/rpc-echo.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));

/** One Kafka run: resolves to { p50, p99, max } in ms. */
export async function rpcOverKafka({ brokers, calls, kafkaConfig = {} }) {
  const extra = Object.entries(kafkaConfig).flatMap(([k, v]) => ['--kafka-config', `${k}=${v}`]);
  const server = catenaeProcess('rpc-echo', ['run', here('links/rpc-echo.mjs'), '-k', brokers, '--log-level', 'warn', ...extra]);
  const caller = catenaeProcess('rpc-caller', ['run', here('links/rpc-caller.mjs'), '-k', brokers, '--log-level', 'warn', ...extra], { env: { BENCH_CALLS: String(calls) } });
  try {
    return await caller.untilMessage('done', 120_000 + calls * 100);
  } finally {
    await Promise.all([caller.stop(), server.stop()]);
  }
}

/** TestDriver.rpc on the embedded broker: resolves to { p50, p99, max } in ms. */
export async function rpcOnTestDriver({ calls }) {
  const driver = await TestDriver.start([RpcEcho]);
  try {
    for (let i = 0; i < 50; i++) await driver.rpc('RpcEcho', 'echo', { i });
    const samples = new Float64Array(calls);
    for (let i = 0; i < calls; i++) {
      const started = performance.now();
      await driver.rpc('RpcEcho', 'echo', { i });
      samples[i] = performance.now() - started;
    }
    samples.sort();
    return { p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples[calls - 1] };
  } finally {
    await driver.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const calls = Number(process.argv[2] ?? 1000);
  const brokers = `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`;
  const show = (name, r) => console.log(`${name.padEnd(28)} p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  max ${r.max.toFixed(2)} ms`);
  show('Kafka, defaults', await rpcOverKafka({ brokers, calls }));
  show('Kafka, linger.ms=0', await rpcOverKafka({ brokers, calls, kafkaConfig: { 'linger.ms': '0' } }));
  show('TestDriver (embedded)', await rpcOnTestDriver({ calls }));
}
