import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@inventory/core';
import {
  createWorld,
  type RunningAggregator,
  startAggregator,
  type World,
} from '@inventory/inventory-aggregator-test';
import { buildTestQueryApi, type TestQueryApi } from '@inventory/inventory-query-api-test';
import { connectorConfig, registerConnector } from '@inventory/sap-tools/connector';
import { postGoodsMovement, setupSchema, withSap } from '@inventory/sap-tools/sap';
import {
  type AppProcess,
  createTestTopic,
  processAlive,
  stackEndpoints,
  stackKafkaEnv,
  stackPartPid,
  stackUp,
  startAppProcess,
  uniqueName,
} from '@inventory/testkit';

const appDir = fileURLToPath(new URL('..', import.meta.url));
export const plants = { a: { werks: '7101', lgort: '0001' }, b: { werks: '7102', lgort: '0002' } };

export interface SapWorld {
  world: World;
  raw: string;
  dlq: string;
  /** The connector's name. */
  name: string;
  /** A client (MANDT) of this run only: rows of other runs are neither snapshotted nor mapped. */
  client: string;
  aggregator: RunningAggregator;
  normalizer: AppProcess;
  /** Another normalizer process of this run (same group, same settings). */
  startNormalizer(): AppProcess;
  api: TestQueryApi;
  connectUrl: string;
  post(matnr: string, plant: { werks: string; lgort: string }, quantity: number): Promise<string>;
  /** MARD's LABST of this run's client by `${matnr}|${locationId}`. */
  labst(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/**
 * The SAP path of one run on the real parts: the SAP tables, a Debezium connector with its own
 * slot and raw topic, the normalizer and aggregator processes, and the query API.
 */
export async function createSapWorld(): Promise<SapWorld> {
  const endpoints = stackEndpoints();
  const connectUrl = endpoints.CONNECT_URL ?? 'http://127.0.0.1:19083';
  const client = uniqueName('c').slice(-3);
  const slot = uniqueName('slot').replaceAll('-', '_').toLowerCase();
  const name = uniqueName('sap-test');
  await setupSchema(endpoints.POSTGRES_SAP_URL);
  const world = await createWorld(6);
  const raw = await createTestTopic('sap-raw', 6);
  const dlq = await createTestTopic('sap-dlq', 1);
  const plantsFile = join(mkdtempSync(join(tmpdir(), 'sap-plants-')), 'plants.json');
  writeFileSync(
    plantsFile,
    JSON.stringify({
      client,
      storageLocations: [
        { ...plants.a, locationId: 'W-1' },
        { ...plants.b, locationId: 'S-1' },
      ],
    }),
  );
  const prefix = `inventory.raw.${name.replaceAll('-', '')}`;
  await registerConnector(
    connectUrl,
    connectorConfig(endpoints.POSTGRES_SAP_URL, {
      name,
      'slot.name': slot,
      'topic.prefix': prefix,
      'transforms.route.regex': `${prefix.replaceAll('.', '\\.')}\\.sapsr3\\.mard`,
      'transforms.route.replacement': raw,
      'snapshot.select.statement.overrides': 'sapsr3.mard',
      'snapshot.select.statement.overrides.sapsr3.mard': `SELECT * FROM sapsr3.mard WHERE mandt = '${client}'`,
    }),
  );
  const aggregator = startAggregator(world);
  const startNormalizer = () =>
    startAppProcess(
      appDir,
      {
        PATH: process.env.PATH,
        ...stackKafkaEnv('SAP'),
        SAP_RAW_TOPIC: raw,
        SAP_EVENTS_TOPIC: world.input,
        SAP_DLQ_TOPIC: dlq,
        SAP_GROUP_ID: uniqueName('sap-group'),
        SAP_PLANTS_FILE: plantsFile,
        SAP_LOG_LEVEL: 'warn',
        SAP_SHUTDOWN_TIMEOUT_MS: '15000',
      },
      'SAP_HTTP_PORT',
    );
  const normalizer = startNormalizer();
  const api = await buildTestQueryApi(world);
  const sapWorld: SapWorld = {
    world,
    raw,
    dlq,
    name,
    client,
    aggregator,
    normalizer,
    startNormalizer,
    api,
    connectUrl,
    post: (matnr, plant, quantity) =>
      withSap(endpoints.POSTGRES_SAP_URL, (c) =>
        postGoodsMovement(c, client, [{ matnr, ...plant, quantity }]),
      ),
    labst: () =>
      withSap(endpoints.POSTGRES_SAP_URL, async (c) => {
        const { rows } = await c.query<{ matnr: string; werks: string; labst: string }>(
          'SELECT matnr, werks, labst::text FROM sapsr3.mard WHERE mandt = $1',
          [client],
        );
        const location = (werks: string) => (werks === plants.a.werks ? 'W-1' : 'S-1');
        return new Map(rows.map((r) => [`${r.matnr}|${location(r.werks)}`, Number(r.labst)]));
      }),
    close: async () => {
      await api.close();
      sapWorld.normalizer.child.kill('SIGTERM');
      aggregator.child.kill('SIGTERM');
      if (!processAlive(stackPartPid('connect'))) stackUp();
      await fetch(`${connectUrl}/connectors/${name}`, { method: 'DELETE' }).catch(() => {});
      // A slot left behind would hold WAL back for ever.
      await waitFor(
        async () =>
          withSap(endpoints.POSTGRES_SAP_URL, async (c) => {
            const { rows } = await c.query<{ active: boolean }>(
              'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
              [slot],
            );
            if (rows.length === 0) return true;
            if (rows[0]?.active) return false;
            await c.query('SELECT pg_drop_replication_slot($1)', [slot]);
            return true;
          }),
        { description: `replication slot ${slot} to be dropped`, timeoutMs: 60_000 },
      );
    },
  };
  return sapWorld;
}
