import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatenaeError, Electron, ErrorCode, isCatenaeError } from '../../index.js';
import { checkSerializable, fromWireError, fromWireOutputs, packBatch, toWireElectron, toWireError, toWireOutputs, unpackBatch } from './wire-format.js';

describe('wire format between the main thread and workers', () => {
  it('round-trips an electron with its Buffers, headers and position', () => {
    const electron = new Electron({ key: 'k', value: { b: Buffer.from('x'), m: new Map([[1, 2n]]) }, previousTopic: 't', timestamp: 5, headers: { h: Buffer.from([1]), s: 'v' }, partition: 2, offset: 9 });
    const [fields] = unpackBatch<ReturnType<typeof toWireElectron>>(packBatch([toWireElectron(electron)], () => undefined));
    const copy = new Electron(fields!);
    assert.deepEqual(copy, electron);
    assert.ok(Buffer.isBuffer((copy.value as { b: unknown }).b));
    assert.ok(Buffer.isBuffer(copy.headers?.h));
  });

  it('round-trips outputs: Electrons keep key, topic, headers and timestamp; bare values stay bare', () => {
    const outputs = toWireOutputs([Buffer.from('raw'), new Electron({ key: 'k', value: 1, topic: 'side', headers: { a: 'b' }, timestamp: 3 }), [1, 2]]);
    const items = fromWireOutputs(unpackBatch(packBatch(outputs, () => undefined)));
    assert.ok(Buffer.isBuffer(items[0]));
    assert.deepEqual(items[1], new Electron({ key: 'k', value: 1, topic: 'side', headers: { a: 'b' }, timestamp: 3 }));
    assert.deepEqual(items[2], [1, 2], 'a returned array is one value');
  });

  it('replaces only the messages V8 cannot serialize, with CATENAE_ENCODE (never retried)', () => {
    const refused: unknown[] = [];
    const batch = packBatch([{ ok: 1 }, { fn: () => 1 }, { ok: 2 }], (item, err) => {
      refused.push(item);
      assert.equal(err.code, ErrorCode.Encode);
      return { replaced: true } as never;
    });
    assert.deepEqual(unpackBatch(batch), [{ ok: 1 }, { replaced: true }, { ok: 2 }]);
    assert.equal(refused.length, 1);
    assert.throws(() => checkSerializable({ fn: () => 1 }), { code: ErrorCode.Encode });
  });

  it('keeps an error name, message and Catenae code', () => {
    const catenae = fromWireError(toWireError(new CatenaeError(ErrorCode.NoOutput, 'no output')));
    assert.ok(isCatenaeError(catenae, ErrorCode.NoOutput));
    const plain = fromWireError(toWireError(new TypeError('bad type')));
    assert.equal(`${plain.name}: ${plain.message}`, 'TypeError: bad type');
    assert.equal(fromWireError(toWireError('a string')).message, 'a string');
  });
});
