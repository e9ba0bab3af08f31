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

describe('request bodies readers could disagree on', () => {
  it('refuses a repeated key or a __proto__ key, in JSON and on an NDJSON line', () => {
    expect(() => parseJsonBody('{"sku":"A","quantity":1,"quantity":-5}')).toThrow(
      'request body repeats the key "quantity" in one object',
    );
    expect(() => parseJsonBody('{"events":[{"__proto__":{"x":1}}]}')).toThrow(
      'request body has a "__proto__" key',
    );
    expect(() => parseNdjson('{"a":1}\n{"b":1,"b":2}')).toThrow('line 2 repeats the key "b" in one object');
  });

  it('names at most five unknown fields next to "events"', () => {
    const body = Object.fromEntries([['events', []], ...Array.from({ length: 8 }, (_, i) => [`k${i}`, i])]);
    expect(() => eventsOfJson(body)).toThrow(
      'unknown fields next to "events": k0, k1, k2, k3, k4, and 3 more',
    );
  });
});
