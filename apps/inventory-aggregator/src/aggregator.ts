import { errorMessage, type Logger, withTimeout } from '@inventory/core';
import { boundedDeadLetter, sendBounded } from '@inventory/kafka';
import kafkajs, { type Message } from 'kafkajs';
import type { AggregatorClients } from './clients.ts';
import { type AggregatorConfig, aggregatorSettings } from './config.ts';
import type { FoldOptions } from './fold/fold.ts';
import type { AggregatorMetrics } from './metrics.ts';
import type { InputKind } from './partition/intake.ts';
import { PartitionPublisher, type Progress } from './partition/publisher.ts';
import { PartitionRunner } from './partition/runner.ts';
import { tickCommand } from './reservations/decide.ts';
import { Restorer } from './restore/restore.ts';

const { AssignerProtocol } = kafkajs;

export interface AggregatorDeps extends AggregatorClients {
  config: AggregatorConfig;
  metrics: AggregatorMetrics;
  logger: Logger;
  now?: () => number;
}

/**
 * Folds inventory.events.v1 into state, and decides the reservation commands of the same
 * partitions. Each owned partition has a PartitionRunner for the group generation it was
 * assigned in; Redis holds, per partition, the state and the next offsets to apply, written
 * together by one atomic script, so a crash at any point replays from Redis' offsets, a
 * partition taken over by another instance is fenced by those offsets (and, for the
 * compacted topics, by its transactional id), and a Redis that lost its data is rebuilt
 * from Kafka before folding resumes.
 */
export class Aggregator {
  private runners = new Map<number, PartitionRunner>();
  /** Each partition's newest runner in this instance, running or not. */
  private readonly lastRunners = new Map<number, PartitionRunner>();
  /** What was last committed per partition, so an unchanged partition is not committed again. */
  private readonly committed = new Map<string, Progress>();
  private memberId = '';
  private observingEnds = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;
  private readonly restorer: Restorer;
  private readonly foldOptions: FoldOptions;

  constructor(private readonly deps: AggregatorDeps) {
    this.now = deps.now ?? Date.now;
    const settings = aggregatorSettings(deps.config);
    this.foldOptions = {
      journal: {
        horizonMs: deps.config.COUNT_JOURNAL_HORIZON_MS,
        maxEntries: deps.config.COUNT_JOURNAL_MAX_ENTRIES,
      },
    };
    this.restorer = new Restorer({
      kafka: deps.kafka,
      admin: deps.admin,
      codec: deps.codec,
      store: deps.store,
      topics: {
        input: settings.topics.input,
        stock: settings.topics.stock,
        reservations: settings.topics.reservations,
      },
      groupId: deps.config.GROUP_ID,
      dedup: settings.dedup,
      regionOf: deps.regionOf,
      logger: deps.logger,
      onRestored: (count) => deps.metrics.rebuilds.inc(count),
      now: this.now,
      partitionsPerPass: deps.config.RESTORE_PARTITIONS_PER_PASS,
      leaseMs: deps.config.RESTORE_LEASE_MS,
    });
  }

  /** Partitions owned now (for readiness and ticks). */
  get assigned(): number[] {
    return [...this.runners.keys()];
  }

  private runnerFor(partition: number, after: Promise<unknown>): PartitionRunner {
    const { config, kafka, codec, producer, consumer, store, admin, metrics, logger } = this.deps;
    const settings = aggregatorSettings(config);
    const topicOf = (input: InputKind) => (input === 'events' ? config.INPUT_TOPIC : config.COMMANDS_TOPIC);
    return new PartitionRunner(
      {
        partition,
        settings,
        limits: {
          maxStepEvents: config.MAX_STEP_EVENTS,
          stepLingerMs: config.STEP_LINGER_MS,
          maxQueued: config.MAX_QUEUED_EVENTS,
          publishLingerMs: config.PUBLISH_LINGER_MS,
          cachedLocations: config.CACHED_LOCATIONS_PER_PARTITION,
          reservationReplicas: config.RESERVATION_REPLICAS,
          replicaWaitMs: config.REPLICA_WAIT_MS,
        },
        store,
        codec,
        publisher: new PartitionPublisher(
          {
            kafka,
            transactionalId: `${config.GROUP_ID}-${config.INPUT_TOPIC}-p${partition}`,
            codec,
            topics: {
              stock: config.STOCK_TOPIC,
              availability: config.AVAILABILITY_TOPIC,
              reservations: config.RESERVATIONS_TOPIC,
              outcomes: config.OUTCOMES_TOPIC,
              events: config.INPUT_TOPIC,
            },
            plain: producer,
            transactionTimeoutMs: config.TRANSACTION_TIMEOUT_MS,
            maxRequestBytes: config.MAX_REQUEST_BYTES,
            publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
          },
          partition,
        ),
        restorer: this.restorer,
        // A step of many poison records (a backlog of events homed in another data centre,
        // a broken producer) in one batch, or one poison record near the topic's limit with its
        // headers, would be over the dead-letter topic's limit: the partition would stop.
        deadLetters: (messages: Message[]) =>
          withTimeout(
            sendBounded(
              producer,
              [
                {
                  topic: config.DLQ_TOPIC,
                  messages: messages.map((m) => boundedDeadLetter(m, config.MAX_REQUEST_BYTES)),
                },
              ],
              config.MAX_REQUEST_BYTES,
            ),
            config.PUBLISH_TIMEOUT_MS,
            `sending dead letters of partition ${partition}`,
          ),
        regionOf: this.deps.regionOf,
        dataCentreOf: this.deps.dataCentreOf,
        seek: (input, offset) => consumer.seek({ topic: topicOf(input), partition, offset: String(offset) }),
        pause: (input) => consumer.pause([{ topic: topicOf(input), partitions: [partition] }]),
        resume: (input) => consumer.resume([{ topic: topicOf(input), partitions: [partition] }]),
        lowWatermark: async (input) =>
          Number(
            (await admin.fetchTopicOffsets(topicOf(input))).find((o) => o.partition === partition)?.low ?? 0,
          ),
        owns: () => this.owns(partition),
        foldOptions: this.foldOptions,
        metrics,
        logger,
        now: this.now,
      },
      after,
    );
  }

