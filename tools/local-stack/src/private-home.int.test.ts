import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './config.ts';
import { readEndpoints } from './endpoints.ts';
import { isAlive } from './proc.ts';

/**
 * A stack whose home lies under a folder only its owner may enter (a clone in root's home,
 * or under `mktemp -d`). As root, PostgreSQL runs as `postgres`, which cannot walk that
 * path: the stack must still bring it up, answer, and take it down leaving nothing behind.
 * Its own ports (+500), so that `down` can only ever find this stack's processes.
 */
const port = 19432 + 500;
const parts = 'redis,rabbitmq,s3,kafka,registry,connect,prometheus';
const offsetPorts = {
  INVENTORY_STACK_KAFKA_PORT: 19092 + 500,
  INVENTORY_STACK_KAFKA_CONTROLLER_PORT: 19093 + 500,
  INVENTORY_STACK_CONNECT_PORT: 19083 + 500,
  INVENTORY_STACK_REGISTRY_PORT: 19081 + 500,
  INVENTORY_STACK_REDIS_PORT: 19379 + 500,
  INVENTORY_STACK_REDIS_CLUSTER_PORT: 19401 + 500,
  INVENTORY_STACK_POSTGRES_PORT: port,
  INVENTORY_STACK_RABBITMQ_PORT: 19672 + 500,
  INVENTORY_STACK_RABBITMQ_DIST_PORT: 19673 + 500,
  INVENTORY_STACK_EPMD_PORT: 19369 + 500,
  INVENTORY_STACK_S3_PORT: 19900 + 500,
  INVENTORY_STACK_PROMETHEUS_PORT: 19990 + 500,
};

const privateFolder = mkdtempSync(join(tmpdir(), 'inventory-private-'));
chmodSync(privateFolder, 0o700);
const home = join(privateFolder, 'clone', '.stack');

function stack(command: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INVENTORY_STACK_HOME: home,
    INVENTORY_STACK_SKIP: parts,
    INVENTORY_STACK_REDIS_CLUSTER: 'false',
    INVENTORY_STACK_DCS: '1',
  };
  for (const [k, v] of Object.entries(offsetPorts)) env[k] = String(v);
  const result = spawnSync(
    join(repoRoot, 'node_modules/.bin/tsx'),
    [join(repoRoot, 'tools/local-stack/src/cli.ts'), command],
    { env, encoding: 'utf8', timeout: 120_000 },
  );
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

const portOpen = (p: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: p }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('a stack home under a private folder', () => {
  afterAll(() => {
    stack('down');
    rmSync(privateFolder, { recursive: true, force: true });
  });

  it('brings PostgreSQL up, answers, and goes down leaving no process', async () => {
    expect(statSync(privateFolder).mode & 0o777).toBe(0o700);
    const up = stack('up');
    expect(up.code, up.out).toBe(0);
    expect(up.out).toMatch(new RegExp(`postgres: up at postgres://127.0.0.1:${port}/`));

    const pid = Number(readFileSync(join(home, 'run', 'postgres.pid'), 'utf8').trim());
    if (process.getuid?.() === 0) {
      // The premise: the server's user cannot reach its data directory by its path.
      const { uid, gid } = statSync(join(home, 'data', 'postgres'));
      expect(uid).not.toBe(0);
      const reach = spawnSync('test', ['-r', join(home, 'data', 'postgres', 'PG_VERSION')], { uid, gid });
      expect(reach.status).toBe(1);
      expect(statSync(`/proc/${pid}`).uid).toBe(uid);
    }

    const client = new pg.Client({ connectionString: readEndpoints(home).POSTGRES_SAP_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ database: string; answer: number }>(
        'select current_database() as database, 6 * 7 as answer',
      );
      expect(rows).toEqual([{ database: 'sap', answer: 42 }]);
    } finally {
      await client.end();
    }

    const down = stack('down');
    expect(down.code, down.out).toBe(0);
    expect(down.out).toContain('postgres: stopped');
    expect(down.out).not.toMatch(/killed \d+ leftover/);
    expect(isAlive(pid)).toBe(false);
    expect(await portOpen(port)).toBe(false);
    const ps = spawnSync('ps', ['-eo', 'pid,ppid,args'], { encoding: 'utf8' }).stdout;
    expect(
      ps.split('\n').filter((line) => line.includes(home) || new RegExp(`^\\s*\\d+\\s+${pid}\\s`).test(line)),
    ).toEqual([]);
  });
});
