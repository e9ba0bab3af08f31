import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.ts';

describe('SseParser', () => {
  it('returns events as the empty line completes them, across chunk boundaries', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 2000\n\nevent: availa')).toEqual([]);
    expect(parser.push('bility\nid: v1\ndata: {"sku":"A",')).toEqual([]);
    expect(parser.push('"onHand":3}\n\n')).toEqual([
      { event: 'availability', id: 'v1', data: '{"sku":"A","onHand":3}' },
    ]);
    expect(parser.lastEventId).toBe('v1');
  });

  it('joins data lines, skips comments (heartbeats), accepts CRLF and CR split over chunks', () => {
    const parser = new SseParser();
    expect(parser.push(': heartbeat\r\ndata: a\r')).toEqual([]);
    expect(parser.push('\ndata: b\r\n\r\ndata:c\n\n')).toEqual([
      { event: 'message', data: 'a\nb' },
      { event: 'message', data: 'c' },
    ]);
  });

  it('keeps the id for later events and resets the event name after each event', () => {
    const parser = new SseParser();
    expect(parser.push('event: x\nid: 7\ndata: 1\n\ndata: 2\n\n')).toEqual([
      { event: 'x', id: '7', data: '1' },
      { event: 'message', id: '7', data: '2' },
    ]);
  });
});
