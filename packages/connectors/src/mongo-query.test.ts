import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ObjectId } from 'mongodb';
import { isUnsupportedStage, toDocument, toFilter, toIndexSpec, toUpdate } from './mongo-query.js';

test('a query is a filter, nothing matches all, any other value is an _id', () => {
  assert.deepEqual(toFilter(undefined), {});
  assert.deepEqual(toFilter({ count: { $gt: 1 } }), { count: { $gt: 1 } });
  assert.deepEqual(toFilter('word'), { _id: 'word' });
  const id = new ObjectId();
  assert.deepEqual(toFilter(id), { _id: id });
  assert.deepEqual(toFilter(null), { _id: null });
});

test('a document is a copy of a plain object, any other value is { value }', () => {
  const value = { a: 1 };
  const document = toDocument(value);
  assert.deepEqual(document, { a: 1 });
  assert.notEqual(document, value, 'the driver adds _id to what it inserts: never to the caller\'s object');
  assert.deepEqual(toDocument('text'), { value: 'text' });
  const at = new Date(0);
  assert.deepEqual(toDocument(at), { value: at });
});

test('plain changes become $set, operators pass, a mix is refused', () => {
  assert.deepEqual(toUpdate({ a: 1 }), { $set: { a: 1 } });
  assert.deepEqual(toUpdate({ $inc: { n: 2 }, $set: { b: 1 } }), { $inc: { n: 2 }, $set: { b: 1 } });
  assert.throws(() => toUpdate({ $inc: { n: 1 }, a: 1 }), /mixes operators and plain fields/);
});

test('an index on a field name is ascending; a spec is kept', () => {
  assert.deepEqual(toIndexSpec('word'), { word: 1 });
  assert.deepEqual(toIndexSpec({ word: 1, at: -1 }), { word: 1, at: -1 });
});

test('a missing $sample is recognised from FerretDB\'s and MongoDB\'s codes', () => {
  assert.ok(isUnsupportedStage({ code: 238, codeName: 'NotImplemented' }));
  assert.ok(isUnsupportedStage({ code: 40324 }));
  assert.ok(!isUnsupportedStage({ code: 11000 }));
  assert.ok(!isUnsupportedStage(null));
});
