/**
 * The two inputs of the priority example. `@Transform(topic, priority)` needs its topic when the
 * class is defined, so these are read from the environment when the module loads (as a Compose
 * file would set them): `ALERTS_TOPIC` (default `alerts`) and `ROUTINE_TOPIC` (default `routine`).
 */
export const ALERTS_TOPIC = process.env['ALERTS_TOPIC'] ?? 'alerts';
export const ROUTINE_TOPIC = process.env['ROUTINE_TOPIC'] ?? 'routine';
