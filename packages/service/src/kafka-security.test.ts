import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSettings } from '@inventory/config';
import { describe, expect, it } from 'vitest';
import { kafkaSecurity } from './kafka-security.ts';
import { kafkaSettings } from './settings.ts';

const shape = kafkaSettings({ clientId: 'test-app' });
const parse = (env: Record<string, string>) =>
  parseSettings(shape, { APP_KAFKA_BROKERS: 'broker:9093', ...env }, { prefix: 'APP_' });
const files = mkdtempSync(join(tmpdir(), 'kafka-security-'));
const caFile = join(files, 'ca.crt');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const passwordFile = join(files, 'password');
writeFileSync(passwordFile, 's3cret-from-file\n');

describe('kafkaSecurity', () => {
  it('is plaintext without authentication when no security setting is given (a stack started plaintext)', () => {
    expect(kafkaSecurity(parse({}))).toEqual({});
  });

  it('TLS with the cluster CA and SCRAM-SHA-512 with the password from a mounted file', () => {
    const security = kafkaSecurity(
      parse({
        APP_KAFKA_TLS: 'true',
        APP_KAFKA_CA_FILE: caFile,
        APP_KAFKA_SASL_MECHANISM: 'scram-sha-512',
        APP_KAFKA_SASL_USERNAME: 'store-ingest',
        APP_KAFKA_SASL_PASSWORD_FILE: passwordFile,
      }),
    );
    expect(security).toEqual({
      ssl: { ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'] },
      sasl: { mechanism: 'scram-sha-512', username: 'store-ingest', password: 's3cret-from-file' },
    });
  });

  it('TLS alone trusts the system CAs', () => {
    expect(kafkaSecurity(parse({ APP_KAFKA_TLS: 'true' }))).toEqual({ ssl: true });
  });

  it('refuses incomplete or unsafe combinations by name, without values', () => {
    const attempt = (env: Record<string, string>) => () => kafkaSecurity(parse(env));
    expect(
      attempt({
        APP_KAFKA_TLS: 'true',
        APP_KAFKA_SASL_MECHANISM: 'scram-sha-512',
        APP_KAFKA_SASL_PASSWORD: 'not-shown',
      }),
    ).toThrow(
      'invalid configuration: KAFKA_SASL_USERNAME: missing required setting (KAFKA_SASL_MECHANISM is set)',
    );
    expect(
      attempt({
        APP_KAFKA_SASL_MECHANISM: 'scram-sha-512',
        APP_KAFKA_SASL_USERNAME: 'a',
        APP_KAFKA_SASL_PASSWORD: 'b',
      }),
    ).toThrow('KAFKA_SASL_MECHANISM needs KAFKA_TLS=true (SCRAM over plaintext)');
    expect(attempt({ APP_KAFKA_CA_FILE: caFile })).toThrow('KAFKA_CA_FILE is set but KAFKA_TLS is not true');
    expect(attempt({ APP_KAFKA_SASL_USERNAME: 'a' })).toThrow(
      'KAFKA_SASL_USERNAME is set but KAFKA_SASL_MECHANISM is not',
    );
    expect(() => parse({ APP_KAFKA_SASL_MECHANISM: 'plain' })).toThrow('APP_KAFKA_SASL_MECHANISM');
    expect(() =>
      parse({ APP_KAFKA_SASL_PASSWORD: 'not-shown', APP_KAFKA_SASL_PASSWORD_FILE: passwordFile }),
    ).toThrow('set APP_KAFKA_SASL_PASSWORD or APP_KAFKA_SASL_PASSWORD_FILE, not both');
  });
});
