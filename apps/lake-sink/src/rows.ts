import type { InventoryEvent } from '@inventory/codec';
import { isoTime as iso } from '@inventory/core';
import type { KafkaMessage } from 'kafkajs';

/** The two kinds of dataset: canonical events (Avro fields as columns) and raw payloads. */
export type DatasetKind = 'events' | 'raw';

/** DuckDB column types of each kind, in file order; lineage columns last. */
export const columns: Record<DatasetKind, Record<string, string>> = {
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

export interface LakeRow {
  /** The time the row is bucketed by: event time for events, Kafka's timestamp for raw payloads. */
  at: number;
  values: Record<string, string | number | null>;
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
    at: event.occurredAt,
    values: {
      event_id: event.eventId,
      type: event.type,
      sku: event.sku,
      location_id: event.locationId,
      quantity: event.quantity,
      occurred_at: iso(event.occurredAt),
      recorded_at: iso(event.recordedAt),
      source: event.source,
      source_ref: event.sourceRef,
      client_id: event.clientId,
      client_event_id: event.clientEventId,
      kafka_topic: topic,
      kafka_partition: partition,
      kafka_offset: Number(message.offset),
      ingested_at: iso(Number(message.timestamp)),
    },
  };
}

/** A raw payload as received (text: MQ records and Debezium JSON), headers as a JSON object. */
export function rawRow(topic: string, partition: number, message: KafkaMessage): LakeRow {
  const timestamp = Number(message.timestamp);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined)
      headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return {
    at: timestamp,
    values: {
      key: message.key?.toString('utf8') ?? null,
      value: message.value?.toString('utf8') ?? null,
      headers: JSON.stringify(headers),
      kafka_timestamp: iso(timestamp),
      kafka_topic: topic,
      kafka_partition: partition,
      kafka_offset: Number(message.offset),
      ingested_at: iso(timestamp),
    },
  };
}
