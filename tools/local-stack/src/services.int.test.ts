import { createConnection } from 'node:net';
import { Bucket, bucketNames, buckets, createS3Client, endpointSettings } from '@inventory/object-store';
import { aclRules, defaultRedisPrefix, KeyLayout, redisAclUsers } from '@inventory/read-model';
import { stackEndpoints, testS3, uniqueName } from '@inventory/testkit';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

/** Each part of the stack answers on its project port, with the credentials `up` generated. */
describe('local stack services', () => {
  const endpoints = stackEndpoints();

  it('Redis: round trip and an atomic MULTI, on a project port, password required', async () => {
    const redis = new Redis(endpoints.REDIS_URL, { maxRetriesPerRequest: 1 });
    const key = uniqueName('stack-test');
    try {
      await redis.set(key, '42');
      expect(await redis.get(key)).toBe('42');
      const results = await redis.multi().incrby(key, 8).hset(`${key}:h`, 'onHand', '50').exec();
      expect(results?.map(([error, value]) => [error, value])).toEqual([
        [null, 50],
        [null, 1],
      ]);
      expect(Number(new URL(endpoints.REDIS_URL).port)).not.toBe(6379);
      await redis.del(key, `${key}:h`);
    } finally {
      await redis.quit();
    }
    // Without the password the server refuses commands (raw RESP, so no client retries interfere).
    const url = new URL(endpoints.REDIS_URL);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: url.hostname, port: Number(url.port) }, () =>
        socket.write('GET x\r\n'),
      );
      socket.once('data', (data) => {
        resolve(data.toString());
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(reply).toMatch(/^-NOAUTH/);
  });

  it("Redis: each app connects as its own user, provisioned on up from the read model's table", async () => {
    const keys = new KeyLayout(defaultRedisPrefix, 12);
    const id = uniqueName('acl');
    const outcome = (command: Promise<unknown>) =>
      command.then(
        (value) => ['ok', value],
        (error: Error) => ['refused', error.message.split(' ')[0]],
      );
    const admin = new Redis(endpoints.REDIS_URL, { maxRetriesPerRequest: 1 });
    const as = (url: string) => new Redis(url, { maxRetriesPerRequest: 1 });
    const [aggregator, query, reconciliation] = [
      as(endpoints.REDIS_AGGREGATOR_URL),
      as(endpoints.REDIS_QUERY_API_URL),
      as(endpoints.REDIS_RECONCILIATION_URL),
    ];
    try {
      expect(new URL(endpoints.REDIS_AGGREGATOR_URL).username).toBe('inventory-aggregator');
      expect(await outcome(query.get(keys.reservationSku(id)))).toEqual(['ok', null]);
      expect(await outcome(query.set(keys.offset(0), '0'))).toEqual(['refused', 'NOPERM']);
      expect(await outcome(reconciliation.hget(keys.discontinued(), id))).toEqual(['ok', null]);
      expect(await outcome(reconciliation.set(keys.reservationSku(id), 'x'))).toEqual(['refused', 'NOPERM']);
      expect((await outcome(aggregator.get(keys.offset(0))))[0]).toBe('ok');
      expect(await outcome(aggregator.hget(keys.discontinued(), id))).toEqual(['refused', 'NOPERM']);
      // What each server holds is the table's rendering, on the single Redis and on every node
      // of the cluster (replicas too).
      const nodes = [admin];
      if (endpoints.REDIS_CLUSTER_URL) {
        const { password } = new URL(endpoints.REDIS_URL);
        const first = new URL(
          endpoints.REDIS_CLUSTER_URL.replace(/,.*$/, '').replace('redis-cluster:', 'redis:'),
        );
        for (let i = 0; i < 6; i++)
          nodes.push(
            new Redis({
              host: first.hostname,
              port: Number(first.port) + i,
              password,
              maxRetriesPerRequest: 1,
            }),
          );
      }
      for (const node of nodes)
        for (const user of redisAclUsers(defaultRedisPrefix)) {
          const held = (await node.call('ACL', 'GETUSER', user.user)) as unknown[];
          const field = (name: string) => String(held[held.indexOf(name) + 1]);
          const rules = aclRules(user, { sha256: '' });
          // Redis keeps the key patterns in order, the commands as a set.
          expect({
            user: user.user,
            keys: field('keys'),
            commands: field('commands').split(' ').sort(),
          }).toEqual({
            user: user.user,
            keys: rules.filter((r) => r.includes('~')).join(' '),
            commands: rules.filter((r) => /^[-+]/.test(r)).sort(),
          });
        }
      for (const node of nodes.slice(1)) node.disconnect();
    } finally {
      for (const client of [admin, aggregator, query, reconciliation]) await client.quit();
    }
  });

  it('PostgreSQL: its own cluster with wal_level=logical and the sap and inventory databases', async () => {
    const client = new pg.Client({ connectionString: endpoints.POSTGRES_SAP_URL });
    await client.connect();
    try {
      expect((await client.query('show wal_level')).rows[0].wal_level).toBe('logical');
      expect(Number((await client.query('show port')).rows[0].port)).toBe(
        Number(new URL(endpoints.POSTGRES_SAP_URL).port),
      );
      expect(Number((await client.query('show port')).rows[0].port)).not.toBe(5432);
      const dbs = await client.query(
        "select datname from pg_database where datname in ('sap', 'inventory') order by 1",
      );
      expect(dbs.rows.map((r) => r.datname)).toEqual(['inventory', 'sap']);
      expect(
        Number((await client.query('show max_replication_slots')).rows[0].max_replication_slots),
      ).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  it('RabbitMQ: a persistent message published to a durable queue is consumed and acknowledged', async () => {
    const connection = await amqp.connect(endpoints.AMQP_URL);
    const queue = uniqueName('stack-test');
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue(queue, { durable: true });
      channel.sendToQueue(queue, Buffer.from('WH01 SKU-1 +000012'), { persistent: true });
      await channel.waitForConfirms();
      const received = await new Promise<string>((resolve) => {
        void channel.consume(queue, (message) => {
          if (!message) return;
          channel.ack(message);
          resolve(message.content.toString());
        });
      });
      expect(received).toBe('WH01 SKU-1 +000012');
      await channel.deleteQueue(queue);
      await channel.close();
    } finally {
      await connection.close();
    }
  });

  it('Kafka Connect: the REST API lists the Debezium PostgreSQL connector plugin', async () => {
    const response = await fetch(`${endpoints.CONNECT_URL}/connector-plugins`);
    expect(response.status).toBe(200);
    const plugins = (await response.json()) as { class: string; type: string; version: string }[];
    expect(plugins).toContainEqual(
      expect.objectContaining({
        class: 'io.debezium.connector.postgresql.PostgresConnector',
        type: 'source',
      }),
    );
  });

  it('S3 (S3Proxy): the buckets exist, a verified object round-trips; a wrong key pair is refused', async () => {
    expect(Number(new URL(endpoints.S3_ENDPOINT).port)).not.toBe(9000);
    const client = testS3();
    expect(await bucketNames(client)).toEqual(expect.arrayContaining(Object.values(buckets)));
    const bucket = new Bucket(client, buckets.lake);
    const key = `stack-test/${uniqueName('object')}.txt`;
    await bucket.putVerified(key, Buffer.from('WH01 SKU-1 +000012'));
    expect((await bucket.get(key)).toString()).toBe('WH01 SKU-1 +000012');
    await bucket.remove([key]);
    const stranger = createS3Client(
      endpointSettings(
        endpoints.S3_ENDPOINT,
        { accessKeyId: 'INVNOTTHEKEY00000000', secretAccessKey: 'wrong' },
        1,
      ),
    );
    await expect(bucketNames(stranger)).rejects.toMatchObject({ code: 'OBJECT_STORE_REFUSED' });
  });
});
