import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@inventory/core';
import { stackHome } from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './config.ts';
import { processesMentioning } from './proc.ts';

/**
 * A second, complete stack in its own home folder and on its own ports, driven through the
 * CLI exactly as a user would: `up` twice, `status`, `down`, then `ps` must show nothing left.
 */
const newHome = () => mkdtempSync(join(tmpdir(), 'inventory-stack-lifecycle-'));
const offset = 300;
const ports = {
  INVENTORY_STACK_KAFKA_PORT: 19092 + offset,
  INVENTORY_STACK_KAFKA_CONTROLLER_PORT: 19093 + offset,
  INVENTORY_STACK_CONNECT_PORT: 19083 + offset,
  INVENTORY_STACK_REGISTRY_PORT: 19081 + offset,
  INVENTORY_STACK_REDIS_PORT: 19379 + offset,
  INVENTORY_STACK_POSTGRES_PORT: 19432 + offset,
  INVENTORY_STACK_RABBITMQ_PORT: 19672 + offset,
  INVENTORY_STACK_RABBITMQ_DIST_PORT: 19673 + offset,
  INVENTORY_STACK_EPMD_PORT: 19369 + offset,
  INVENTORY_STACK_S3_PORT: 19900 + offset,
  INVENTORY_STACK_PROMETHEUS_PORT: 19990 + offset,
  INVENTORY_STACK_REDIS_CLUSTER_PORT: 19401 + offset,
};

