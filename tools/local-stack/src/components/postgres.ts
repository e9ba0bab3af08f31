import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * As root, PostgreSQL runs as `postgres`, which may not be allowed to traverse the folders
 * above the clone (a checkout under a private home). It is handed its data directory as an
 * open descriptor instead (fd 3, opened here as root): `/proc/self/fd/3` reaches it without
 * walking those folders, and the server works relative to it from then on.
 */
const dataDirFd = 3;
const dataDirPath = `/proc/self/fd/${dataDirFd}`;

function chownTree(path: string, owner: { uid: number; gid: number }): void {
  execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, path]);
}

function initCluster(ctx: StackContext, dir: string): void {
  const owner = serverUser();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner) chownTree(dir, owner);
  // The password reaches initdb as a file handed over as fd 4: a private file, never on a
  // command line. (Node's stdin "pipe" is a socket, which cannot be reopened by path.)
  const secretDir = mkdtempSync(join(tmpdir(), 'inventory-pg-'));
  const pwfile = join(secretDir, 'password');
  writeFileSync(pwfile, ctx.secrets.postgresPassword, { mode: 0o600 });
  if (owner) chownTree(secretDir, owner);
  const fd = openSync(dir, 'r');
  const pwfd = openSync(pwfile, 'r');
  try {
    execFileSync(
      join(postgresBinDir(), 'initdb'),
      [
        '-D',
        owner ? dataDirPath : dir,
        '-U',
        superuser,
        '--auth=scram-sha-256',
        `--pwfile=${owner ? '/proc/self/fd/4' : pwfile}`,
        '-E',
        'UTF8',
        '--no-locale',
      ],
      { cwd: '/', stdio: ['ignore', 'ignore', 'pipe', fd, pwfd], ...(owner ?? {}) },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new InventoryError('STACK_START_FAILED', `initdb failed: ${stderr.trim()}`, { cause: error });
  } finally {
    closeSync(fd);
    closeSync(pwfd);
    rmSync(secretDir, { recursive: true, force: true });
  }
  // Settings appended once; later `up`s reuse the cluster as it is.
  appendFileSync(
    join(dir, 'postgresql.conf'),
    [
      '',
      '# inventory local stack',
      `port = ${ctx.settings.POSTGRES_PORT}`,
      "listen_addresses = '127.0.0.1'",
      // TCP only: every client connects to 127.0.0.1, and no socket path needs to be reachable.
      "unix_socket_directories = ''",
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
    const owner = serverUser();
    if (!existsSync(join(dir, 'PG_VERSION'))) initCluster(ctx, dir);
    const fd = openSync(dir, 'r');
    try {
      spawnDaemon({
        command: join(postgresBinDir(), 'postgres'),
        // The port of the settings, not only the one written into postgresql.conf when the
        // cluster was made: a moved INVENTORY_STACK_POSTGRES_PORT takes effect on the next up.
        args: ['-D', owner ? dataDirPath : dir, '-p', String(ctx.settings.POSTGRES_PORT)],
        cwd: '/',
        logFile: logFile(ctx, 'postgres'),
        pidFile: pidFile(ctx, 'postgres'),
        extraFds: [fd],
        ...(owner ?? {}),
      });
    } finally {
      closeSync(fd);
    }
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
  ports: (ctx) => [{ port: ctx.settings.POSTGRES_PORT, setting: 'POSTGRES_PORT' }],
};
