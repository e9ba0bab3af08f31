/**
 * MurmurHash3, x86 128-bit variant (Austin Appleby's reference, public domain) over the
 * UTF-8 bytes of a string. Used for the deduplication fingerprint of an eventId: it must be
 * the same in every process and every version of the platform, fast (it runs once per
 * event), and wide enough that two different eventIds practically never share it.
 * Returns four unsigned 32-bit words h1..h4, as the reference's output in that order.
 */
const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

export function murmur3x86x128(text: string, seed = 0): [number, number, number, number] {
  // UTF-8 into a reused buffer: no allocation per call (a string has at most 3 bytes per unit).
  if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 3);
  const bytes = scratch;
  const length = encoder.encodeInto(text, bytes).written;
  const blocks = length >>> 4;
  let h1 = seed >>> 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  const c1 = 0x239b961b;
  const c2 = 0xab0e9789;
  const c3 = 0x38b34ae5;
  const c4 = 0xa1e38b93;
  for (let i = 0; i < blocks; i++) {
    const at = i * 16;
    let k1 = word(bytes, at);
    let k2 = word(bytes, at + 4);
    let k3 = word(bytes, at + 8);
    let k4 = word(bytes, at + 12);
    k1 = Math.imul(rotl(Math.imul(k1, c1), 15), c2);
    h1 ^= k1;
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, c2), 16), c3);
    h2 ^= k2;
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, c3), 17), c4);
    h3 ^= k3;
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, c4), 18), c1);
    h4 ^= k4;
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  // The last 1-15 bytes, little-endian into up to four words, each mixed like a block's.
  const tail = blocks * 16;
  const rest = length & 15;
  const k = [0, 0, 0, 0];
  for (let i = rest - 1; i >= 0; i--) {
    const w = i >>> 2;
    k[w] = ((k[w] as number) ^ ((bytes[tail + i] as number) << ((i & 3) * 8))) | 0;
  }
  if (rest > 12) h4 ^= Math.imul(rotl(Math.imul(k[3] as number, c4), 18), c1);
  if (rest > 8) h3 ^= Math.imul(rotl(Math.imul(k[2] as number, c3), 17), c4);
  if (rest > 4) h2 ^= Math.imul(rotl(Math.imul(k[1] as number, c2), 16), c3);
  if (rest > 0) h1 ^= Math.imul(rotl(Math.imul(k[0] as number, c1), 15), c2);
  h1 ^= length;
  h2 ^= length;
  h3 ^= length;
  h4 ^= length;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function word(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) |
    ((bytes[at + 1] as number) << 8) |
    ((bytes[at + 2] as number) << 16) |
    ((bytes[at + 3] as number) << 24)
  );
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x;
}
