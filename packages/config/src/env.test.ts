import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSettings, readSecret, secretSetting, setting } from './env.ts';

const shape = {
  KAFKA_BROKERS: setting.list(),
  HTTP_PORT: setting.port().default(8080),
  DEBUG: setting.boolean().default(false),
};

describe('parseSettings', () => {
  it('parses, coerces and applies defaults', () => {
    const config = parseSettings(
      shape,
      { APP_KAFKA_BROKERS: 'a:9092, b:9092', APP_DEBUG: 'true' },
      { prefix: 'APP_' },
    );
    expect(config).toEqual({ KAFKA_BROKERS: ['a:9092', 'b:9092'], HTTP_PORT: 8080, DEBUG: true });
  });

  it('names a missing required setting', () => {
    expect(() => parseSettings(shape, {}, { prefix: 'APP_' })).toThrow(
      'APP_KAFKA_BROKERS: missing required setting',
    );
  });

  it('refuses an unknown setting with the same prefix (a typo must not be ignored)', () => {
    expect(() =>
      parseSettings(shape, { APP_KAFKA_BROKERS: 'a:1', APP_KAFKA_BROKER: 'typo' }, { prefix: 'APP_' }),
    ).toThrow('APP_KAFKA_BROKER: unknown setting');
  });

  it('names an out-of-range value and reports every problem at once', () => {
    try {
      parseSettings(shape, { APP_HTTP_PORT: '70000', APP_DEBUG: 'yes' }, { prefix: 'APP_' });
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('APP_HTTP_PORT');
      expect(message).toContain('APP_DEBUG');
      expect(message).toContain('APP_KAFKA_BROKERS: missing required setting');
      expect((error as { code: string }).code).toBe('CONFIG_INVALID');
    }
  });

  it('ignores variables of other components', () => {
    const config = parseSettings(
      shape,
      { APP_KAFKA_BROKERS: 'a:1', OTHER_X: '1', PATH: '/bin' },
      { prefix: 'APP_' },
    );
    expect(config.KAFKA_BROKERS).toEqual(['a:1']);
  });
});

describe('secret settings', () => {
  const secrets = {
    ...secretSetting('REDIS_URL'),
    ...secretSetting('ERP_TOKEN', { required: false }),
  };
  const dir = mkdtempSync(join(tmpdir(), 'config-secret-'));
  const file = join(dir, 'url');
  writeFileSync(file, 'redis://app:s3cret@redis:6379\n');

  it('takes a secret from its variable or from the file X_FILE names, without its line break', () => {
    const fromEnv = parseSettings(secrets, { APP_REDIS_URL: 'redis://app:pw@r:1' }, { prefix: 'APP_' });
    expect(readSecret(fromEnv, 'REDIS_URL')).toBe('redis://app:pw@r:1');
    expect(readSecret(fromEnv, 'ERP_TOKEN')).toBeUndefined();
    const fromFile = parseSettings(secrets, { APP_REDIS_URL_FILE: file }, { prefix: 'APP_' });
    expect(fromFile).toEqual({ REDIS_URL_FILE: file });
    expect(readSecret(fromFile, 'REDIS_URL')).toBe('redis://app:s3cret@redis:6379');
  });

  it('reads the file again when asked after it changed: a rotation needs no other setting', () => {
    const rotating = join(dir, 'token');
    writeFileSync(rotating, 'old-token');
    const settings = parseSettings(
      secrets,
      { APP_REDIS_URL: 'x', APP_ERP_TOKEN_FILE: rotating },
      { prefix: 'APP_' },
    );
    expect(readSecret(settings, 'ERP_TOKEN')).toBe('old-token');
    writeFileSync(rotating, 'new-token\n');
    expect(readSecret(settings, 'ERP_TOKEN')).toBe('new-token');
  });

  it('names both settings when a required secret has neither, and refuses both at once', () => {
    expect(() => parseSettings(secrets, {}, { prefix: 'APP_' })).toThrow(
      'invalid configuration: APP_REDIS_URL or APP_REDIS_URL_FILE: missing required setting',
    );
    expect(() =>
      parseSettings(secrets, { APP_REDIS_URL: 'redis://x', APP_REDIS_URL_FILE: file }, { prefix: 'APP_' }),
    ).toThrow('invalid configuration: APP_REDIS_URL: set APP_REDIS_URL or APP_REDIS_URL_FILE, not both');
  });

  it('names the file it cannot read, never a value', () => {
    const settings = parseSettings(secrets, { APP_REDIS_URL_FILE: join(dir, 'missing') }, { prefix: 'APP_' });
    expect(() => readSecret(settings, 'REDIS_URL')).toThrow(
      `invalid configuration: REDIS_URL_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`,
    );
  });
});
