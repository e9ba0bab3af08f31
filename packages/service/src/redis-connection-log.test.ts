import { describe, expect, it } from 'vitest';
import { capturingLogger } from './log-capture.ts';
import { connectionLog } from './redis-connection-log.ts';

const refused = new Error('connect ECONNREFUSED 127.0.0.1:6390');
const first = 'Redis connection failed; commands fail until it is back';

function logAt(everyMs: number) {
  let now = 1_000;
  const { logger, lines } = capturingLogger('info');
  const log = connectionLog(logger, everyMs, () => now);
  const at = (ms: number) => {
    now = ms;
  };
  const seen = () =>
    lines.map(({ level, msg, err, unlogged, node }) => ({ level, msg, err, unlogged, node }));
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
    log.error(refused, '10.0.0.7:7001');
    at(12_000);
    log.error(refused);
    expect(seen()).toEqual([
      { level: 40, msg: first, err: refused.message, unlogged: undefined, node: undefined },
      {
        level: 40,
        msg: 'Redis connection failing',
        err: refused.message,
        unlogged: 3,
        node: '10.0.0.7:7001',
      },
    ]);
  });

  it('logs the return once after a logged failure', () => {
    const { log, at, seen } = logAt(10_000);
    log.error(refused);
    at(2_000);
    log.error(refused);
    log.error(refused);
    log.ready();
    log.ready();
    expect(seen()).toEqual([
      expect.objectContaining({ msg: first }),
      { level: 30, msg: 'Redis connection back', err: undefined, unlogged: 2, node: undefined },
    ]);
  });

  it('a connection dropping and coming back again and again writes two lines per interval at most', () => {
    const { log, at, seen } = logAt(10_000);
    for (let t = 1_000; t < 31_000; t += 1_000) {
      at(t);
      log.error(refused);
      at(t + 500);
      log.ready();
    }
    expect(seen().map(({ msg, unlogged }) => [msg, unlogged])).toEqual([
      [first, undefined],
      ['Redis connection back', 0],
      ['Redis connection failing', 9],
      ['Redis connection back', 0],
      ['Redis connection failing', 9],
      ['Redis connection back', 0],
    ]);
  });

  it('logs nothing for a connection that becomes ready without having failed', () => {
    const { log, seen } = logAt(10_000);
    log.ready();
    expect(seen()).toEqual([]);
  });
});
