import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
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

/** The check as it was written over node:net's isIP, which Vercel Edge does not have. */
function loopbackByNodeNet(hostname: string): boolean {
  const name = hostname.toLowerCase();
  if (name === 'localhost') return true;
  const address = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (isIP(address) === 4) return address.startsWith('127.');
  if (isIP(address) !== 6 || !URL.canParse(`http://[${address}]/`)) return false;
  const canonical = new URL(`http://[${address}]/`).hostname;
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

test('without node:net, the answer is the one isIP gave, for any address-like text', () => {
  const piece = fc.oneof(fc.constantFrom('127', '0', '1', '255', '256', '01', '7f00', 'ffff', 'FFFF', '::', ':', '.', '[', ']', '%eth0', 'x'), fc.integer({ min: 0, max: 300 }).map(String));
  fc.assert(fc.property(fc.array(piece, { maxLength: 10 }).map((pieces) => pieces.join('')), (text) => isLoopback(text) === loopbackByNodeNet(text)), { numRuns: 20_000 });
  for (const text of ['127.0.0.1', '127.1', '127.0.0.01', '::1', '0:0::1', '[::ffff:127.0.0.1]', '::ffff:7f00:1', 'fe80::1%eth0', '::1]/x[']) assert.equal(isLoopback(text), loopbackByNodeNet(text), text);
});
