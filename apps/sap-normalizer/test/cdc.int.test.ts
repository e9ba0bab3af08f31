import { createHash } from 'node:crypto';
import { waitFor } from '@inventory/core';
import { readModel } from '@inventory/inventory-aggregator-test';
import { createProducer, readToEnd } from '@inventory/kafka';
import { connectorConfig, registerConnector, rerunSnapshot } from '@inventory/sap-tools/connector';
import { withSap } from '@inventory/sap-tools/sap';
import {
  expectOrderlyStop,
  readTopicRecords,
  stackEndpoints,
  stackPartPid,
  stackUp,
  testKafka,
  testRedis,
  uniqueName,
  valueNearRecordLimit,
} from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSapWorld, plants, type SapWorld } from './support.ts';

const endpoints = stackEndpoints();

/**
 * The SAP path on the real parts: goods movements written to the "SAP" tables in
 * PostgreSQL, captured by Debezium on Kafka Connect, normalised by the real process, folded
 * by the real aggregator and answered by the query API.
 */
describe('SAP stock through Debezium', () => {
  const redis = testRedis();
  let sap: SapWorld;
  const post: SapWorld['post'] = (matnr, plant, quantity) => sap.post(matnr, plant, quantity);
  beforeAll(async () => {
    sap = await createSapWorld();
  });
  afterAll(async () => {
    await sap?.close();
    await redis.quit();
  });

  const figure = async (sku: string, locationId: string) =>
    (await sap.api.call('GET', `/v1/locations/${locationId}/availability/${sku}`)).json().onHand as
      | number
      | undefined;

  it('a goods movement in the SAP tables shows up in the query API with the exact figure', async () => {
    await post('MAT-1', plants.a, 40);
    await post('MAT-1', plants.a, -15);
    await post('MAT-1', plants.b, 7);
    let now: (number | undefined)[] = [];
    await waitFor(
      async () => {
        now = [await figure('MAT-1', 'W-1'), await figure('MAT-1', 'S-1')];
        return now[0] === 25 && now[1] === 7;
      },
      {
        description: () => `MAT-1 at 25 in W-1 and 7 in S-1 (now ${now.join(', ')})`,
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );
    const answer = (await sap.api.call('GET', '/v1/availability/MAT-1')).json();
    expect(answer).toMatchObject({ sku: 'MAT-1', onHand: 32, available: 32 });
  });

  it('Kafka Connect killed and restarted mid-stream, then the snapshot re-run: the figures equal the tables, none counted twice', async () => {
    const skus = ['MAT-2', 'MAT-3', 'MAT-4'];
    const posting = (async () => {
      for (let i = 0; i < 150; i++) {
        await post(skus[i % 3] as string, i % 2 === 0 ? plants.a : plants.b, i % 4 === 3 ? -2 : 5);
      }
    })();
    // Mid-stream: once some of the changes have been captured.
    await waitFor(async () => (await readTopicRecords(sap.raw)) > 30, {
      description: 'changes being captured',
      timeoutMs: 60_000,
    });
    const connectPid = stackPartPid('connect');
    process.kill(connectPid, 'SIGKILL');
    await posting;
    const restarted = stackUp();
    expect(restarted.status, restarted.stderr).toBe(0);
    const expected = await sap.labst();
    const matches = async () => {
      const { onHand } = await readModel(redis, sap.world);
      return [...expected].every(([key, value]) => onHand.get(key) === value);
    };
    await waitFor(matches, {
      description: 'the figures after the restart to equal MARD',
      timeoutMs: 180_000,
      intervalMs: 500,
    });

    const before = await readTopicRecords(sap.raw);
    await rerunSnapshot(sap.connectUrl, sap.name);
    await waitFor(async () => (await readTopicRecords(sap.raw)) >= before + expected.size, {
      description: 'the snapshot to be captured again',
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    await waitFor(matches, {
      description: 'the figures after the snapshot to equal MARD',
      timeoutMs: 60_000,
    });
    const { onHand } = await readModel(redis, sap.world);
    for (const [key, value] of expected) expect(onHand.get(key), key).toBe(value);
  });

  it('SIGTERM to the normalizer while changes flow: exit 0 within the deadline, no client warnings; its successor carries on exact', async () => {
    const skus = ['MAT-15', 'MAT-16'];
    const posting = (async () => {
      for (let i = 0; i < 120; i++) await post(skus[i % 2] as string, i % 2 === 0 ? plants.a : plants.b, 3);
    })();
    const before = await readTopicRecords(sap.raw);
    await waitFor(async () => (await readTopicRecords(sap.raw)) > before + 30, {
      description: 'changes being captured',
      timeoutMs: 60_000,
    });
    const stopping = sap.normalizer;
    await expectOrderlyStop(stopping, 15_000);
    sap.normalizer = sap.startNormalizer();
    await posting;
    const expected = await sap.labst();
    await waitFor(
      async () => {
        const { onHand } = await readModel(redis, sap.world);
        return [...expected].every(([key, value]) => onHand.get(key) === value);
      },
      { description: 'the figures after the stop to equal MARD', timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(expected.get('MAT-15|W-1')).toBe(180);
    expect(expected.get('MAT-16|S-1')).toBe(180);
  });

  it('a change that cannot be mapped is dead-lettered with its reason and the stream goes on', async () => {
    await post('MAT-5', { werks: '7999', lgort: '0001' }, 3);
    await withSap(endpoints.POSTGRES_SAP_URL, (c) =>
      c.query(
        "INSERT INTO sapsr3.mard (mandt, matnr, werks, lgort, labst) VALUES ($1, 'MAT-6', $2, $3, 2.5)",
        [sap.client, plants.a.werks, plants.a.lgort],
      ),
    );
    // A change near the raw topic's limit (not JSON): its dead letter, with the headers added,
    // would be over it.
    const near = valueNearRecordLimit();
    const producer = createProducer(testKafka());
    await producer.connect();
    await producer.send({ topic: sap.raw, messages: [{ key: 'near-limit', value: near }] });
    await producer.disconnect();
    await post('MAT-7', plants.a, 9);
    await waitFor(async () => (await figure('MAT-7', 'W-1')) === 9, {
      description: 'the change after the bad ones',
      timeoutMs: 60_000,
    });
    await waitFor(async () => (await sap.normalizer.metric('sap_dead_letters_total')) >= 3, {
      description: 'three dead letters',
      timeoutMs: 30_000,
    });
    // The change near the limit by its size and SHA-256; the others whole.
    const letters: { reason: string; key?: string; value: string }[] = [];
    await readToEnd(
      testKafka(),
      sap.dlq,
      (m) =>
        void letters.push({
          reason: String(m.headers?.['dlq-reason']),
          ...(m.value === null
            ? {
                key: m.key?.toString(),
                value: `${m.headers?.['dlq-value-bytes']} bytes ${m.headers?.['dlq-value-sha256']}`,
              }
            : { value: 'whole' }),
        }),
      { groupPrefix: uniqueName('dlq') },
    );
    expect(letters.sort((a, b) => a.reason.localeCompare(b.reason))).toEqual([
      { reason: 'BAD_QUANTITY', value: 'whole' },
      {
        reason: 'MALFORMED_JSON',
        key: 'near-limit',
        value: `1048480 bytes ${createHash('sha256').update(near).digest('hex')}`,
      },
      { reason: 'UNKNOWN_PLANT', value: 'whole' },
    ]);
    expect(await figure('MAT-6', 'W-1')).toBeUndefined();
  });

  it('registration is idempotent, and a connector that cannot run is reported with its reason', async () => {
    const again = await fetch(`${sap.connectUrl}/connectors/${sap.name}/config`);
    const current = (await again.json()) as Record<string, string>;
    await registerConnector(sap.connectUrl, { name: sap.name, config: current });
    expect((await fetch(`${sap.connectUrl}/connectors/${sap.name}/status`)).ok).toBe(true);

    const wrong = new URL(endpoints.POSTGRES_SAP_URL);
    wrong.password = 'not-the-password';
    const name = uniqueName('sap-broken');
    await expect(
      registerConnector(
        sap.connectUrl,
        connectorConfig(wrong.toString(), { name, 'slot.name': name.replaceAll('-', '_') }),
        60_000,
      ),
    ).rejects.toThrow(/password authentication failed/);
    await fetch(`${sap.connectUrl}/connectors/${name}`, { method: 'DELETE' });
  });
});
