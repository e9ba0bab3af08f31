import { describe, expect, it } from 'vitest';
import { eventsOfJson, parseJsonBody, parseNdjson } from './body.ts';

describe('request bodies', () => {
  it('names the line and column of malformed JSON', () => {
    expect(() => parseJsonBody('{\n  "sku": "a",\n  "quantity": 2,,\n}')).toThrow(/line 3, column/);
  });

  it('names the line of a malformed NDJSON line and skips blank lines', () => {
    expect(parseNdjson('{"a":1}\n\n{"a":2}\n')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(() => parseNdjson('{"a":1}\n{"a":2\n{"a":3}')).toThrow(/^line 2 is not valid JSON/);
  });

  it('takes one event or an envelope, and nothing else', () => {
    expect(eventsOfJson({ eventId: 'x' })).toEqual([{ eventId: 'x' }]);
    expect(eventsOfJson({ events: [{ eventId: 'x' }, { eventId: 'y' }] })).toHaveLength(2);
    expect(() => eventsOfJson([{ eventId: 'x' }])).toThrow(/not a bare array/);
    expect(() => eventsOfJson({ events: {} })).toThrow(/must be an array/);
    expect(() => eventsOfJson({ events: [], batch: 1 })).toThrow(/unknown fields next to "events": batch/);
  });
});
