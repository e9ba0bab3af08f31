import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSettings, setting, z } from '@inventory/config';

export const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/**
 * Every port is a project port, away from the standard ones (5432, 6379, 5672, 9092, 8083,
 * 4369) so the stack never collides with, or talks to, services the machine already runs.
 */
const shape = {
  HOME: setting.string().default(join(repoRoot, '.stack')),
  /** Jars fetched from Maven Central; several stack homes (tests) can share one folder. */
  LIB: setting.string().optional(),
  KAFKA_PORT: setting.port().default(19092),
  KAFKA_CONTROLLER_PORT: setting.port().default(19093),
  /**
   * sasl-ssl: SCRAM-SHA-512 over TLS with a user and ACLs per app (components/kafka-security.ts).
   * plaintext: no authentication, a development option to be asked for, never the default.
   */
  KAFKA_SECURITY: z.enum(['sasl-ssl', 'plaintext']).default('sasl-ssl'),
  CONNECT_PORT: setting.port().default(19083),
  REGISTRY_PORT: setting.port().default(19081),
  REDIS_PORT: setting.port().default(19379),
  /** A Redis Cluster too (components/redis-cluster.ts): nodes on this port and the five after it. */
  REDIS_CLUSTER: setting.boolean().default(false),
  REDIS_CLUSTER_PORT: setting.port().default(19401),
  POSTGRES_PORT: setting.port().default(19432),
  RABBITMQ_PORT: setting.port().default(19672),
  RABBITMQ_DIST_PORT: setting.port().default(19673),
  EPMD_PORT: setting.port().default(19369),
  S3_PORT: setting.port().default(19900),
  PROMETHEUS_PORT: setting.port().default(19990),
  KAFKA_HEAP: setting.string().default('768m'),
  CONNECT_HEAP: setting.string().default('512m'),
  REGISTRY_HEAP: setting.string().default('384m'),
  S3_HEAP: setting.string().default('256m'),
  /**
   * Data centres: 1, or 3 (`up --dcs 3`): the second and third each a Kafka and a Redis of their
   * own in `<home>/dc2`, `<home>/dc3`, on ports DC_PORT_STEP and twice that above the first's,
   * and MirrorMaker 2 between all three (dcs.ts).
   */
  DCS: z.coerce
    .number()
    .int()
    .refine((n) => n === 1 || n === 3, 'must be 1 or 3')
    .default(1),
  DC_PORT_STEP: setting.positiveInt().default(1000),
  MIRROR_HEAP: setting.string().default('256m'),
  /** Components to leave out, e.g. "registry,connect" for a faster stack. */
  SKIP: setting.list().default([]),
  START_TIMEOUT_MS: setting.positiveInt().default(180_000),
};

export type StackSettings = ReturnType<typeof parseStackSettings>;

export function parseStackSettings(env: Record<string, string | undefined> = process.env) {
  const parsed = parseSettings(shape, env, { prefix: 'INVENTORY_STACK_' });
  const home = resolve(parsed.HOME);
  return {
    ...parsed,
    HOME: home,
    dirs: {
      home,
      lib: parsed.LIB ? resolve(parsed.LIB) : join(home, 'lib'),
      data: join(home, 'data'),
      logs: join(home, 'logs'),
      run: join(home, 'run'),
      conf: join(home, 'conf'),
    },
  };
}

export const deployLocal = join(repoRoot, 'deploy', 'local');
