import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InventoryError } from '@inventory/core';
import pg from 'pg';
import { type Component, dataDir, logFile, pidFile, type StackContext } from '../component.ts';
import { readPid, spawnDaemon, stopDaemon } from '../proc.ts';

/** Databases the platform uses: `sap` stands in for SAP's database, `inventory` holds job records. */
export const databases = ['sap', 'inventory'] as const;
const superuser = 'inventory';

export function postgresUrl(ctx: StackContext, database: string): string {
  const password = encodeURIComponent(ctx.secrets.postgresPassword);
  return `postgres://${superuser}:${password}@127.0.0.1:${ctx.settings.POSTGRES_PORT}/${database}`;
}

/** The newest PostgreSQL server installed (Debian keeps them under /usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return join(root, majors[0], 'bin');
  }
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    throw new InventoryError(
      'STACK_PREREQUISITE_MISSING',
      'PostgreSQL server binaries (initdb, postgres) not found',
    );
  }
}

/** PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new InventoryError(
      'STACK_PREREQUISITE_MISSING',
      'running as root but there is no `postgres` user to own the PostgreSQL cluster (create one: useradd -r postgres)',
    );
  }
}

/** As root, PostgreSQL runs as `postgres`; it must be able to reach the stack's folders. */
function checkReachable(dir: string, owner: { uid: number; gid: number }): void {
  const probe = spawnSync('test', ['-x', dir], owner);
  if (probe.status !== 0) {
    throw new InventoryError(
      'STACK_START_FAILED',
      `PostgreSQL runs as the postgres user (you are root) and cannot reach ${dir}: ` +
        'make its parent folders traversable (chmod o+x) or set INVENTORY_STACK_HOME to a folder it can reach',
    );
  }
}

function chownTree(path: string, owner: { uid: number; gid: number }): void {
  execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, path]);
}

function initCluster(ctx: StackContext, dir: string, socketDir: string): void {
  const owner = serverUser();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pwfile = join(ctx.settings.dirs.run, 'pg-initdb-password');
  writeFileSync(pwfile, ctx.secrets.postgresPassword, { mode: 0o600 });
  if (owner) {
    chownTree(dir, owner);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  try {
    execFileSync(
      join(postgresBinDir(), 'initdb'),
      ['-D', dir, '-U', superuser, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale'],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}) },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new InventoryError('STACK_START_FAILED', `initdb failed: ${stderr.trim()}`, { cause: error });
  } finally {
    writeFileSync(pwfile, '');
  }
  // Settings appended once; later `up`s reuse the cluster as it is.
  appendFileSync(
    join(dir, 'postgresql.conf'),
    [
      '',
      '# inventory local stack',
      `port = ${ctx.settings.POSTGRES_PORT}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${socketDir}'`,
      // Debezium reads the WAL through logical decoding (pgoutput).
      'wal_level = logical',
      'max_wal_senders = 10',
      'max_replication_slots = 10',
      'fsync = on',
      '',
    ].join('\n'),
  );
}

export const postgres: Component = {
  name: 'postgres',
  needs: [],
  role: "SAP's database (CDC source) and job records",
  async start(ctx) {
    const dir = dataDir(ctx, 'postgres');
    const socketDir = join(ctx.settings.dirs.run, 'pg-socket');
    mkdirSync(socketDir, { recursive: true });
    const owner = serverUser();
    if (owner) {
      checkReachable(ctx.settings.dirs.run, owner);
      chownSync(socketDir, owner.uid, owner.gid);
    }
    if (!existsSync(join(dir, 'PG_VERSION'))) initCluster(ctx, dir, socketDir);
    spawnDaemon({
      command: join(postgresBinDir(), 'postgres'),
      args: ['-D', dir],
      logFile: logFile(ctx, 'postgres'),
      pidFile: pidFile(ctx, 'postgres'),
      ...(owner ?? {}),
    });
  },
  async healthy(ctx) {
    const client = new pg.Client({
      connectionString: postgresUrl(ctx, 'postgres'),
      connectionTimeoutMillis: 1_000,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } finally {
      await client.end().catch(() => {});
    }
  },
  async afterHealthy(ctx) {
    const client = new pg.Client({ connectionString: postgresUrl(ctx, 'postgres') });
    await client.connect();
    try {
      for (const name of databases) {
        const found = await client.query('select 1 from pg_database where datname = $1', [name]);
        if (found.rowCount === 0) await client.query(`create database ${name}`);
      }
    } finally {
      await client.end();
    }
  },
  // SIGINT is PostgreSQL's "fast" shutdown: roll back sessions, checkpoint, exit.
  stop: (ctx) => stopDaemon(pidFile(ctx, 'postgres'), 'SIGINT', 30_000, { group: false }),
  pid: (ctx) => readPid(pidFile(ctx, 'postgres')),
  endpoint: (ctx) => `postgres://127.0.0.1:${ctx.settings.POSTGRES_PORT}/{${databases.join(',')}}`,
};
