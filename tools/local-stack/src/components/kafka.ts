import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, InventoryError, retry } from '@inventory/core';
import {
  createKafka,
  developmentAccess,
  productionDurability,
  provisionAcls,
  provisionTopics,
  singleBrokerDurability,
  topicCatalog,
} from '@inventory/kafka';
import type { Kafka } from 'kafkajs';
import { type Component, dataDir, logFile, pidFile, type StackContext } from '../component.ts';
import { jarDir } from '../maven.ts';
import { readPid, spawnDaemon, stopDaemon } from '../proc.ts';
import { jvmBaseOptions, writeLog4j2, writeProperties } from './java.ts';
import {
  brokerListenerProperties,
  checkFormattedUsers,
  kafkaAdmin,
  kafkaBrokers,
  kafkaClientOptions,
  kafkaSecured,
  recordFormattedUsers,
  scramFormatArgs,
  upsertChangedUsers,
} from './kafka-security.ts';

export { kafkaBrokers } from './kafka-security.ts';

/** The stack's administrator's client (kafka-security.ts): provisioning and the health check. */
const adminKafka = (
  ctx: StackContext,
  timeouts: { connectionTimeoutMs?: number; requestTimeoutMs?: number } = {},
) => createKafka({ clientId: 'inventory-stack', ...kafkaClientOptions(ctx, kafkaAdmin), ...timeouts });

/** Partitions of the broker's internal topics of group offsets and of transaction state. */
const coordinatorPartitions = 6;

/** The partition of an internal topic that coordinates `id`: Kafka's Utils.abs(id.hashCode()) % count. */
export function coordinatorPartition(id: string, partitions = coordinatorPartitions): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (Math.imul(hash, 31) + id.charCodeAt(i)) | 0;
  return (hash === -0x80000000 ? 0 : Math.abs(hash)) % partitions;
}

/** One id per coordinator partition: `<prefix>-<n>`, the first n landing on each. */
export function probeIds(prefix: string, partitions = coordinatorPartitions): string[] {
  const ids = new Map<number, string>();
  for (let n = 0; ids.size < partitions; n++) {
    const id = `${prefix}-${n}`;
    const partition = coordinatorPartition(id, partitions);
    if (!ids.has(partition)) ids.set(partition, id);
  }
  return [...ids.entries()].sort(([a], [b]) => a - b).map(([, id]) => id);
}

/**
 * The group and transaction coordinators live on internal topics the broker creates on first
 * use and then loads. Until then every client's first FindCoordinator or InitProducerId is
 * answered "not available" or "loading": retried by kafkajs, but logged as errors by every
 * app of a fresh stack. Asked here once for every partition of both topics, with retries,
 * before `up` reports Kafka ready.
 */
async function readyCoordinators(kafka: Kafka, say: (line: string) => void): Promise<void> {
  // kafkajs gives up on a coordinator after about ten seconds; a slow machine creating and
  // loading both internal topics needs longer, so the probes are repeated as a whole.
  await retry(() => probeCoordinators(kafka), {
    policy: { initialMs: 500, maxMs: 5_000, factor: 2, retries: 10 },
    shouldRetry: coordinatorStarting,
    onRetry: (error, attempt) =>
      say(`kafka: coordinators not ready yet, asked again (${attempt}): ${errorMessage(error)}`),
  });
}

/**
 * An answer of a broker whose coordinators are still being created or loaded: kafkajs's
 * "Failed to find group coordinator", or its retries exhausted on an error it retries itself.
 */
export function coordinatorStarting(error: unknown): boolean {
  for (let seen: unknown = error; seen instanceof Error; seen = seen.cause) {
    if (seen.name === 'KafkaJSGroupCoordinatorNotFound') return true;
    if ((seen as { retriable?: unknown }).retriable === true) return true;
  }
  return false;
}

async function probeCoordinators(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.describeGroups(probeIds('inventory-stack-probe'));
  } finally {
    await admin.disconnect();
  }
  for (const transactionalId of probeIds('inventory-stack-probe')) {
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      // InitProducerId at the transaction's coordinator; nothing sent, so nothing to end.
      await (await producer.transaction()).abort();
    } finally {
      await producer.disconnect();
    }
  }
}