function stack(home: string, command: string, extraEnv: Record<string, string | number> = {}) {
  // The eight default parts of one data centre, whatever the calling environment asks of the main stack.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INVENTORY_STACK_HOME: home,
    INVENTORY_STACK_REDIS_CLUSTER: 'false',
    INVENTORY_STACK_DCS: '1',
  };
  // Jars are shared with the main stack: this test is about processes, not downloads.
  env.INVENTORY_STACK_LIB = join(stackHome(), 'lib');
  for (const [k, v] of Object.entries({ ...ports, ...extraEnv })) env[k] = String(v);
  const result = spawnSync(
    join(repoRoot, 'node_modules/.bin/tsx'),
    [join(repoRoot, 'tools/local-stack/src/cli.ts'), command],
    {
      env,
      encoding: 'utf8',
      timeout: 280_000,
    },
  );
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('stack lifecycle through the CLI', () => {
  const homes: string[] = [];
  const home = () => {
    const created = newHome();
    homes.push(created);
    return created;
  };
  afterAll(() => {
    for (const h of homes) stack(h, 'down');
  });

  it('up starts every part healthy, a second up changes nothing, down leaves no process and no port', async () => {
    const dir = home();
    const first = stack(dir, 'up');
    expect(first.code, first.out).toBe(0);
    for (const part of [
      'redis',
      'postgres',
      'rabbitmq',
      's3',
      'kafka',
      'registry',
      'connect',
      'prometheus',
    ]) {
      expect(first.out).toMatch(new RegExp(`${part}: up at`));
    }
    const pids = readdirSync(join(dir, 'run'))
      .filter((f) => f.endsWith('.pid'))
      .map((f) => readFileSync(join(dir, 'run', f), 'utf8').trim())
      .sort();

    const second = stack(dir, 'up');
    expect(second.code, second.out).toBe(0);
    expect(second.out.match(/already up/g)).toHaveLength(8);
    const pidsAfter = readdirSync(join(dir, 'run'))
      .filter((f) => f.endsWith('.pid'))
      .map((f) => readFileSync(join(dir, 'run', f), 'utf8').trim())
      .sort();
    expect(pidsAfter).toEqual(pids);

    const status = stack(dir, 'status');
    expect(status.code, status.out).toBe(0);
    expect(status.out.match(/ up /g)).toHaveLength(8);
    expect(processesMentioning(dir).length).toBeGreaterThan(0);

    // One part stopped from outside (as tests do with RabbitMQ) and started again by `up`:
    // its helper (epmd) must stay known, so that `down` still stops it.
    const rabbitPid = Number(readFileSync(join(dir, 'run', 'rabbitmq.pid'), 'utf8').trim());
    process.kill(rabbitPid, 'SIGTERM');
    await waitFor(
      () => {
        try {
          process.kill(rabbitPid, 0);
          return false;
        } catch {
          return true;
        }
      },
      { description: 'rabbitmq to stop', timeoutMs: 60_000 },
    );
    const restarted = stack(dir, 'up');
    expect(restarted.code, restarted.out).toBe(0);
    expect(restarted.out).toMatch(/rabbitmq: up at/);

    const down = stack(dir, 'down');
    expect(down.code, down.out).toBe(0);
    expect(down.out).not.toMatch(/killed \d+ leftover/);
    expect(processesMentioning(dir)).toEqual([]);
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    expect(
      ps
        .split('\n')
        .filter((line) => line.includes(dir) || line.includes(`-port ${ports.INVENTORY_STACK_EPMD_PORT}`)),
    ).toEqual([]);
    for (const port of Object.values(ports))
      expect(await portOpen(port), `port ${port} still open`).toBe(false);
    expect(readdirSync(join(dir, 'run')).filter((f) => f.endsWith('.pid'))).toEqual([]);

    const after = stack(dir, 'status');
    expect(after.code).toBe(4);
    expect(after.out.match(/ down /g)).toHaveLength(8);
  });

  it('a part that cannot start fails `up` naming the part, its log and what the log says last', async () => {
    const dir = home();
    // Redis refuses to start on an append-only manifest it cannot read, and exits.
    const aof = join(dir, 'data', 'redis', 'appendonlydir');
    mkdirSync(aof, { recursive: true });
    writeFileSync(join(aof, 'appendonly.aof.manifest'), 'not a manifest\n');
    // Redis alone: a part started beside it would hold its port until this stack is down.
    const only = {
      INVENTORY_STACK_SKIP: 'postgres,rabbitmq,s3,kafka,registry,connect,prometheus',
      INVENTORY_STACK_START_TIMEOUT_MS: 60_000,
    };
    const result = stack(dir, 'up', only);
    expect(result.code).toBe(1);
    expect(result.out).toContain('STACK_START_FAILED: redis exited');
    expect(result.out).toContain(`its log is ${join(dir, 'logs', 'redis.log')}\nits last `);
    expect(result.out).toMatch(/\n {2}\| .*Invalid AOF manifest file format/);
    expect(stack(dir, 'down', only).code).toBe(0);
  });

  it('schema ids in the registry survive a restart of the stack, and `reset` deletes them', async () => {
    const dir = home();
    const only = { INVENTORY_STACK_SKIP: 'redis,postgres,rabbitmq,s3,kafka,connect,prometheus' };
    const url = `http://127.0.0.1:${ports.INVENTORY_STACK_REGISTRY_PORT}/apis/ccompat/v7/subjects/persist-value/versions`;
    expect(stack(dir, 'up', only).code).toBe(0);
    const registered = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({
        schema: '{"type":"record","name":"P","fields":[{"name":"sku","type":"string"}]}',
      }),
    });
    const { id } = (await registered.json()) as { id: number };
    expect(stack(dir, 'down', only).code).toBe(0);
    expect(stack(dir, 'up', only).code).toBe(0);
    const latest = (await (await fetch(`${url}/latest`)).json()) as { id: number };
    expect(latest.id).toBe(id);

    const refused = stack(dir, 'reset', only);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(
      `STACK_RUNNING: the stack in ${dir} still runs registry: take it down first (npm run stack -- down)`,
    );
    expect(existsSync(join(dir, 'data'))).toBe(true);
    expect(stack(dir, 'down', only).code).toBe(0);
    // A second data centre's home, as `up --dcs 3` leaves it: its data goes too, its secrets stay.
    const dc2 = join(dir, 'dc2');
    mkdirSync(join(dc2, 'data', 'kafka'), { recursive: true });
    writeFileSync(join(dc2, 'data', 'kafka', 'meta.properties'), 'cluster.id=old\n');
    writeFileSync(join(dc2, 'secrets.json'), '{}');
    const reset = stack(dir, 'reset', only);
    expect(reset.code, reset.out).toBe(0);
    expect(reset.out).toContain(`data of ${dir} deleted`);
    expect(reset.out).toContain(`data of ${dc2} deleted`);
    expect(existsSync(join(dir, 'data'))).toBe(false);
    expect(existsSync(join(dc2, 'data'))).toBe(false);
    expect(existsSync(join(dc2, 'secrets.json'))).toBe(true);

    expect(stack(dir, 'up', only).code).toBe(0);
    expect((await fetch(`${url}/latest`)).status).toBe(404);
    expect(stack(dir, 'down', only).code).toBe(0);
  });
});
