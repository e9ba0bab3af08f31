import { secretSetting, setting, z } from '@inventory/config';
import { topicNames } from '@inventory/kafka';

/**
 * The settings every app has, named alike in each (`<PREFIX>_HTTP_PORT`, ...): where its
 * HTTP server listens (the API of an HTTP app, the ops routes of every app), how much it
 * logs, and how long an orderly stop may take before the process gives up and exits 1.
 * An app's settings are these, the fragments it uses, and its own.
 */
export function baseSettings(defaults: { httpPort: number }) {
  return {
    HTTP_HOST: setting.string().default('127.0.0.1'),
    HTTP_PORT: setting.port().default(defaults.httpPort),
    LOG_LEVEL: setting.logLevel().default('info'),
    /**
     * Stop intake, drain, commit and close within this; Kubernetes' grace period (30 s by
     * default) must be longer, or the kubelet kills the process mid-commit.
     */
    SHUTDOWN_TIMEOUT_MS: setting.positiveInt().default(20_000),
    ...httpServerSettings,
  };
}

/**
 * How much a client may hold of the HTTP server (an app's API, every app's ops routes):
 * time to send a request, bytes of headers and body, connections. A slow or hostile client
 * is answered 408, 413, 429 or 431 and cut off instead of holding memory and sockets.
 */
export const httpServerSettings = {
  /** The request's header section must arrive within this (slowloris); 408 and close. */
  HTTP_HEADERS_TIMEOUT_MS: setting.positiveInt().default(10_000),
  /**
   * The whole request, headers and body, must arrive within this; 408 and close. A 10 MB
   * NDJSON batch of the ingest needs 1.4 Mbit/s at the default.
   */
  HTTP_REQUEST_TIMEOUT_MS: setting.positiveInt().default(60_000),
  /**
   * An idle kept-alive connection is closed after this; longer than load balancers' own
   * idle timeout (60 s on AWS), so that the server never closes one a balancer is reusing.
   */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: setting.positiveInt().default(72_000),
  /**
   * A connection without any traffic either way for this long is closed: longer than the
   * keep-alive timeout, the slowest answer (a produce or a reservation's decision) and the
   * change feed's heartbeat, which all count as traffic.
   */
  HTTP_IDLE_TIMEOUT_MS: setting.positiveInt().default(120_000),
  /** Largest header section read (Node's own default); beyond it 431 and close. */
  HTTP_MAX_HEADER_BYTES: setting.positiveInt().default(16_384),
  /** Largest request body where a route sets no limit of its own (the ingest's formats do); 413. */
  HTTP_BODY_LIMIT_BYTES: setting.positiveInt().default(1024 * 1024),
  /**
   * Open connections one client address may hold; requests on more are answered 429 and
   * their connection closed. 0: no cap. Behind a proxy every client has the proxy's address:
   * set it to what the proxy may open, or 0.
   */
  HTTP_MAX_CONNECTIONS_PER_IP: setting.nonNegativeInt().default(1_000),
  /**
   * When set, /metrics and /docs (and the reasons of a failing /readyz) answer only
   * `Authorization: Bearer <this>` (Prometheus' scrape config names it); /healthz and the
   * status of /readyz stay open for the probes. Unset: the ops routes are open, for a port
   * that only the cluster reaches.
   */
  ...secretSetting('HTTP_OPS_TOKEN', { required: false }),
};

export type HttpServerSettings = z.infer<z.ZodObject<typeof httpServerSettings>>;

/**
 * Kafka and the schema registry (without a registry the codec uses fingerprint ids). The local
 * stack's broker and a cluster (Strimzi, deploy/k8s) both take TLS and SCRAM-SHA-512 with the
 * app's own user (kafkaSecurity), whose ACLs are its entry in packages/kafka access.ts.
 */
export function kafkaSettings(defaults: { clientId: string }) {
  return {
    KAFKA_BROKERS: setting.list(),
    KAFKA_CLIENT_ID: setting.string().default(defaults.clientId),
    SCHEMA_REGISTRY_URL: setting.url().optional(),
    KAFKA_TLS: setting.boolean().default(false),
    /** PEM of the CA that signed the brokers' certificates (a mounted secret); unset: the system's CAs. */
    KAFKA_CA_FILE: setting.string().optional(),
    /** Unset: no authentication. SCRAM-SHA-512 needs the username and the password (or its file). */
    KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512']).optional(),
    KAFKA_SASL_USERNAME: setting.string().optional(),
    /** The password, or a file holding it (a mounted Secret): read once at start, never logged. */
    ...secretSetting('KAFKA_SASL_PASSWORD', { required: false }),
  };
}

type TopicSettings<T extends Record<string, keyof typeof topicNames>> = {
  [K in keyof T as `${K & string}_TOPIC`]: z.ZodDefault<z.ZodString>;
};

/**
 * The topics an app reads or writes, as settings `<ROLE>_TOPIC` that default to the catalog's
 * names (packages/kafka catalog.ts): a deployment or a test renames a topic without code.
 */
export function topicSettings<const T extends Record<string, keyof typeof topicNames>>(
  roles: T,
): TopicSettings<T> {
  return Object.fromEntries(
    Object.entries(roles).map(([role, topic]) => [
      `${role}_TOPIC`,
      setting.string().default(topicNames[topic]),
    ]),
  ) as TopicSettings<T>;
}

/**
 * The read model's Redis and the prefix of its keys (several deployments or tests can share
 * one). REDIS_URL names the app's own ACL user and its password (read-model acl.ts), so it is a
 * secret: REDIS_URL_FILE may name a file holding it instead (a mounted Secret). `rediss://` and
 * `rediss-cluster://` connect over TLS (redis-url.ts), verified against REDIS_CA_FILE's CA.
 */
export const redisSettings = {
  ...secretSetting('REDIS_URL'),
  /** PEM of the CA that signed Redis' certificate, for a `rediss://` URL; unset: the system's CAs. */
  REDIS_CA_FILE: setting.string().optional(),
  /** Must be the same in every app of one deployment (the aggregator writes, the others read). */
  REDIS_PREFIX: setting.string().default('inv'),
};

export type BaseSettings = z.infer<z.ZodObject<ReturnType<typeof baseSettings>>>;
export type KafkaSettings = z.infer<z.ZodObject<ReturnType<typeof kafkaSettings>>>;
export type RedisSettings = z.infer<z.ZodObject<typeof redisSettings>>;

/** The HTTP server settings at their defaults (tests, tools that serve no app). */
export const httpServerDefaults = (): HttpServerSettings => z.object(httpServerSettings).parse({});
