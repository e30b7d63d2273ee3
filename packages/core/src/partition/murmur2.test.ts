import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { murmur2, partitionForKey } from './murmur2.js';

// From Apache Kafka's clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java
// (testMurmur2): the hashes the Java client computes.
const KAFKA_VECTORS: ReadonlyArray<readonly [string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

describe('murmur2', () => {
  for (const [input, expected] of KAFKA_VECTORS) {
    it(`hashes "${input}" as Kafka's Java client does`, () => {
      assert.equal(murmur2(Buffer.from(input)), expected);
    });
  }

  it('covers every tail length (0 to 3 trailing bytes) and the empty key', () => {
    // Vectors pinned by other Java-compatible ports (akka Murmur2Spec, from Kafka's Utils).
    assert.equal(murmur2(Buffer.from('1')), -1993445489);
    assert.equal(murmur2(Buffer.from('12')), 126087238);
    assert.equal(murmur2(Buffer.from('123')), -267702483);
    assert.equal(murmur2(Buffer.from('1234')), -1614185708);
    assert.equal(murmur2(Buffer.from('12345')), -1188365604);
    assert.equal(murmur2(Buffer.alloc(0)), 275646681);
  });

  it('reads a Buffer that is a slice of a larger pool', () => {
    const pool = Buffer.from('xxfoobaryy');
    assert.equal(murmur2(pool.subarray(2, 8)), -790332482);
  });
});

describe('partitionForKey', () => {
  it('is toPositive(murmur2) modulo the partition count', () => {
    // -790332482 & 0x7fffffff = 1357151166; 1357151166 % 50 = 16
    assert.equal(partitionForKey(Buffer.from('foobar'), 50), 16);
    for (const [input, hash] of KAFKA_VECTORS) {
      for (const n of [1, 3, 4, 7, 12]) {
        assert.equal(partitionForKey(Buffer.from(input), n), (hash & 0x7fffffff) % n);
      }
    }
  });

  it('always lands in range', () => {
    for (let i = 0; i < 1000; i++) {
      const p = partitionForKey(Buffer.from(`key-${i}`), 7);
      assert.ok(p >= 0 && p < 7);
    }
  });
});
