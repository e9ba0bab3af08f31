import { describe, expect, it } from 'vitest';
import { capturingLogger } from './log-capture.ts';
import { connectionLog } from './redis-connection-log.ts';

const refused = new Error('connect ECONNREFUSED 127.0.0.1:6390');

function logAt(everyMs: number) {
  let now = 1_000;
  const { logger, lines } = capturingLogger('info');
  const log = connectionLog(logger, everyMs, () => now);
  const at = (ms: number) => {
    now = ms;
  };
  const seen = () => lines.map(({ level, msg, err, unlogged }) => ({ level, msg, err, unlogged }));
  return { log, at, seen };
}

describe('connectionLog', () => {
  it('warns at the first failure, then once per interval with how many were not logged', () => {
    const { log, at, seen } = logAt(10_000);
    log.error(refused);
    at(1_200);
    log.error(refused);
    at(5_000);
    log.error(refused);
    at(10_999);
    log.error(refused);
    at(11_000);
    log.error(refused);
    at(12_000);
    log.error(refused);
    expect(seen()).toEqual([
      {
        level: 40,
        msg: 'Redis connection failed; commands fail until it is back',
        err: refused.message,
        unlogged: undefined,
      },
      { level: 40, msg: 'Redis still unreachable', err: refused.message, unlogged: 3 },
    ]);
  });

  it('logs the return once, with what was not logged, and a later failure is a first one again', () => {
    const { log, at, seen } = logAt(10_000);
    log.error(refused);
    at(2_000);
    log.error(refused);
    log.error(refused);
    log.ready();
    log.ready();
    at(3_000);
    log.error(refused);
    expect(seen()).toEqual([
      expect.objectContaining({ msg: 'Redis connection failed; commands fail until it is back' }),
      { level: 30, msg: 'Redis connection back', err: undefined, unlogged: 2 },
      expect.objectContaining({ level: 40, msg: 'Redis connection failed; commands fail until it is back' }),
    ]);
  });

  it('logs nothing for a connection that becomes ready without having failed', () => {
    const { log, seen } = logAt(10_000);
    log.ready();
    expect(seen()).toEqual([]);
  });
});
