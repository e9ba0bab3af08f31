import { readFileSync } from 'node:fs';
import { stackEndpoints, stackKafkaOptions, uniqueName, withAdmin } from '@inventory/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { appAccess, developmentAccess } from './access.ts';
import { provisionAcls } from './acl.ts';
import { topicNames } from './catalog.ts';
import { createKafka } from './client.ts';

/**
 * The local broker as every app meets it: SASL_SSL with SCRAM-SHA-512, the StandardAuthorizer,
 * and the ACLs of the access table. Refusals are the broker's own, asserted by the error it
 * answers; nothing here writes to the catalog's topics.
 */
const secured = stackEndpoints().KAFKA_TLS === 'true';

interface Refusal {
  name: string;
  /** The error under kafkajs' wrapper (a closed connection under "retries exceeded"). */
  cause?: string;
  /** The broker's error code by name, when it answered one. */
  type?: string;
}

/** What a kafkajs call failed with. */
async function refusal(attempt: () => Promise<unknown>): Promise<Refusal> {
  try {
    await attempt();
  } catch (error) {
    const e = error as {
      name: string;
      type?: string;
      cause?: { name?: string; type?: string };
      errors?: { type?: string }[];
    };
    const type = e.type ?? e.cause?.type ?? e.errors?.[0]?.type;
    return { name: e.name, ...(e.cause?.name ? { cause: e.cause.name } : {}), ...(type ? { type } : {}) };
  }
  throw new Error('the broker allowed it');
}

/**
 * A client as `principal` that notes every error code the broker answered it. kafkajs turns a
 * refused FindCoordinator into "coordinator not found" and keeps the broker's code only in its
 * debug log, which is read here.
 */
function answeredClient(principal: string): { kafka: Kafka; answered: Set<string> } {
  const answered = new Set<string>();
  const kafka = new Kafka({
    clientId: uniqueName(`acl-${principal}`),
    ...stackKafkaOptions(principal),
    logLevel: logLevel.DEBUG,
    logCreator:
      () =>
      ({ log }) => {
        const type = (log as { error?: { type?: string } }).error?.type;
        if (type) answered.add(type);
      },
  });
  return { kafka, answered };
}

/** A client as `principal` (its password from the stack's password folder), without retries. */
const as = (principal: string) =>
  createKafka({
    clientId: uniqueName(`acl-${principal}`),
    ...stackKafkaOptions(principal),
    requestTimeoutMs: 10_000,
  });

