import type { KafkaClientOptions } from '@inventory/kafka';

/**
 * How a compared client reaches the stack's broker: its brokers and, on a secured stack, the
 * CA and the administrator's SCRAM credentials (testkit's stackKafkaOptions), mapped onto each
 * client's own options in one place for the benchmark and the guarantee tests.
 */
export type BenchConnection = Pick<KafkaClientOptions, 'brokers' | 'ssl' | 'sasl'>;

function securityOf(connection: BenchConnection): {
  ca?: string;
  scram?: { username: string; password: string };
} {
  const ssl = connection.ssl;
  const ca = typeof ssl === 'object' && Array.isArray(ssl.ca) ? String(ssl.ca[0]) : undefined;
  const sasl = connection.sasl as { username?: string; password?: string } | undefined;
  return {
    ...(ca ? { ca } : {}),
    ...(sasl?.username && sasl.password
      ? { scram: { username: sasl.username, password: sasl.password } }
      : {}),
  };
}

/** @platformatic/kafka's connection options. */
export function platformaticReach(connection: BenchConnection) {
  const { ca, scram } = securityOf(connection);
  return {
    bootstrapBrokers: connection.brokers as string[],
    ...(ca ? { tls: { ca } } : {}),
    ...(scram ? { sasl: { mechanism: 'SCRAM-SHA-512' as const, ...scram } } : {}),
  };
}

/** @confluentinc/kafka-javascript's: its KafkaJS-style part, and librdkafka's CA as PEM text. */
export function confluentReach(connection: BenchConnection) {
  const { ca, scram } = securityOf(connection);
  return {
    kafkaJS: {
      brokers: connection.brokers as string[],
      ...(scram ? { ssl: true, sasl: { mechanism: 'scram-sha-512' as const, ...scram } } : {}),
    },
    extra: ca ? { 'ssl.ca.pem': ca } : {},
  };
}
