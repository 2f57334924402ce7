import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Batch } from '../../src/delivery/batch.js';
import type { DeliveryCounters } from '../../src/delivery/delivery-counters.js';
import { allOf } from '../../src/delivery/observer.js';
import { Sender } from '../../src/delivery/sender.js';
import type { Message } from '../../src/translate/message.js';
import type { Transport, TransportResult } from '../../src/transport/transport-result.js';

const counters = (): DeliveryCounters => ({ accepted: 0, delivered: 0, dropped: 0, refused: 0, recovered: 0, pending: 0, retries: 0, requests: 0, filtered: 0, evicted: 0 });
const batchOf = (id: string) => new Batch([{ messageId: id, json: `{"messageId":"${id}"}`, bytes: 16 + id.length } satisfies Message]);
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A transport whose requests stay open until the test answers them. */
function heldTransport() {
  const open: Array<{ body: string; answer: (result: TransportResult) => void }> = [];
  const transport: Transport = {
    send: (body) => new Promise((resolve) => open.push({ body: body.toString(), answer: resolve })),
    close: async () => {},
  };
  return { transport, open };
}

const OK: TransportResult = { kind: 'success', status: 200, rejectedIds: [], detail: '' };

test('the sender writes nothing in the caller’s turn, then keeps at most maxConcurrentRequests in flight, in order', async () => {
  const { transport, open } = heldTransport();
  const answered: string[] = [];
  const sender = new Sender({ writeKeyJson: '"key"', maxConcurrentRequests: 2, requestTimeoutMillis: 10_000 }, transport, allOf([]), counters(), (batch) => answered.push(batch.messageIds[0]!));
  for (const id of ['a', 'b', 'c']) sender.sendAfterThisTurn(batchOf(id));
  assert.equal(open.length, 0, 'no request from the call that cut the batch');
  await turn();
  assert.equal(open.length, 2);
  assert.match(open[0]!.body, /^\{"batch":\[\{"messageId":"a"\}\],"sentAt":"[^"]+","writeKey":"key"\}$/);
  open[0]!.answer(OK);
  await turn();
  assert.deepEqual(answered, ['a']);
  assert.equal(open.length, 3, 'the next batch goes as a request ends');
  assert.match(open[2]!.body, /"messageId":"c"/);
});

test('a success wakes batches waiting out our backoff, not those waiting as the server asked', async (context) => {
  context.mock.timers.enable({ apis: ['setTimeout'] });
  const { transport, open } = heldTransport();
  const sender = new Sender({ writeKeyJson: '"key"', maxConcurrentRequests: 4, requestTimeoutMillis: 10_000 }, transport, allOf([]), counters(), () => {});
  const ours = batchOf('ours');
  const asked = batchOf('asked');
  sender.retryAfter(ours, 10_000, false, false);
  sender.retryAfter(asked, 10_000, true, false);
  sender.wakeBackoffs();
  sender.sendAfterThisTurn(batchOf('next'));
  await turn();
  assert.deepEqual(open.map((request) => /"messageId":"(\w+)"/.exec(request.body)![1]), ['ours', 'next']);
  context.mock.timers.tick(10_000);
  assert.deepEqual(open.map((request) => /"messageId":"(\w+)"/.exec(request.body)![1]), ['ours', 'next', 'asked'], 'the server’s wait is kept to its end');
});
