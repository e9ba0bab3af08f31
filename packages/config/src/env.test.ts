import { describe, expect, it } from 'vitest';
import { parseSettings, setting } from './env.ts';

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
