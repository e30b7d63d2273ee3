// Kafka's Java client (Utils.murmur2 with DefaultPartitioner/BuiltInPartitioner): a 32-bit
// MurmurHash2 over the key bytes, seed 0x9747b28c, little-endian 4-byte blocks.
const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/**
 * The 32-bit MurmurHash2 of `bytes`, exactly as Kafka's Java `Utils.murmur2` computes it:
 * a signed 32-bit integer. Allocates nothing.
 */
export function murmur2(bytes: Uint8Array): number {
  const length = bytes.length;
  const blocksEnd = length & ~3;
  let h = SEED ^ length;
  for (let i = 0; i < blocksEnd; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The Java switch falls through from 3 to 1; the tail bytes are folded in the same order.
  const tail = length & 3;
  if (tail === 3) h ^= bytes[blocksEnd + 2]! << 16;
  if (tail >= 2) h ^= bytes[blocksEnd + 1]! << 8;
  if (tail >= 1) {
    h ^= bytes[blocksEnd]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Kafka's Java producer picks for a keyed record:
 * `toPositive(murmur2(key)) % partitions`, where `toPositive(x) = x & 0x7fffffff`.
 * `partitions` must be a positive integer.
 */
export function partitionForKey(key: Uint8Array, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
