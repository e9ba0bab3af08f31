import { parseSettings, setting, z } from '@inventory/config';
import { InventoryError } from '@inventory/core';
import { topicNames } from '@inventory/kafka';
import { buckets, objectStoreSettings } from '@inventory/object-store';
import { baseSettings, kafkaSettings, topicSettings } from '@inventory/service';

/** Where the lake is: what the sink writes to and the query command reads. */
const locationShape = {
  /** s3: a bucket of an S3-compatible store (the data lake); file: a local folder. */
  TARGET: z.enum(['s3', 'file']).default('s3'),
  /** The lake's folder (TARGET=file). */
  ROOT: setting.string().optional(),
  S3_BUCKET: setting.string().default(buckets.lake),
  /** Keys under this prefix (several lakes, or tests, can share a bucket). */
  S3_PREFIX: z
    .string()
    .transform((prefix) => (prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`))
    .default(''),
  ...objectStoreSettings,
  /** Where the query command keeps its local copy of an S3 lake (when DuckDB cannot read S3 itself). */
  QUERY_CACHE: setting.string().optional(),
};

export const shape = {
  ...baseSettings({ httpPort: 19150 }),
  ...kafkaSettings({ clientId: 'lake-sink' }),
  ...locationShape,
  GROUP_ID: setting.string().default('lake-sink'),
  /**
   * The data centre this sink runs in: every file's key names it (`dc=<dataCentre>`, layout.ts),
   * so each data centre's raw events stay told apart wherever the lakes are read together.
   */
  DATA_CENTRE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes (it is a folder of the lake)')
    .default('dc1'),
  /** Topics whose values are canonical InventoryEvents (Avro): their fields become columns. */
  EVENT_TOPICS: setting.list().default([topicNames.events]),
  /** Topics kept as raw text payloads (MQ records, Debezium JSON). */
  RAW_TOPICS: setting.list().default([topicNames.mqRaw, topicNames.sapRaw]),
  ...topicSettings({ DLQ: 'lakeDeadLetter' }),
  /** A file up to this size goes up in one PUT, a larger one in parts of this size (5 MiB at least). */
  S3_PART_SIZE_KB: setting.positiveInt().default(16 * 1024),
  /** Where files are encoded before they are uploaded (TARGET=s3); the system's temporary folder by default. */
  STAGING_DIR: setting.string().optional(),
  /**
   * A file holds at most this many records of a partition ... (chunks.ts: the cut depends on
   * the records alone; every instance of a deployment must use the same values)
   */
  ROLL_RECORDS: setting.positiveInt().default(100_000),
  /** ... and records of one window of this many ms of append time: the bound on how stale the lake is. */
  ROLL_MS: setting.positiveInt().default(60_000),
  /** A window is complete this long after its end (clock skew between the brokers and the sink). */
  WINDOW_GRACE_MS: setting.nonNegativeInt().default(5_000),
  /**
   * A fetch answers once it holds this much or FETCH_MAX_WAIT_MS has passed: the lake is
   * written a window at a time (ROLL_MS), so the sink asks the broker for fewer, larger
   * fetches under live traffic instead of one per few records.
   */
  FETCH_MIN_BYTES: setting.positiveInt().default(1024 * 1024),
  FETCH_MAX_WAIT_MS: setting.positiveInt().default(500),
  /** How soon a crashed instance's partitions go to another one. */
  SESSION_TIMEOUT_MS: setting.positiveInt().default(30_000),
};

export type LakeConfig = z.infer<z.ZodObject<typeof shape>>;
export type LakeLocation = z.infer<z.ZodObject<typeof locationShape>>;

function requireRoot<T extends LakeLocation>(location: T): T {
  if (location.TARGET === 'file' && !location.ROOT)
    throw new InventoryError(
      'CONFIG_INVALID',
      'invalid configuration: LAKE_ROOT: missing required setting (LAKE_TARGET=file)',
    );
  return location;
}

export function parseLakeConfig(env: Record<string, string | undefined>): LakeConfig {
  return requireRoot(parseSettings(shape, env, { prefix: 'LAKE_' }));
}

/** The lake's location alone, from an environment that may hold the sink's other settings too. */
export function parseLakeLocation(env: Record<string, string | undefined>): LakeLocation {
  const own = Object.fromEntries(
    Object.entries(env).filter(([name]) => name.startsWith('LAKE_') && name.slice(5) in locationShape),
  );
  return requireRoot(parseSettings(locationShape, own, { prefix: 'LAKE_' }));
}
