import type { AvroCodec, StockLevel } from '@inventory/codec';
import { backoffDelay, delay, InventoryError, type Logger } from '@inventory/core';
import { boundedDeadLetter, sendBounded } from '@inventory/kafka';
import type { KeyLayout, RedisClient } from '@inventory/read-model';
import type { Admin, Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import type { AggregatorMetrics } from '../metrics.ts';
import { deadLetter } from '../poison.ts';
import { copyProblem, type PeerTopics, peerTopics, peerWrite } from './peer-batch.ts';
import { peerScripts } from './peers.lua.ts';

export interface PeerApplierDeps {
  /** A consumer of its own group, never committing: where to go on is the offset kept in Redis. */
  consumer: Consumer;
  admin: Admin;
  /** Idempotent; for the dead letters of copies that cannot be applied. */
  producer: Producer;
  redis: RedisClient;
  codec: AvroCodec;
  keys: KeyLayout;
  /** The input topic's partition count, which every data centre's state topic must share. */
  partitions: number;
  peers: readonly string[];
  stockTopic: string;
  dlqTopic: string;
  /** Largest produce request (`AGG_MAX_REQUEST_BYTES`), and so largest dead letter. */
  maxRequestBytes: number;
  groupId: string;
  /** How often the offsets in Redis are compared with this instance's (a Redis that lost them). */
  watchdogMs: number;
  metrics: AggregatorMetrics;
  logger: Logger;
  /** Reports a failure the applier cannot recover from (a misconfigured deployment). */
  fail: (error: unknown) => void;
}

/** The scripts of peers.lua.ts as ioredis defines them (one array argument, which it flattens). */
interface PeerCommands {
  inventoryPeerApply(keys: number, args: string[]): Promise<[number, number]>;
  inventoryPeerClock(keys: number, args: (string | number)[]): Promise<number>;
}

/**
 * Keeps the copies of the other data centres' state (peers.lua.ts): reads their
 * `<dc>.inventory.stock.v1` and `<dc>.heartbeats` as MirrorMaker 2 delivers them and writes
 * them into this data centre's Redis, where the query API reads the network view. It waits,
 * in the background, for MirrorMaker to have created the copies, so a data centre starts
 * whether or not the others are reachable; the local aggregation never waits for it.
 */
export class PeerApplier {
  private readonly topics: PeerTopics;
  /** Per mirrored partition (`<topic>:<partition>`): where it is, and the next offset this instance expects in Redis. */
  private readonly positions = new Map<
    string,
    { topic: string; partition: number; dataCentre: string; offset: number }
  >();
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private checking = false;
  private readonly commands: PeerCommands;

  constructor(private readonly deps: PeerApplierDeps) {
    this.topics = peerTopics(deps.peers, deps.stockTopic);
    for (const [name, lua] of Object.entries(peerScripts)) deps.redis.defineCommand(name, { lua });
    this.commands = deps.redis as unknown as PeerCommands;
  }

  start(): void {
    this.running = this.run().catch((error) => {
      if (!this.abort.signal.aborted) this.deps.fail(error);
    });
  }

  /** Stops waiting for the copies; the consumer, closed with the clients, ends its batch. */
  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.watchdog);
    await this.running;
  }

  private async run(): Promise<void> {
    const { consumer, admin, logger, partitions } = this.deps;
    const wanted = [...this.topics.stock.keys(), ...this.topics.heartbeats.keys()];
    for (let attempt = 0; ; attempt++) {
      const present = new Set(await admin.listTopics());
      const missing = wanted.filter((topic) => !present.has(topic));
      if (missing.length === 0) break;
      if (attempt % 10 === 0)
        logger.warn({ missing }, "waiting for MirrorMaker 2 to create the other data centres' copies");
      await delay(
        backoffDelay({ initialMs: 500, maxMs: 10_000, factor: 2, retries: 0 }, attempt),
        this.abort.signal,
      ).catch(() => {});
      if (this.abort.signal.aborted) return;
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [...this.topics.stock.keys()] });
    for (const topic of metadata.topics) {
      if (topic.partitions.length !== partitions)
        throw new InventoryError(
          'CONFIG_INVALID',
          `${topic.name} has ${topic.partitions.length} partitions and the input topic ${partitions}: every data centre's topics must have the catalog's partition counts`,
        );
    }
    if (this.abort.signal.aborted) return;
    // From the beginning: nothing is committed, and a partition's copies are read from the
    // offset Redis holds for it (records before it are passed over).
    await consumer.subscribe({ topics: wanted, fromBeginning: true });
    // A new assignment starts from what Redis holds, read at each partition's first batch.
    consumer.on(consumer.events.GROUP_JOIN, () => this.positions.clear());
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.batch(payload) });
    this.watchdog = setInterval(() => void this.check(), this.deps.watchdogMs);
    logger.info({ peers: this.deps.peers }, "applying the other data centres' copies");
  }

  private async batch({ batch, isStale }: EachBatchPayload): Promise<void> {
    if (isStale() || batch.messages.length === 0) return;
    const heartbeatsOf = this.topics.heartbeats.get(batch.topic);
    if (heartbeatsOf !== undefined) return this.heartbeats(heartbeatsOf, batch.messages);
    const dataCentre = this.topics.stock.get(batch.topic);
    if (dataCentre === undefined) return;
    const { keys, redis, codec, metrics } = this.deps;
    const id = `${batch.topic}:${batch.partition}`;
    let position = this.positions.get(id);
    if (position === undefined) {
      const offset = Number((await redis.hget(keys.peerOffsets(batch.partition), dataCentre)) ?? 0);
      position = { topic: batch.topic, partition: batch.partition, dataCentre, offset };
      this.positions.set(id, position);
    }
    const from = position.offset;
    const fresh = batch.messages.filter((m) => Number(m.offset) >= from);
    const last = fresh.at(-1);
    if (last === undefined) return;
    await codec.preloadWriters(fresh.map((m) => m.value));
    const states: StockLevel[] = [];
    const refused: [KafkaMessage, InventoryError][] = [];
    for (const message of fresh) {
      // The state topics are never written with tombstones; one copied from elsewhere says nothing.
      if (!message.value) continue;
      try {
        const state = codec.decodeSync(message.value, 'StockLevel');
        const problem = copyProblem(message.key?.toString(), state, batch.partition, this.deps.partitions);
        if (problem) refused.push([message, problem]);
        else states.push(state);
      } catch (error) {
        if (error instanceof InventoryError && !error.retriable) refused.push([message, error]);
        else throw error;
      }
    }
    await this.deadLetter(batch.topic, batch.partition, refused);
    const write = peerWrite(
      keys,
      dataCentre,
      batch.partition,
      { expected: from, next: Number(last.offset) + 1 },
      states,
    );
    const [applied, value] = await this.commands.inventoryPeerApply(write.keys.length, [
      ...write.keys,
      ...write.args,
    ]);
    if (applied === 0) {
      this.rewind(position, value);
      return;
    }
    position.offset = Number(last.offset) + 1;
    metrics.peerStates.inc({ data_centre: dataCentre }, value);
  }

  /**
   * Redis holds another offset than this instance wrote: it lost the keys (the copies are read
   * again from the start) or another instance moved on (go on from there).
   */
  private rewind(
    position: { topic: string; partition: number; dataCentre: string; offset: number },
    stored: number,
  ): void {
    const { topic, partition, dataCentre, offset: expected } = position;
    position.offset = stored;
    this.deps.metrics.peerRewinds.inc({ data_centre: dataCentre });
    this.deps.logger.warn(
      { topic, partition, expected, stored },
      'the offset of a mirrored partition in Redis moved: reading from it',
    );
    this.deps.consumer.seek({ topic, partition, offset: String(stored) });
  }

  /**
   * A partition whose copies change rarely would not notice a Redis that lost them until its
   * next record: its offset is compared with Redis' every watchdogMs.
   */
  private async check(): Promise<void> {
    if (this.checking || this.abort.signal.aborted) return;
    this.checking = true;
    try {
      for (const position of [...this.positions.values()]) {
        const expected = position.offset;
        const stored = Number(
          (await this.deps.redis.hget(this.deps.keys.peerOffsets(position.partition), position.dataCentre)) ??
            0,
        );
        // Compared again: a batch may have moved it meanwhile.
        if (stored !== expected && position.offset === expected) this.rewind(position, stored);
      }
    } catch (error) {
      this.deps.logger.warn({ err: error }, "the check of the copies' offsets failed; it runs again");
    } finally {
      this.checking = false;
    }
  }

  private async heartbeats(dataCentre: string, messages: KafkaMessage[]): Promise<void> {
    const newest = Math.max(...messages.map((m) => Number(m.timestamp)));
    await this.commands.inventoryPeerClock(1, [this.deps.keys.peerClock(), dataCentre, newest]);
    this.deps.metrics.peerHeartbeat.set({ data_centre: dataCentre }, newest / 1000);
  }

  private async deadLetter(topic: string, partition: number, refused: [KafkaMessage, InventoryError][]) {
    if (refused.length === 0) return;
    const context = { topic, partition, groupId: this.deps.groupId, now: Date.now };
    const { maxRequestBytes } = this.deps;
    await sendBounded(
      this.deps.producer,
      [
        {
          topic: this.deps.dlqTopic,
          messages: refused.map(([message, error]) =>
            boundedDeadLetter(deadLetter(message, error, context), maxRequestBytes),
          ),
        },
      ],
      maxRequestBytes,
    );
    for (const [, error] of refused) this.deps.metrics.deadLettered.inc({ code: error.code });
  }
}
