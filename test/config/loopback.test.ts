import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopback } from '../../src/config/validate.js';
import { resolveDeliveryOptions } from '../../src/config/resolve-options.js';
import { resolveSinkOptions } from '../../src/config/resolve-sink-options.js';

// The one answer for both former checks (the http host of Analytics and the exporters, and the
// sink's listen address, which used to disagree): only names and addresses no other machine can
// reach are loopback. 0.0.0.0 listens on every interface; a DNS name that starts like localhost
// can point anywhere.
const CASES: ReadonlyArray<readonly [string, boolean]> = [
  ['localhost', true],
  ['LOCALHOST', true],
  ['127.0.0.1', true],
  ['127.12.34.56', true],
  ['::1', true],
  ['[::1]', true],
  ['0:0:0:0:0:0:0:1', true],
  ['::ffff:127.0.0.1', true],
  ['[::ffff:7f00:1]', true],
  ['0.0.0.0', false],
  ['::', false],
  ['[::]', false],
  ['::ffff:10.0.0.1', false],
  ['127.999.0.1', false],
  ['localhost.evil.com', false],
  ['127.0.0.1.nip.io', false],
  ['10.0.0.1', false],
  ['fe80::1%eth0', false],
];

test('isLoopback: localhost, 127/8, ::1 and mapped 127/8 with or without brackets; never 0.0.0.0 or a look-alike name', () => {
  for (const [hostname, expected] of CASES) assert.equal(isLoopback(hostname), expected, hostname);
});

test('a plain http host is allowed exactly when isLoopback says so', () => {
  for (const [hostname, expected] of CASES) {
    const host = `http://${hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname}:8080`;
    if (!URL.canParse(host)) continue;
    const attempt = () => resolveDeliveryOptions({ writeKey: 'KEY', host });
    if (expected) assert.doesNotThrow(attempt, host);
    else assert.throws(attempt, { code: 'MR_ERR_INVALID_OPTION', message: /host is invalid, expected an https URL/ }, host);
  }
});

test('the sink may listen without a token exactly where isLoopback says so', () => {
  for (const [hostname, expected] of CASES) {
    const attempt = () => resolveSinkOptions({ hostname });
    if (expected) assert.doesNotThrow(attempt, hostname);
    else assert.throws(attempt, { code: 'MR_ERR_INVALID_OPTION', message: /token is required/ }, hostname);
  }
});
