import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContinueFilter } from '../../src/transport/skip-continue.js';

const FINAL = 'HTTP/1.1 200 OK\r\ncontent-length: 13\r\n\r\n{"a":"100\r\n"}';

function through(pieces: readonly string[]): string {
  const filter = new ContinueFilter();
  return pieces.map((piece) => filter.push(Buffer.from(piece, 'latin1')).toString('latin1')).join('');
}

test('a 100 head (with or without a reason phrase, once or twice) is removed wherever the chunks split it; the final response passes byte for byte', () => {
  for (const interim of ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 100\r\nx-a: b\r\n\r\nHTTP/1.0 100 Continue\r\n\r\n']) {
    const wire = interim + FINAL;
    for (let cut = 0; cut <= wire.length; cut++) {
      for (const second of [cut, Math.min(wire.length, cut + 3)]) {
        assert.equal(through([wire.slice(0, cut), wire.slice(cut, second), wire.slice(second)]), FINAL, `cut at ${cut} and ${second}`);
      }
    }
    assert.equal(through([...wire]), FINAL, 'one byte at a time');
  }
});

test('other responses pass unchanged, a 1000-like status included; after a final response starts, nothing more is examined until the next request', () => {
  for (const wire of [FINAL, 'HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n' + FINAL, 'HTTP/1.1 1000 Odd\r\n\r\n']) {
    assert.equal(through([wire]), wire);
  }
  const filter = new ContinueFilter();
  assert.equal(filter.push(Buffer.from(FINAL)).toString(), FINAL);
  assert.equal(filter.push(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n')).toString(), 'HTTP/1.1 100 Continue\r\n\r\n', 'body bytes are never touched');
  filter.expectResponse();
  assert.equal(filter.push(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n' + FINAL)).toString(), FINAL, 'the next request\'s response is filtered again');
});
