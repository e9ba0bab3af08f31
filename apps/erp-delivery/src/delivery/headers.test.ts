import { describe, expect, it } from 'vitest';
import { type DeliveryState, deadLetterHeaders, readState, stateHeaders } from './headers.ts';

const state: DeliveryState = {
  destination: 'supplier',
  attempts: 2,
  originalTopic: 'inventory.sold-quantities.v1',
  originalPartition: 4,
  originalOffset: '1234',
  originalTimestamp: Date.parse('2026-12-01T02:00:00Z'),
  firstFailedAt: Date.parse('2026-12-01T02:00:01Z'),
  lastFailedAt: Date.parse('2026-12-01T02:00:06Z'),
  lastErrorCode: 'RECEIVER_UNAVAILABLE',
  lastError: 'HTTP 503',
  lastStatus: 503,
  dueAt: Date.parse('2026-12-01T02:00:21Z'),
};

const asKafka = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));

describe('delivery headers', () => {
  it('round-trips a retry state through Kafka headers', () => {
    expect(readState(asKafka(stateHeaders(state)))).toEqual(state);
  });

  it('gives dead letters the reason, time and original position, without a due time', () => {
    const headers = deadLetterHeaders(state, 'RETRIES_EXHAUSTED', Date.parse('2026-12-01T02:01:06Z'));
    expect(headers).toMatchObject({
      'dlq-reason': 'RETRIES_EXHAUSTED',
      'dlq-time': '2026-12-01T02:01:06.000Z',
      'dlq-original-topic': 'inventory.sold-quantities.v1',
      'dlq-original-partition': '4',
      'dlq-original-offset': '1234',
      'delivery-attempts': '2',
      'delivery-last-error': 'HTTP 503',
    });
    expect(headers['delivery-due-at']).toBeUndefined();
  });

  it('names the missing header of a record that is not a delivery', () => {
    expect(readState({ 'delivery-destination': Buffer.from('erp') })).toEqual({
      missing: 'delivery-attempts',
    });
    const bad = asKafka({ ...stateHeaders(state), 'delivery-destination': 'fax' });
    expect(readState(bad)).toEqual({ missing: 'delivery-destination (unknown value)' });
  });
});
