import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { Batcher, type BatcherLimits } from '../../src/delivery/batcher.js';
import type { Message } from '../../src/translate/message.js';

/** A message of `bytes` bytes of JSON (a string literal), named `id`. */
function message(id: string, bytes: number): Message {
  return { messageId: id, json: JSON.stringify('x'.repeat(bytes - 2)), bytes };
}

function batcher(limits: Partial<BatcherLimits> = {}) {
  const batches: string[][] = [];
  const instance = new Batcher<Message>({ flushAt: 3, flushInterval: 10_000, maxBatchBytes: 1_000, ...limits }, (messages) => batches.push(messages.map((each) => each.messageId)));
  return { batcher: instance, batches };
}

test('a batch is cut as soon as it holds flushAt messages, in order', () => {
  const { batcher: queue, batches } = batcher({ flushAt: 3 });
  for (const id of ['a', 'b', 'c', 'd', 'e']) queue.add(message(id, 10));
  assert.deepEqual(batches, [['a', 'b', 'c']]);
  assert.equal(queue.length, 2);
  queue.cut();
  assert.deepEqual(batches, [['a', 'b', 'c'], ['d', 'e']]);
  queue.cut();
  assert.equal(batches.length, 2, 'nothing waiting: no empty batch');
});

test('a message that would take the batch past maxBatchBytes (with its comma) starts the next batch', () => {
  const { batcher: queue, batches } = batcher({ flushAt: 100, maxBatchBytes: 100 });
  queue.add(message('a', 40));
  queue.add(message('b', 40)); // 40 + 1 + 40 + 1 = 82
  queue.add(message('c', 17)); // 100: fits exactly
  queue.add(message('d', 2));
  assert.deepEqual(batches, [['a', 'b', 'c']]);
  queue.add(message('e', 150));
  assert.deepEqual(batches, [['a', 'b', 'c'], ['d']], 'an oversized message is cut alone, never into an empty batch');
  queue.cut();
  assert.deepEqual(batches.at(-1), ['e']);
});

test('flushInterval after the first waiting message, what waits is cut', (context) => {
  context.mock.timers.enable({ apis: ['setTimeout'] });
  const { batcher: queue, batches } = batcher({ flushAt: 10, flushInterval: 500 });
  queue.add(message('a', 10));
  context.mock.timers.tick(300);
  queue.add(message('b', 10));
  context.mock.timers.tick(199);
  assert.deepEqual(batches, [], 'the timer runs from the first message, not the last');
  context.mock.timers.tick(1);
  assert.deepEqual(batches, [['a', 'b']]);
  queue.add(message('c', 10));
  queue.cut();
  context.mock.timers.tick(500);
  assert.deepEqual(batches, [['a', 'b'], ['c']], 'a cut stops the timer: no second, empty cut');
});

test('the interval timer does not hold the process open', () => {
  const setTimeoutSpy = mock.method(globalThis, 'setTimeout');
  try {
    const { batcher: queue } = batcher({ flushAt: 10, flushInterval: 60_000 });
    queue.add(message('a', 10));
    queue.add(message('b', 10));
    assert.equal(setTimeoutSpy.mock.callCount(), 1, 'one timer per batch');
    assert.equal((setTimeoutSpy.mock.calls[0]!.result as NodeJS.Timeout).hasRef(), false);
    queue.cut();
  } finally {
    setTimeoutSpy.mock.restore();
  }
});

test('remove takes the matching waiting messages out and frees their bytes', () => {
  const { batcher: queue, batches } = batcher({ flushAt: 10, maxBatchBytes: 100 });
  for (const id of ['a1', 'b1', 'a2', 'b2']) queue.add(message(id, 30));
  assert.deepEqual(batches, [['a1', 'b1', 'a2']]);
  queue.add(message('a3', 30));
  queue.add(message('b3', 30));
  const removed = queue.remove((each) => each.messageId.startsWith('a'));
  assert.deepEqual(removed.map((each) => each.messageId), ['a3']);
  assert.deepEqual(queue.remove((each) => each.messageId === 'none'), []);
  assert.equal(queue.every((each) => each.messageId.startsWith('b')), true);
  queue.add(message('b4', 30)); // b2, b3, b4: 93 bytes, fits once a3's were freed
  queue.cut();
  assert.deepEqual(batches.at(-1), ['b2', 'b3', 'b4']);
});
