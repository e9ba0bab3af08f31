import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedDeadLetter, fingerprint } from './dead-letter.ts';
import { messageBytes } from './request-size.ts';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const headers = { 'dlq-reason': 'UNDECODABLE', 'dlq-original-offset': '7' };

describe('dead letters under the request bound', () => {
  it('fingerprints bytes and text by their UTF-8 length', () => {
    expect(fingerprint(Buffer.from('abc'))).toEqual({ bytes: 3, sha256: sha256('abc') });
    expect(fingerprint('é')).toEqual({ bytes: 2, sha256: sha256(Buffer.from('é')) });
  });

  it('a letter that fits is sent as it is, the very object', () => {
    const letter = { key: 'SKU-1', value: Buffer.alloc(900), headers };
    expect(messageBytes(letter)).toBeLessThanOrEqual(1_000);
    expect(boundedDeadLetter(letter, 1_000)).toBe(letter);
  });

  it('a value over the bound goes as its size and SHA-256; key and headers stay', () => {
    const value = Buffer.alloc(2_000, 7);
    expect(boundedDeadLetter({ key: 'SKU-1', value, headers }, 1_000)).toEqual({
      key: 'SKU-1',
      value: null,
      headers: { ...headers, 'dlq-value-bytes': '2000', 'dlq-value-sha256': sha256(value) },
    });
  });

  it('a key over the bound on its own goes as its size and SHA-256 too', () => {
    const key = 'k'.repeat(1_500);
    expect(boundedDeadLetter({ key, value: Buffer.from('v'), headers }, 1_000)).toEqual({
      key: null,
      value: null,
      headers: {
        ...headers,
        'dlq-value-bytes': '1',
        'dlq-value-sha256': sha256('v'),
        'dlq-key-bytes': '1500',
        'dlq-key-sha256': sha256(key),
      },
    });
    expect(boundedDeadLetter({ key, value: null, headers }, 1_000)).toEqual({
      key: null,
      value: null,
      headers: { ...headers, 'dlq-key-bytes': '1500', 'dlq-key-sha256': sha256(key) },
    });
  });

  it('whatever the sizes, a letter is under the bound or unchanged, and only what it stands for is left out', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3_000 }),
        fc.option(fc.integer({ min: 0, max: 3_000 })),
        fc.integer({ min: 600, max: 4_000 }),
        (valueBytes, keyBytes, maxBytes) => {
          const value = Buffer.alloc(valueBytes, 1);
          const key = keyBytes === null ? null : 'k'.repeat(keyBytes);
          const letter = { key, value, headers };
          const bounded = boundedDeadLetter(letter, maxBytes);
          if (messageBytes(letter) <= maxBytes) return bounded === letter;
          expect(messageBytes(bounded)).toBeLessThanOrEqual(maxBytes);
          expect(bounded.value).toBeNull();
          expect(bounded.headers?.['dlq-value-sha256']).toBe(sha256(value));
          if (bounded.key === null && key !== null)
            expect(bounded.headers?.['dlq-key-sha256']).toBe(sha256(key));
          else expect(bounded.key).toBe(key);
          return true;
        },
      ),
    );
  });
});