describe.runIf(secured)('the broker refuses what the access table does not grant', () => {
  const brokers = stackEndpoints().KAFKA_BROKERS.split(',');
  const ca = [readFileSync(stackEndpoints().KAFKA_CA_FILE as string, 'utf8')];

  it('a client without TLS and a client with TLS but no SASL are disconnected before any request', async () => {
    const plaintext = createKafka({ clientId: 'acl-plain', brokers, connectionTimeoutMs: 2_000 }).admin({
      retry: { retries: 0 },
    });
    expect(await refusal(() => plaintext.connect())).toMatchObject({ cause: 'KafkaJSConnectionClosedError' });
    const anonymous = createKafka({ clientId: 'acl-anonymous', brokers, ssl: { ca } }).admin({
      retry: { retries: 0 },
    });
    // TLS is made and API versions are told; the first request that needs a principal closes it.
    expect(
      await refusal(async () => {
        await anonymous.connect();
        await anonymous.listTopics();
      }),
    ).toMatchObject({ name: 'KafkaJSConnectionClosedError' });
    await anonymous.disconnect();
  });

  it('a wrong password is refused by SCRAM', async () => {
    const impostor = createKafka({
      clientId: 'acl-impostor',
      brokers,
      ssl: { ca },
      sasl: { mechanism: 'scram-sha-512', username: 'store-ingest', password: 'not-the-password-of-it' },
    }).admin({ retry: { retries: 0 } });
    expect(await refusal(() => impostor.connect())).toEqual({ name: 'KafkaJSSASLAuthenticationError' });
  });

  it("the ingest's credentials cannot write reservation commands, create or delete topics", async () => {
    const producer = as('store-ingest').producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      expect(
        await refusal(() =>
          producer.send({ topic: topicNames.reservationCommands, messages: [{ key: 'SKU-1', value: 'x' }] }),
        ),
      ).toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
    } finally {
      await producer.disconnect();
    }
    const admin = as('store-ingest').admin({ retry: { retries: 0 } });
    await admin.connect();
    try {
      expect(
        await refusal(() => admin.createTopics({ topics: [{ topic: `inventory.${uniqueName('acl')}.v1` }] })),
      ).toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
      expect(await refusal(() => admin.deleteTopics({ topics: [topicNames.events] }))).toMatchObject({
        type: 'TOPIC_AUTHORIZATION_FAILED',
      });
    } finally {
      await admin.disconnect();
    }
  });

  it("the query API's credentials cannot join the aggregator's group nor take its transactional ids", async () => {
    const group = answeredClient('inventory-query-api');
    const admin = group.kafka.admin({ retry: { retries: 0 } });
    await admin.connect();
    try {
      expect(await refusal(() => admin.describeGroups(['inventory-aggregator']))).toMatchObject({
        name: 'KafkaJSGroupCoordinatorNotFound',
      });
      expect([...group.answered]).toContain('GROUP_AUTHORIZATION_FAILED');
      // Its own group it may describe.
      expect((await admin.describeGroups(['inventory-query-api'])).groups).toHaveLength(1);
    } finally {
      await admin.disconnect();
    }
    const transactions = answeredClient('inventory-query-api');
    const producer = transactions.kafka.producer({
      transactionalId: `inventory-aggregator-${topicNames.events}-p0`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      expect(await refusal(() => producer.transaction())).toMatchObject({
        name: 'KafkaJSGroupCoordinatorNotFound',
      });
      expect([...transactions.answered]).toContain('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
    } finally {
      await producer.disconnect();
    }
  });

  it("the lake's credentials cannot read reservation outcomes", async () => {
    const admin = as('lake-sink').admin({ retry: { retries: 0 } });
    await admin.connect();
    try {
      expect(await refusal(() => admin.fetchTopicOffsets(topicNames.reservationOutcomes))).toMatchObject({
        type: 'TOPIC_AUTHORIZATION_FAILED',
      });
      // Its own input it may describe.
      expect((await admin.fetchTopicOffsets(topicNames.events)).length).toBeGreaterThan(0);
    } finally {
      await admin.disconnect();
    }
  });

  it("another data centre's query API may send reservation commands here, and nothing of the platform's events", async () => {
    const producer = as('inventory-query-api-dc2').producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      expect(
        await refusal(() =>
          producer.send({ topic: topicNames.events, messages: [{ key: 'SKU-1', value: 'x' }] }),
        ),
      ).toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
    } finally {
      await producer.disconnect();
    }
    const admin = as('inventory-query-api-dc2').admin({ retry: { retries: 0 } });
    await admin.connect();
    try {
      expect(await refusal(() => admin.fetchTopicOffsets(topicNames.stock))).toMatchObject({
        type: 'TOPIC_AUTHORIZATION_FAILED',
      });
      // Its outcomes it may read.
      expect((await admin.fetchTopicOffsets(topicNames.reservationOutcomes)).length).toBeGreaterThan(0);
    } finally {
      await admin.disconnect();
    }
  });

  it('the broker holds exactly the access table: provisioning again changes nothing', async () => {
    expect(appAccess['store-ingest'].writes).toEqual([topicNames.events]);
    expect(await withAdmin((admin) => provisionAcls(admin, developmentAccess()))).toEqual({
      created: 0,
      deleted: 0,
    });
  });

  it('the administrator may do what the stack and the tests need', async () => {
    expect(await withAdmin((admin) => admin.listTopics())).toContain(topicNames.events);
  });
});