function writeServerProperties(ctx: StackContext): string {
  const file = join(ctx.settings.dirs.conf, 'kafka.properties');
  writeProperties(file, {
    // A single KRaft node that is both broker and controller.
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${ctx.settings.KAFKA_CONTROLLER_PORT}`,
    ...brokerListenerProperties(ctx),
    'log.dirs': dataDir(ctx, 'kafka'),
    // Topics are provisioned from the catalog; a typo in a topic name must fail, not create.
    'auto.create.topics.enable': false,
    'num.partitions': 1,
    // One broker: the catalog's durability (3 copies, 2 in sync) overridden, and said so at `up`.
    'default.replication.factor': singleBrokerDurability.replicationFactor,
    'min.insync.replicas': singleBrokerDurability.minInSyncReplicas,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': coordinatorPartitions,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': coordinatorPartitions,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'log.cleaner.backoff.ms': 1000,
  });
  return file;
}

/** A Kafka cluster id: 16 random bytes, base64url; never starting with '-', which the CLI would read as a flag. */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Formats the KRaft metadata log once; later starts reuse it (and its cluster id). */
function formatStorageOnce(
  ctx: StackContext,
  classpath: string,
  properties: string,
  javaOptions: string[],
): void {
  const dir = dataDir(ctx, 'kafka');
  if (existsSync(join(dir, 'meta.properties'))) {
    checkFormattedUsers(ctx);
    return;
  }
  mkdirSync(dir, { recursive: true });
  const clusterId = newClusterId();
  try {
    execFileSync(
      'java',
      [
        ...javaOptions,
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        properties,
        // The SCRAM users go into the bootstrap metadata (their passwords on this short-lived
        // command line, whose output is not kept).
        ...scramFormatArgs(ctx),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    const err = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new InventoryError('STACK_START_FAILED', `kafka storage format failed: ${err.trim()}`, {
      cause: error,
    });
  }
  recordFormattedUsers(ctx);
}

export const kafka: Component = {
  name: 'kafka',
  needs: [],
  jars: ['kafka'],
  role: 'event log (KRaft broker + controller)',
  async start(ctx) {
    const lib = jarDir(ctx.settings.dirs.lib, 'kafka');
    const properties = writeServerProperties(ctx);
    const javaOptions = [`-Dlog4j2.configurationFile=${writeLog4j2(ctx, 'kafka')}`];
    const classpath = `${lib}/*`;
    formatStorageOnce(ctx, classpath, properties, javaOptions);
    spawnDaemon({
      command: 'java',
      args: [
        `-Xmx${ctx.settings.KAFKA_HEAP}`,
        '-Xms256m',
        ...jvmBaseOptions,
        ...javaOptions,
        '-cp',
        classpath,
        'kafka.Kafka',
        properties,
      ],
      logFile: logFile(ctx, 'kafka'),
      pidFile: pidFile(ctx, 'kafka'),
    });
  },
  async healthy(ctx) {
    const admin = adminKafka(ctx, { connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000 }).admin({
      retry: { retries: 0 },
    });
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } finally {
      await admin.disconnect();
    }
  },
  async afterHealthy(ctx) {
    const added = upsertChangedUsers(ctx, `${jarDir(ctx.settings.dirs.lib, 'kafka')}/*`);
    if (added.length > 0) ctx.say(`kafka: SCRAM users added or changed: ${added.join(', ')}`);
    const admin = adminKafka(ctx).admin();
    await admin.connect();
    try {
      // Right after start-up the broker may not yet serve the partitions it just loaded
      // ("does not host this topic-partition"): such errors are retried, others are not.
      const result = await retry(() => provisionTopics(admin, topicCatalog(), singleBrokerDurability), {
        policy: { initialMs: 250, maxMs: 5_000, factor: 2, retries: 8 },
        shouldRetry: (error) => (error as { retriable?: boolean }).retriable === true,
        onRetry: (error, attempt) =>
          ctx.say(`kafka: provisioning retried (${attempt}): ${errorMessage(error)}`),
      });
      if (result.created.length > 0) ctx.say(`kafka: created topics ${result.created.join(', ')}`);
      if (result.reconfigured.length > 0) ctx.say(`kafka: reconfigured ${result.reconfigured.join(', ')}`);
      if (result.created.length > 0 || result.reconfigured.length > 0)
        ctx.say(
          `kafka: one broker: replication factor ${singleBrokerDurability.replicationFactor} and min.insync.replicas ${singleBrokerDurability.minInSyncReplicas} override the catalog's production durability (${productionDurability.replicationFactor} and ${productionDurability.minInSyncReplicas})`,
        );
      if (kafkaSecured(ctx)) {
        const acls = await provisionAcls(admin, developmentAccess());
        if (acls.created + acls.deleted > 0)
          ctx.say(
            `kafka: ACLs of ${developmentAccess().length} principals: ${acls.created} created, ${acls.deleted} removed`,
          );
      }
    } finally {
      await admin.disconnect();
    }
    await readyCoordinators(adminKafka(ctx), (line) => ctx.say(line));
  },
  // SIGTERM makes the broker shut down in a controlled way (flush, clean shutdown marker).
  stop: (ctx) => stopDaemon(pidFile(ctx, 'kafka'), 'SIGTERM', 30_000),
  pid: (ctx) => readPid(pidFile(ctx, 'kafka')),
  endpoint: kafkaBrokers,
  ports: (ctx) => [
    { port: ctx.settings.KAFKA_PORT, setting: 'KAFKA_PORT' },
    { port: ctx.settings.KAFKA_CONTROLLER_PORT, setting: 'KAFKA_CONTROLLER_PORT' },
  ],
};
