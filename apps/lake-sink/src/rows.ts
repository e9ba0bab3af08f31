import type { InventoryEvent } from '@inventory/codec';
import type { KafkaMessage } from 'kafkajs';

/** The two kinds of dataset: canonical events (Avro fields as columns) and raw payloads. */
export type DatasetKind = 'events' | 'raw';

/** DuckDB column types of each kind, in file order; lineage columns last. */
export const columns: Record<DatasetKind, Record<string, LakeColumnType>> = {
  events: {
    event_id: 'VARCHAR',
    type: 'VARCHAR',
    sku: 'VARCHAR',
    location_id: 'VARCHAR',
    quantity: 'BIGINT',
    occurred_at: 'TIMESTAMPTZ',
    recorded_at: 'TIMESTAMPTZ',
    source: 'VARCHAR',
    source_ref: 'VARCHAR',
    client_id: 'VARCHAR',
    client_event_id: 'VARCHAR',
    kafka_topic: 'VARCHAR',
    kafka_partition: 'INTEGER',
    kafka_offset: 'BIGINT',
    ingested_at: 'TIMESTAMPTZ',
  },
  raw: {
    key: 'VARCHAR',
    value: 'VARCHAR',
    headers: 'VARCHAR',
    kafka_timestamp: 'TIMESTAMPTZ',
    kafka_topic: 'VARCHAR',
    kafka_partition: 'INTEGER',
    kafka_offset: 'BIGINT',
    ingested_at: 'TIMESTAMPTZ',
  },
};

export type LakeColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'TIMESTAMPTZ';

/**
 * A row's values in the order of its kind's `columns`: text as text, integers as numbers
 * (BIGINT too: offsets and quantities stay below 2^53), and times as epoch milliseconds, which
 * the writer turns into TIMESTAMPTZ (writer.ts), so no row builds a date's text.
 */
export type LakeValue = string | number | null;

export interface LakeRow {
  /** The time the row is bucketed by: event time for events, Kafka's timestamp for raw payloads. */
  at: number;
  values: LakeValue[];
}

/**
 * The times a row may carry: the years 0000 to 9999, whose ISO text has the four-digit year
 * a row's date/hour bucket is cut from (layout.ts).
 */
export const lakeTimes = {
  min: Date.parse('0000-01-01T00:00:00.000Z'),
  max: Date.parse('9999-12-31T23:59:59.999Z'),
};

/** A record that decodes but cannot be a row: dead-lettered with `reason`, the rest flows on. */
export class LakeRowRefused extends Error {
  constructor(
    readonly reason: 'INVALID_TIME',
    message: string,
  ) {
    super(message);
    this.name = 'LakeRowRefused';
  }
}

/**
 * A row's time as it is, or its refusal: a record with a time outside `lakeTimes` is
 * dead-lettered, not written, and does not stop its partition's files.
 */
export function lakeTime(ms: number, name: string): number {
  if (Number.isSafeInteger(ms) && ms >= lakeTimes.min && ms <= lakeTimes.max) return ms;
  throw new LakeRowRefused(
    'INVALID_TIME',
    `${name} ${ms} is not a time the lake holds (epoch milliseconds of the years 0000 to 9999)`,
  );
}

/**
 * Every value of a row comes from its record, none from the writer (ingested_at is the
 * broker's append time): any writer of a chunk writes the same rows.
 */
export function eventRow(
  event: InventoryEvent,
  topic: string,
  partition: number,
  message: KafkaMessage,
): LakeRow {
  return {
    at: lakeTime(event.occurredAt, 'occurredAt'),
    values: [
      event.eventId,
      event.type,
      event.sku,
      event.locationId,
      event.quantity,
      event.occurredAt,
      lakeTime(event.recordedAt, 'recordedAt'),
      event.source,
      event.sourceRef ?? null,
      event.clientId ?? null,
      event.clientEventId ?? null,
      topic,
      partition,
      Number(message.offset),
      lakeTime(Number(message.timestamp), "the record's timestamp"),
    ],
  };
}

/** A raw payload as received (text: MQ records and Debezium JSON), headers as a JSON object. */
export function rawRow(topic: string, partition: number, message: KafkaMessage): LakeRow {
  const timestamp = lakeTime(Number(message.timestamp), "the record's timestamp");
  // No prototype: a header named __proto__ is kept as a header, not taken for the prototype.
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined)
      headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return {
    at: timestamp,
    values: [
      message.key?.toString('utf8') ?? null,
      message.value?.toString('utf8') ?? null,
      JSON.stringify(headers),
      timestamp,
      topic,
      partition,
      Number(message.offset),
      timestamp,
    ],
  };
}
