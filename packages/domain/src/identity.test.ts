import { describe, expect, it } from 'vitest';
import { clientEventIdProblem, codeProblem } from './identifiers.ts';
import { clientEventIdentity, eventIdNamespaces, eventIdProblem, platformEventId } from './identity.ts';

describe('event identity', () => {
  it('two clients with the same id are two events', () => {
    expect(clientEventIdentity('store-001-tills', 'till-1-receipt-42')).toBe(
      'store:store-001-tills:till-1-receipt-42',
    );
    expect(clientEventIdentity('store-002-tills', 'till-1-receipt-42')).not.toBe(
      clientEventIdentity('store-001-tills', 'till-1-receipt-42'),
    );
  });

  it('a client id cannot contain the separator, so no two (client, id) pairs share an eventId', () => {
    expect(codeProblem('a:b')).toBeDefined();
    expect(codeProblem('store-001-tills')).toBeUndefined();
  });

  it('the platform names its own ids in namespaces no client writes', () => {
    expect(platformEventId('WEBSHOP', 'order-1:1')).toBe('reservation-sale:order-1:1');
    expect(platformEventId('MAINFRAME', 'TXN0001')).toBe('mainframe:TXN0001');
    expect(eventIdProblem('STORE', 'reservation-sale:order-1:1')).toBe(
      'eventId "reservation-sale:order-1:1" is not in the store: namespace of source STORE',
    );
    expect(eventIdProblem('WEBSHOP', 'reservation-sale:order-1:1')).toBeUndefined();
    for (const [source, namespace] of Object.entries(eventIdNamespaces)) {
      if (namespace === undefined) continue;
      for (const [other, otherNamespace] of Object.entries(eventIdNamespaces))
        if (other !== source && otherNamespace)
          expect(
            eventIdProblem(source as keyof typeof eventIdNamespaces, `${otherNamespace}:x`),
          ).toBeDefined();
    }
    expect(eventIdProblem('UNKNOWN', 'store:x:y')).toBe('source UNKNOWN has no eventId namespace');
    expect(eventIdProblem('STORE', `store:${'x'.repeat(300)}`)).toBe('eventId must have 1-200 characters');
  });

  it("refuses a client's id that is empty, too long, padded or has control characters", () => {
    expect(clientEventIdProblem('till-1-0001')).toBeUndefined();
    expect(clientEventIdProblem('')).toBe('must be a string of 1-64 characters');
    expect(clientEventIdProblem('x'.repeat(65))).toBe('must be a string of 1-64 characters');
    expect(clientEventIdProblem(' x')).toBe('must not contain control characters or surrounding whitespace');
    expect(clientEventIdProblem('a\u0000b')).toBe(
      'must not contain control characters or surrounding whitespace',
    );
    expect(clientEventIdProblem(42)).toBe('must be a string of 1-64 characters');
    expect(clientEventIdProblem('till-\ud800')).toBe('must be well-formed Unicode (a lone surrogate)');
    expect(clientEventIdProblem('till-\ud83d\udce6')).toBeUndefined();
  });
});