  /** Whether the group's current, stable generation gives this instance the partition. */
  private async owns(partition: number): Promise<boolean> {
    const { config, admin } = this.deps;
    const { groups } = await admin.describeGroups([config.GROUP_ID]);
    const group = groups[0];
    if (group?.state !== 'Stable') return false;
    const member = group.members.find((m) => m.memberId === this.memberId);
    if (!member) return false;
    const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    return assignment?.assignment[config.INPUT_TOPIC]?.includes(partition) ?? false;
  }

  async start(): Promise<void> {
    const { consumer, config, logger } = this.deps;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      // A new generation: every runner starts over (its producer fences the partition again,
      // its view of Redis is read again). The previous ones finish their step and stop.
      // A runner of a partition this instance keeps starts once its predecessor stopped.
      this.memberId = event.payload.memberId;
      const assigned = event.payload.memberAssignment[config.INPUT_TOPIC] ?? [];
      for (const runner of this.runners.values()) void runner.stop();
      // After the partition's last runner here, of whichever generation: one that was handed
      // the partition two generations ago may still be finishing while it comes back.
      this.runners = new Map(
        assigned.map((p) => [p, this.runnerFor(p, this.lastRunners.get(p)?.finished ?? Promise.resolve())]),
      );
      for (const [p, runner] of this.runners) this.lastRunners.set(p, runner);
      logger.info({ partitions: assigned }, 'partitions assigned');
      for (const runner of this.runners.values()) runner.check();
    });
    await consumer.subscribe({ topics: [config.INPUT_TOPIC, config.COMMANDS_TOPIC], fromBeginning: true });
    // Batches are handed to the partitions' runners at once, so the consumer fetches on while
    // they step. Redis holds what is applied; the group's offsets follow what is published
    // (commitPublished), never ahead of it.
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, isStale }) => {
        const runner = this.runners.get(batch.partition);
        if (!runner || isStale()) return;
        runner.enqueue(
          batch.topic === config.COMMANDS_TOPIC ? 'commands' : 'events',
          batch.messages,
          Number(batch.highWatermark),
        );
      },
    });
    this.timers.push(
      setInterval(() => {
        for (const runner of this.runners.values()) runner.check();
      }, config.WATCHDOG_MS),
      setInterval(() => {
        void this.commitPublished();
        void this.observeEnds();
      }, config.COMMIT_INTERVAL_MS),
    );
    if (config.RESERVATION_TICK_MS > 0)
      this.timers.push(setInterval(() => void this.tick(), config.RESERVATION_TICK_MS));
  }

  /**
   * Commits, for the group, the offsets whose outputs are published: what lag monitoring and
   * autoscaling read. Best effort: Redis, not the group, says where folding resumes.
   */
  private async commitPublished(): Promise<void> {
    const { consumer, config } = this.deps;
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const runner of this.runners.values()) {
      const published = runner.committable;
      if (!published) continue;
      const key = `${runner.partition}`;
      const last = this.committed.get(key);
      if (last?.events === published.events && last.commands === published.commands) continue;
      this.committed.set(key, published);
      offsets.push({
        topic: config.INPUT_TOPIC,
        partition: runner.partition,
        offset: String(published.events),
      });
      if (published.commands !== undefined)
        offsets.push({
          topic: config.COMMANDS_TOPIC,
          partition: runner.partition,
          offset: String(published.commands),
        });
    }
    if (offsets.length === 0) return;
    await consumer.commitOffsets(offsets).catch((error) => {
      this.committed.clear();
      this.deps.logger.debug(
        { err: errorMessage(error) },
        'offsets not committed; the next interval tries again',
      );
    });
  }

  /**
   * Hands every runner its partition's end offset, as the broker answers it, for the lag
   * gauge: fetches report it too, but not while a partition's fetching is paused behind a
   * full queue, when the lag is largest. Best effort; one request at a time.
   */
  private async observeEnds(): Promise<void> {
    const { admin, config, logger } = this.deps;
    if (this.observingEnds || this.runners.size === 0) return;
    this.observingEnds = true;
    try {
      for (const { partition, high } of await admin.fetchTopicOffsets(config.INPUT_TOPIC))
        this.runners.get(partition)?.observeEnd(Number(high));
    } catch (error) {
      logger.debug({ err: errorMessage(error) }, 'end offsets not read; the next interval tries again');
    } finally {
      this.observingEnds = false;
    }
  }

  /** Stops the timers and every runner (each finishes its step and publishes), then commits. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.deps.logger.debug('partitions stopped; committing what is published');
    await this.commitPublished();
  }

  /**
   * Moves the reservation clock of every owned partition to now, so that reservations
   * expire on partitions without other commands. Best effort: a lost tick is replaced by the next.
   */
  private async tick(): Promise<void> {
    const { codec, config, producer } = this.deps;
    const partitions = this.assigned;
    if (partitions.length === 0) return;
    const value = await codec.encode(
      `${config.COMMANDS_TOPIC}-value`,
      'ReservationCommand',
      tickCommand(this.now()),
    );
    await producer
      .send({ topic: config.COMMANDS_TOPIC, messages: partitions.map((partition) => ({ partition, value })) })
      .catch((error) =>
        this.deps.logger.warn({ err: errorMessage(error) }, 'reservation clock tick not sent'),
      );
  }
}
