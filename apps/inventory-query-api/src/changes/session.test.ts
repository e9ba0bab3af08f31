import { PassThrough } from 'node:stream';
import type { SkuAvailability } from '@inventory/codec';
import { describe, expect, it } from 'vitest';
import { decodeEventId, encodeEventId, SseSession } from './session.ts';

const change = (sku: string, version: number, onHand = version): SkuAvailability => ({
  sku,
  onHand,
  reserved: 0,
  available: onHand,
  asOf: Date.parse('2026-11-22T09:00:00Z'),
  regions: [],
  version,
});

describe('SseSession', () => {
  it('sends each newer version once, with an id that resumes every sku', () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c) => chunks.push(String(c)));
    const session = new SseSession(out, new Set(['A', 'B']), new Map(), 1 << 20, () => {});
    session.send(change('A', 3));
    session.send(change('A', 3));
    session.send(change('A', 2));
    session.send(change('B', 1));
    session.send(change('C', 9));
    session.send(change('A', 4));
    const events = chunks.join('').split('\n\n').filter(Boolean);
    expect(events.map((e) => JSON.parse(e.split('data: ')[1] as string).version)).toEqual([3, 1, 4]);
    const lastId = /id: (\S+)/.exec(events.at(-1) as string)?.[1];
    expect(decodeEventId(lastId)).toEqual(
      new Map([
        ['A', 4],
        ['B', 1],
      ]),
    );
  });

  it('after a resume only versions newer than the Last-Event-ID are sent', () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c) => chunks.push(String(c)));
    const resume = decodeEventId(encodeEventId(new Map([['A', 5]])));
    const session = new SseSession(out, new Set(['A']), resume, 1 << 20, () => {});
    session.send(change('A', 5));
    session.send(change('A', 7));
    expect(chunks.join('')).toContain('"version":7');
    expect(chunks.join('')).not.toContain('"version":5');
  });

  it('a client that stops reading is cut off once its backlog passes the bound', () => {
    // Nobody reads this stream: what is written stays buffered, as for a stalled socket.
    const stalled = new PassThrough({ highWaterMark: 1024 });
    let dropped = false;
    const session = new SseSession(stalled, new Set(['A']), new Map(), 4096, () => {
      dropped = true;
    });
    for (let v = 1; v <= 200 && !dropped; v++) session.send(change('A', v));
    expect(dropped).toBe(true);
    expect(stalled.destroyed).toBe(true);
    expect(stalled.writableLength).toBeLessThan(4096 + 512);
    session.send(change('A', 1000));
    expect(session.closed).toBe(true);
  });
});
