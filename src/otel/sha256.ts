import { builtinModule } from '../runtime/host-process.js';

/**
 * SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, as lowercase hex: the derived messageIds of span
 * events must be the same on every runtime, and a synchronous digest is not on every runtime
 * (Vercel Edge has no `node:crypto`, and the Web Crypto digest is asynchronous). `node:crypto`'s
 * where there is one (five times faster on Node), the digest written out below elsewhere.
 */

/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const ROUND_CONSTANTS = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** The first 32 bits of the fractional parts of the square roots of the first 8 primes. */
const INITIAL_HASH = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19] as const;

const UTF8 = new TextEncoder();
const schedule = new Uint32Array(64);

function rotateRight(word: number, bits: number): number {
  return (word >>> bits) | (word << (32 - bits));
}

/** The padded message as big-endian words: the bytes, a 1 bit, zeros, and the length in bits. */
function paddedWords(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil((bytes.length + 9) / 64) * 16);
  for (let i = 0; i < bytes.length; i++) words[i >> 2]! |= bytes[i]! << (24 - (i & 3) * 8);
  words[bytes.length >> 2]! |= 0x80 << (24 - (bytes.length & 3) * 8);
  const bits = bytes.length * 8;
  words[words.length - 2] = Math.floor(bits / 2 ** 32);
  words[words.length - 1] = bits >>> 0;
  return words;
}

/** The SHA-256 digest of `text` (encoded as UTF-8), 64 lowercase hex digits, in JavaScript. */
export function portableSha256Hex(text: string): string {
  const words = paddedWords(UTF8.encode(text));
  const hash = Uint32Array.from(INITIAL_HASH);
  for (let block = 0; block < words.length; block += 16) {
    for (let t = 0; t < 16; t++) schedule[t] = words[block + t]!;
    for (let t = 16; t < 64; t++) {
      const early = schedule[t - 15]!;
      const late = schedule[t - 2]!;
      const sigma0 = rotateRight(early, 7) ^ rotateRight(early, 18) ^ (early >>> 3);
      const sigma1 = rotateRight(late, 17) ^ rotateRight(late, 19) ^ (late >>> 10);
      schedule[t] = schedule[t - 16]! + sigma0 + schedule[t - 7]! + sigma1;
    }
    let a = hash[0]!, b = hash[1]!, c = hash[2]!, d = hash[3]!, e = hash[4]!, f = hash[5]!, g = hash[6]!, h = hash[7]!;
    for (let t = 0; t < 64; t++) {
      const sum1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25);
      const choose = (e & f) ^ (~e & g);
      const first = (h + sum1 + choose + ROUND_CONSTANTS[t]! + schedule[t]!) | 0;
      const sum0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22);
      const majority = (a & b) ^ (a & c) ^ (b & c);
      h = g;
      g = f;
      f = e;
      e = (d + first) | 0;
      d = c;
      c = b;
      b = a;
      a = (first + sum0 + majority) | 0;
    }
    hash[0]! += a;
    hash[1]! += b;
    hash[2]! += c;
    hash[3]! += d;
    hash[4]! += e;
    hash[5]! += f;
    hash[6]! += g;
    hash[7]! += h;
  }
  let hex = '';
  for (const word of hash) hex += word.toString(16).padStart(8, '0');
  return hex;
}

type CreateHash = typeof import('node:crypto').createHash;

/** `node:crypto`'s `createHash`, looked up at the first digest; null where the runtime has none. */
let createHash: CreateHash | null | undefined;

/** The SHA-256 digest of `text` (encoded as UTF-8), 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  if (createHash === undefined) createHash = builtinModule<typeof import('node:crypto')>('node:crypto')?.createHash ?? null;
  return createHash === null ? portableSha256Hex(text) : createHash('sha256').update(text).digest('hex');
}
