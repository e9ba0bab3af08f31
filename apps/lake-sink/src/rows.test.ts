import { sampleEvent } from '@inventory/codec';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { columns, eventRow, LakeRowRefused, lakeTimes, rawRow } from './rows.ts';

const message = (timestamp: string | undefined, headers: KafkaMessage['headers'] = {}) =>
  ({ offset: '7', timestamp, key: null, value: Buffer.from('{}'), headers }) as unknown as KafkaMessage;

const refusal = (make: () => unknown): { reason: string; message: string } | undefined => {
  try {
    make();
  } catch (error) {
    if (error instanceof LakeRowRefused) return { reason: error.reason, message: error.message };
    throw error;
  }
  return undefined;
};

describe('lake rows', () => {
  it('an event row holds a value for each column', () => {
    const row = eventRow(sampleEvent, 'inventory.events.v1', 3, message('1796518368158'));
    expect(row.at).toBe(sampleEvent.occurredAt);
    expect(row.values).toHaveLength(Object.keys(columns.events).length);
  });

  it('refuses a time outside the years 0000 to 9999, naming it, and takes the edges of the range', () => {
    for (const occurredAt of [lakeTimes.min, lakeTimes.max]) {
      const row = eventRow({ ...sampleEvent, occurredAt }, 't', 0, message(String(lakeTimes.max)));
      expect(row.at).toBe(occurredAt);
    }
    expect(lakeTimes).toEqual({ min: -62_167_219_200_000, max: 253_402_300_799_999 });
    expect(
      refusal(() => eventRow({ ...sampleEvent, occurredAt: lakeTimes.max + 1 }, 't', 0, message('0')))
        ?.reason,
    ).toBe('INVALID_TIME');
    expect(
      refusal(() => eventRow({ ...sampleEvent, occurredAt: lakeTimes.min - 1 }, 't', 0, message('0')))
        ?.reason,
    ).toBe('INVALID_TIME');
    expect(refusal(() => eventRow({ ...sampleEvent, occurredAt: 9e15 }, 't', 0, message('0')))).toEqual({
      reason: 'INVALID_TIME',
      message:
        'occurredAt 9000000000000000 is not a time the lake holds (epoch milliseconds of the years 0000 to 9999)',
    });
    expect(refusal(() => eventRow({ ...sampleEvent, recordedAt: Number.NaN }, 't', 0, message('0')))).toEqual(
      {
        reason: 'INVALID_TIME',
        message: 'recordedAt NaN is not a time the lake holds (epoch milliseconds of the years 0000 to 9999)',
      },
    );
    expect(refusal(() => eventRow(sampleEvent, 't', 0, message(undefined)))?.message).toBe(
      "the record's timestamp NaN is not a time the lake holds (epoch milliseconds of the years 0000 to 9999)",
    );
    expect(refusal(() => rawRow('t', 0, message('253402300800000')))?.reason).toBe('INVALID_TIME');
  });

  it("keeps a raw record's headers as JSON, repeated values joined, any header name a header", () => {
    const headers = JSON.parse(
      (
        rawRow(
          't',
          0,
          message('1', {
            source: Buffer.from('mq'),
            many: [Buffer.from('1'), Buffer.from('2')],
            toString: Buffer.from('x'),
            ['__proto__']: Buffer.from('p'),
          }),
        ).values[2] as string
      ).replace('"__proto__"', '"proto"'),
    );
    expect(headers).toEqual({ source: 'mq', many: '1,2', toString: 'x', proto: 'p' });
  });
});
