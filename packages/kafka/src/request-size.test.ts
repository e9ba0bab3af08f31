import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageBytes, requestsOf } from './request-size.ts';

const message = (key: string, size: number) => ({ key, value: Buffer.alloc(size) });

describe('produce requests under a size', () => {
  it('counts key, value and headers', () => {
    expect(messageBytes({ key: 'ab', value: Buffer.alloc(10) })).toBe(24 + 2 + 10);
    expect(messageBytes({ key: 'ab', value: 'é', headers: { h: '12' } })).toBe(24 + 2 + 2 + 8 + 1 + 2);
    expect(messageBytes({ key: null, value: null })).toBe(24);
  });

  it('splits across and within topics, keeping the order, one oversized message alone', () => {
    const requests = requestsOf(
      [
        { topic: 'a', messages: [message('1', 470), message('2', 470), message('3', 2000)] },
        { topic: 'b', messages: [message('4', 76)] },
      ],
      1_000,
    );
    expect(requests.map((r) => r.map((t) => `${t.topic}:${t.messages.map((m) => m.key).join('')}`))).toEqual([
      ['a:12'],
      ['a:3'],
      ['b:4'],
    ]);
    expect(requestsOf([], 1_000)).toEqual([]);
  });

  it('loses nothing, reorders nothing, and keeps every request with more than one message under the size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 30 }), { maxLength: 4 }),
        fc.integer({ min: 100, max: 5_000 }),
        (sizes, maxBytes) => {
          const topics = sizes.map((list, t) => ({
            topic: `t${t}`,
            messages: list.map((size, i) => message(`${t}-${i}`, size)),
          }));
          const requests = requestsOf(topics, maxBytes);
          const flat = requests.flatMap((r) =>
            r.flatMap((t) => t.messages.map((m) => `${t.topic}/${m.key}`)),
          );
          expect(flat).toEqual(topics.flatMap((t) => t.messages.map((m) => `${t.topic}/${m.key}`)));
          for (const request of requests) {
            const all = request.flatMap((t) => t.messages);
            if (all.length > 1)
              expect(all.reduce((sum, m) => sum + messageBytes(m), 0)).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
    );
  });
});
