import { secretSetting, setting, z } from '@inventory/config';

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
