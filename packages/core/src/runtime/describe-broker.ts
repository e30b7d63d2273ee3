import type { TransportFactory } from '../transport/transport.js';

/**
 * Where a link runs, for its `started` line: `Kafka at host:port`, or the embedded broker (so a
 * forgotten `-k` does not look like a run on Kafka).
 */
export function describeBroker(factory: TransportFactory): string {
  if (factory.kind === 'embedded') return 'the embedded broker (in this process: give -k host:port for Kafka)';
  const name = factory.kind === 'kafka' ? 'Kafka' : factory.kind;
  return factory.address === undefined ? name : `${name} at ${factory.address}`;
}
