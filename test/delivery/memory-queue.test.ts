import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Batch } from '../../src/delivery/batch.js';
import { MemoryQueue } from '../../src/delivery/memory-queue.js';
import type { MessageQueue } from '../../src/delivery/message-queue.js';
import type { Message } from '../../src/translate/message.js';

const message = (id: string): Message => ({ messageId: id, json: '{}', bytes: 2 });

function queueOf(capacity: number) {
  const held: string[] = [];
  // Used through the interface the engine sees.
  const queue: MessageQueue = new MemoryQueue(capacity, { hold: (each) => held.push(each.messageId) });
  return { queue, held };
}

test('the memory queue takes messages up to its capacity, hands each to the batcher once, and refuses the rest', () => {
  const { queue, held } = queueOf(3);
  assert.deepEqual(['a', 'b', 'c', 'd'].map((id) => queue.offer(message(id))), [true, true, true, false]);
  assert.deepEqual(held, ['a', 'b', 'c'], 'a refused message never reaches the batcher');
  assert.equal(queue.size, 3);
  assert.equal(queue.hasRoomFor(1), false);
  assert.equal(queue.hasRoomFor(0), true);
});

test('settled messages give their room back; a group is taken only if it fits whole', () => {
  const { queue, held } = queueOf(5);
  for (const id of ['a', 'b', 'c', 'd']) queue.offer(message(id));
  assert.equal(queue.hasRoomFor(1), true);
  assert.equal(queue.hasRoomFor(2), false);
  queue.release(3);
  assert.equal(queue.size, 1);
  assert.equal(queue.hasRoomFor(4), true);
  assert.equal(queue.hasRoomFor(5), false);
  assert.equal(queue.offer(message('e')), true);
  assert.deepEqual(held, ['a', 'b', 'c', 'd', 'e']);
});

test('the memory queue keeps nothing past the process and has nothing below memory', () => {
  const { queue } = queueOf(2);
  queue.offer(message('a'));
  const batch = new Batch([message('a')]);
  queue.cut(batch);
  queue.refill();
  assert.equal(queue.durable, false);
  assert.equal(queue.backlog, false);
  assert.equal(queue.keeps(message('a')), false);
  assert.equal(queue.takenBeforeNow()(batch), false);
  assert.equal(queue.size, 1, 'a cut or a refill changes nothing held');
});
