import { createCodec, sampleEvent } from '@inventory/codec';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { deadLetter, decodeEvent, impossibility } from './poison.ts';

const codec = createCodec();
const message = (value: Buffer | null, key = sampleEvent.sku): KafkaMessage =>
  ({
    key: Buffer.from(key),
    value,
    offset: '42',
    timestamp: '0',
    attributes: 0,
    headers: {},
  }) as KafkaMessage;

describe('poison events', () => {
  it('a valid event decodes', async () => {
    const value = await codec.encode('t-value', 'InventoryEvent', sampleEvent);
    expect(await decodeEvent(codec, message(value))).toEqual({ ok: true, event: sampleEvent });
  });

  it.each([
    [{ ...sampleEvent, quantity: -1 }, 'quantity -1 must be > 0 for SALE'],
    [{ ...sampleEvent, type: 'ADJUSTMENT' as const, quantity: 0 }, 'must not be 0 for ADJUSTMENT'],
    [{ ...sampleEvent, sku: 'bad sku' }, 'is not a valid code'],
    [{ ...sampleEvent, occurredAt: 0 }, 'occurredAt is not a real time'],
  ])('impossible values are named: %#', (event, reason) => {
    expect(impossibility(event)).toContain(reason);
  });

  it('undecodable bytes, tombstones and a key other than the sku are poison', async () => {
    const bytes = await decodeEvent(codec, message(Buffer.from('garbage')));
    expect(bytes.ok ? '' : bytes.error.code).toBe('CODEC_MALFORMED');
    const tombstone = await decodeEvent(codec, message(null));
    expect(tombstone.ok ? '' : tombstone.error.code).toBe('EMPTY_VALUE');
    const value = await codec.encode('t-value', 'InventoryEvent', sampleEvent);
    const wrongKey = await decodeEvent(codec, message(value, 'OTHER-SKU'));
    expect(wrongKey.ok ? '' : wrongKey.error.code).toBe('WRONG_KEY');
  });

  it('the dead letter keeps the original record and says where it came from and why', async () => {
    const decoded = await decodeEvent(codec, message(Buffer.from('garbage')));
    if (decoded.ok) throw new Error('expected poison');
    const letter = deadLetter(message(Buffer.from('garbage')), decoded.error, {
      topic: 'inventory.events.v1',
      partition: 3,
      groupId: 'g',
      now: () => Date.parse('2026-11-22T10:00:00Z'),
    });
    expect(letter.value?.toString()).toBe('garbage');
    expect(letter.headers).toEqual({
      'dlq-original-topic': 'inventory.events.v1',
      'dlq-original-partition': '3',
      'dlq-original-offset': '42',
      'dlq-error-code': 'CODEC_MALFORMED',
      'dlq-error-message': expect.any(String),
      'dlq-consumer-group': 'g',
      'dlq-time': '2026-11-22T10:00:00.000Z',
    });
  });
});
