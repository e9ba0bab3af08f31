import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aclBindings, createKafka, developmentAccess, kafkaClientOptionsFor } from '@inventory/kafka';
import { stackHome } from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { readEndpoints } from './endpoints.ts';
import { runStackCli } from './run-cli.ts';

/**
 * A broker of its own (own home, own ports, nothing else of the stack) driven through the CLI:
 * how a secured broker's users come to be, a password changed, and the plaintext option.
 */
/** Each test's broker on ports of its own (the first may still be stopping when the second starts). */
const portsOf = (offset: number) => ({
  INVENTORY_STACK_KAFKA_PORT: String(19092 + offset),
  INVENTORY_STACK_KAFKA_CONTROLLER_PORT: String(19093 + offset),
});
const homes = new Map<string, Record<string, string>>();

const stack = (home: string, command: string, extra: Record<string, string> = {}) =>
  runStackCli(
    [command],
    {
      ...process.env,
      INVENTORY_STACK_HOME: home,
      // Jars are shared with the main stack.
      INVENTORY_STACK_LIB: join(stackHome(), 'lib'),
      INVENTORY_STACK_SKIP: 'redis,postgres,rabbitmq,s3,registry,connect,prometheus',
      INVENTORY_STACK_REDIS_CLUSTER: 'false',
      // One data centre, whatever the calling environment asks of the main stack.
      INVENTORY_STACK_DCS: '1',
      ...homes.get(home),
      ...extra,
    },
    240_000,
  );

async function topicsAs(home: string, principal?: string): Promise<string[]> {
  const admin = createKafka({
    clientId: 'kafka-security-test',
    ...kafkaClientOptionsFor(readEndpoints(home) as Parameters<typeof kafkaClientOptionsFor>[0], principal),
    connectionTimeoutMs: 2_000,
  }).admin({ retry: { retries: 0 } });
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

describe('a secured broker of the local stack, driven through the CLI', () => {
  const newHome = (offset: number) => {
    const home = mkdtempSync(join(tmpdir(), 'inventory-kafka-security-'));
    homes.set(home, portsOf(offset));
    return home;
  };
  afterAll(() => {
    for (const home of homes.keys()) stack(home, 'down');
  });

  it('starts secured by default, with every user from its first start; a changed password is taken on the next up', async () => {
    const home = newHome(700);
    const up = stack(home, 'up');
    expect(up.code, up.out).toBe(0);
    const bindings = developmentAccess().reduce((n, access) => n + aclBindings(access).length, 0);
    expect(developmentAccess()).toHaveLength(14);
    expect(up.out).toContain(`kafka: ACLs of 14 principals: ${bindings} created, 0 removed`);
    const endpoints = readEndpoints(home);
    expect(endpoints).toMatchObject({ KAFKA_TLS: 'true', KAFKA_SASL_USERNAME: 'admin' });
    // The keys, the passwords and the broker's configuration are the owner's alone.
    for (const file of ['tls/ca.key', 'tls/broker.pem', 'kafka-users/store-ingest', 'conf/kafka.properties'])
      expect((statSync(join(home, file)).mode & 0o777).toString(8), file).toBe('600');
    expect(await topicsAs(home, 'lake-sink')).toContain('inventory.events.v1');

    // A rotation: a new password in the stack's secrets, taken by the broker on the next `up`.
    const secretsFile = join(home, 'secrets.json');
    const secrets = JSON.parse(readFileSync(secretsFile, 'utf8'));
    const old = secrets.kafkaPasswords['lake-sink'];
    secrets.kafkaPasswords['lake-sink'] = `${old}-rotated`;
    writeFileSync(secretsFile, JSON.stringify(secrets));
    const again = stack(home, 'up');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('kafka: SCRAM users added or changed: lake-sink');
    expect(readFileSync(join(home, 'kafka-users', 'lake-sink'), 'utf8').trim()).toBe(`${old}-rotated`);
    expect(await topicsAs(home, 'lake-sink')).toContain('inventory.events.v1');
    const third = stack(home, 'up');
    expect(third.out).not.toContain('SCRAM users added');
  });

  it('plaintext only when asked for; its data cannot be started secured', async () => {
    const home = newHome(800);
    const plain = { INVENTORY_STACK_KAFKA_SECURITY: 'plaintext' };
    const up = stack(home, 'up', plain);
    expect(up.code, up.out).toBe(0);
    expect(up.out).not.toContain('ACLs');
    expect(readEndpoints(home).KAFKA_TLS).toBeUndefined();
    expect(await topicsAs(home)).toContain('inventory.events.v1');
    expect(stack(home, 'down', plain).code).toBe(0);
    const secured = stack(home, 'up');
    expect(secured.code).not.toBe(0);
    expect(secured.out).toContain('was formatted without SCRAM users (a plaintext stack)');
  });
});
