// The deterministic event generator every driver is fed: the same seed gives the same sequence of
// `track` calls in every child process, whatever the library under test.
//
// Each call gets fresh top-level and `properties` objects (as an app would build them), with a
// unique `properties.seq` that the ingestion server deduplicates on. Sizes above ~1 KB are reached
// with a `products` list and a `note` drawn from pools built once per seed: per-call cost stays
// small, so time per call measures the library, not the generator (the `generator` driver shows
// what is left).

/** mulberry32: a small, fast, seedable PRNG; returns floats in [0, 1). */
export function createPrng(seed) {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EVENTS = ['Order Completed', 'Product Viewed', 'Product Added', 'Checkout Started', 'Signed Up', 'Coupon Applied', 'Cart Viewed', 'Payment Info Entered'];
const CATEGORIES = ['Games', 'Books', 'Garden', 'Kitchen', 'Outdoors', 'Music', 'Toys', 'Office'];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY'];
const PLANS = ['free', 'starter', 'pro', 'enterprise'];
const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat'.split(' ');

export const MIN_SIZE = 100;
export const MAX_SIZE = 30 * 1024;
const USERS = 10_000;
const POOL = 64;

function pick(random, list) {
  return list[Math.floor(random() * list.length)];
}

function sentence(random, length) {
  let text = '';
  while (text.length < length) text += (text === '' ? '' : ' ') + pick(random, WORDS);
  return text.slice(0, length);
}

function product(random, index) {
  return {
    productId: `prod-${String(index).padStart(6, '0')}`,
    sku: `SKU-${Math.floor(random() * 1e8).toString(36).toUpperCase().padStart(6, '0')}`,
    name: sentence(random, 24),
    category: pick(random, CATEGORIES),
    price: Math.round(random() * 10_000) / 100,
    quantity: 1 + Math.floor(random() * 4),
    url: `https://shop.example.com/p/${index}`,
  };
}

const PRODUCT_BYTES = JSON.stringify(product(createPrng(1), 123456)).length + 1;

/**
 * Returns `{ next(seq), size, shape }`: `next` builds the params of call number `seq`
 * (`{ userId, event, properties }`, Segment Spec names) whose JSON is ≈ `size` bytes.
 */
export function createGenerator({ seed = 42, size = 360 } = {}) {
  if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) throw new RangeError(`size must be an integer from ${MIN_SIZE} to ${MAX_SIZE}, got ${size}`);
  const random = createPrng(seed);
  const pools = { products: [], notes: [] };
  const full = size >= 300;
  const build = (seq, products, note) => {
    const properties = { seq };
    properties.orderId = `ord-${Math.floor(random() * 2 ** 31).toString(16).padStart(8, '0')}`;
    properties.category = pick(random, CATEGORIES);
    if (full) {
      properties.revenue = Math.round(random() * 100_000) / 100;
      properties.currency = pick(random, CURRENCIES);
      properties.plan = pick(random, PLANS);
      properties.itemCount = 1 + Math.floor(random() * 9);
      properties.url = `https://shop.example.com/checkout/${Math.floor(random() * 1e6)}`;
      properties.firstPurchase = random() < 0.3;
    }
    if (products !== undefined) properties.products = products;
    if (note !== undefined) properties.note = note;
    return { userId: `user-${String(Math.floor(random() * USERS)).padStart(5, '0')}`, event: pick(random, EVENTS), properties };
  };
  // Shape: how many products and how long a note make the JSON reach `size` (probed with
  // seq 999999: six digits, the typical width of a large run).
  const bare = JSON.stringify(build(999_999, undefined, undefined)).length;
  let productCount = 0;
  let noteLength = 0;
  const room = size - bare;
  if (room > 0) {
    productCount = room > 1000 ? Math.floor((room - 200) / PRODUCT_BYTES) : 0;
    const withProducts = productCount > 0 ? ',"products":[]'.length + productCount * PRODUCT_BYTES - 1 : 0;
    noteLength = Math.max(0, room - withProducts - ',"note":""'.length);
  }
  for (let i = 0; i < POOL; i++) {
    if (productCount > 0) pools.products.push(Array.from({ length: productCount }, (_, k) => product(random, i * 1000 + k)));
    if (noteLength > 0) pools.notes.push(sentence(random, noteLength));
  }
  return {
    size,
    shape: { productCount, noteLength },
    next(seq) {
      const slot = seq % POOL;
      return build(seq, productCount > 0 ? pools.products[slot] : undefined, noteLength > 0 ? pools.notes[slot] : undefined);
    },
  };
}
