import type { AvroCodec, InventoryEvent, ReservationCommand, ReservationOutcome } from '@inventory/codec';
import { InventoryError } from '@inventory/core';
import type { StoredReservation } from '@inventory/read-model';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { SkuState } from '../fold/fold.ts';
import { deadLetter } from '../poison.ts';
import type { ReservationStore } from '../store/reservation-store.ts';
import { decide } from './decide.ts';

/** What an outbox entry of a commands step holds: published after the step, again after a crash. */
export interface CommandsOutbox {
  skus: string[];
  outcomes: ReservationOutcome[];
  sales: InventoryEvent[];
}

/** The parts of the aggregator a commands batch uses (the same ones the events batches use). */
export interface CommandsContext {
  codec: AvroCodec;
  reservations: ReservationStore;
  dlqTopic: string;
  groupId: string;
  offsets(partition: number): Promise<{ events: number; commands: number | undefined }>;
  setOffsets(partition: number, offsets: { events: number; commands: number | undefined }): void;
  load(partition: number, skus: string[]): Promise<Map<string, SkuState>>;
  /** Hash fields of the changed skus (locations and total) and the outputs to publish. */
  hashes(
    partition: number,
    state: Map<string, SkuState>,
    changed: Set<string>,
  ): Map<string, Record<string, string>>;
  publish(
    partition: number,
    outbox: CommandsOutbox,
    state: Map<string, SkuState>,
    changed: Set<string>,
  ): Promise<void>;
  ackOutbox(partition: number, entry: string): Promise<void>;
  deadLetters(messages: ReturnType<typeof deadLetter>[]): Promise<void>;
  seek(topic: string, partition: number, offset: number): void;
  /** The step was refused (offsets moved): reload them and fetch again from Redis' offset. */
  fenced(partition: number, topic: string): Promise<void>;
  now(): number;
}

type Decoded = { ok: true; command: ReservationCommand } | { ok: false; error: InventoryError };

function decodeCommand(codec: AvroCodec, message: KafkaMessage): Decoded {
  if (!message.value) return { ok: false, error: new InventoryError('EMPTY_VALUE', 'record has no value') };
  try {
    const command = codec.decodeSync(message.value, 'ReservationCommand');
    if (command.type === 'RESERVE' && command.quantity <= 0)
      return {
        ok: false,
        error: new InventoryError('IMPOSSIBLE_VALUE', `quantity ${command.quantity} is not positive`),
      };
    return { ok: true, command };
  } catch (error) {
    if (error instanceof InventoryError && !error.retriable) return { ok: false, error };
    throw error;
  }
}

/**
 * One batch of reservation commands of partition p, decided against the state the events
 * of partition p built. The caller serialises it with the events batches of p; the atomic
 * step checks both offsets so that a stale instance cannot write.
 */
export async function processCommands(context: CommandsContext, payload: EachBatchPayload): Promise<void> {
  const { batch, resolveOffset, heartbeat } = payload;
  const partition = batch.partition;
  const offsets = await context.offsets(partition);
  const first = Number(batch.messages[0]?.offset);
  // No commands applied yet: start where Kafka starts (retention may have removed offset 0).
  const expected = offsets.commands ?? first;
  if (first > expected) {
    // Kafka resumes past what Redis holds: fetch again from Redis' offset.
    context.seek(batch.topic, partition, expected);
    return;
  }
  const fresh = batch.messages.filter((m) => Number(m.offset) >= expected);
  const last = batch.messages.at(-1);
  if (fresh.length === 0 || !last) {
    if (last) resolveOffset(last.offset);
    return;
  }
  await context.codec.preloadWriters(fresh.map((m) => m.value));
  const commands: ReservationCommand[] = [];
  const poison = [];
  for (const message of fresh) {
    const decoded = decodeCommand(context.codec, message);
    if (decoded.ok) commands.push(decoded.command);
    else
      poison.push(
        deadLetter(message, decoded.error, {
          topic: batch.topic,
          partition,
          groupId: context.groupId,
          now: context.now,
        }),
      );
  }
  if (poison.length > 0) await context.deadLetters(poison);

  const clock = await context.reservations.clock(partition);
  const until = Math.max(clock, ...commands.map((c) => c.issuedAt));
  const ids = [
    ...new Set([
      ...commands.map((c) => c.reservationId),
      ...(await context.reservations.due(partition, until)),
    ]),
  ];
  const reservations = await context.reservations.load(
    partition,
    ids.filter((id) => id !== ''),
  );
  const skus = new Set(commands.filter((c) => c.type !== 'TICK').map((c) => c.sku));
  for (const r of reservations.values()) skus.add(r.sku);
  const state = await context.load(partition, [...skus]);
  const result = decide(state, reservations, commands, clock);

  const outbox: CommandsOutbox = {
    skus: [...new Set([...result.changed].map((key) => key.split('\u0000')[0] as string))],
    outcomes: result.outcomes,
    sales: result.sales,
  };
  const entry =
    result.outcomes.length + result.sales.length + outbox.skus.length > 0 ? JSON.stringify(outbox) : '';
  const nextCommandOffset = Number(last.offset) + 1;
  const committed = await context.reservations.commit({
    partition,
    expectedCommandOffset: offsets.commands,
    expectedEventOffset: offsets.events,
    nextCommandOffset,
    clock: result.clock,
    hashes: context.hashes(partition, state, result.changed),
    reservations: [...result.reservations.values()] as StoredReservation[],
    outboxEntry: entry,
  });
  if (!committed) {
    await context.fenced(partition, batch.topic);
    return;
  }
  context.setOffsets(partition, { events: offsets.events, commands: nextCommandOffset });
  if (entry) {
    await context.publish(partition, outbox, state, result.changed);
    await context.ackOutbox(partition, entry);
  }
  resolveOffset(last.offset);
  await heartbeat();
}
