import { setting, z } from '@inventory/config';
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
  };
}

/**
 * Kafka and the schema registry (without a registry the codec uses fingerprint ids). The local
 * stack's broker is plaintext without authentication; a cluster (Strimzi, deploy/k8s) takes
 * TLS and SCRAM-SHA-512 with the app's own user (kafkaSecurity).
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
    KAFKA_SASL_PASSWORD: setting.string().optional(),
    KAFKA_SASL_PASSWORD_FILE: setting.string().optional(),
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

/** The read model's Redis and the prefix of its keys (several deployments or tests can share one). */
export const redisSettings = {
  REDIS_URL: setting.string(),
  /** Must be the same in every app of one deployment (the aggregator writes, the others read). */
  REDIS_PREFIX: setting.string().default('inv'),
};

export type BaseSettings = z.infer<z.ZodObject<ReturnType<typeof baseSettings>>>;
export type KafkaSettings = z.infer<z.ZodObject<ReturnType<typeof kafkaSettings>>>;
export type RedisSettings = z.infer<z.ZodObject<typeof redisSettings>>;
