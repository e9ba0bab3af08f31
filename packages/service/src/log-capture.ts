import { Writable } from 'node:stream';
import type { Logger } from '@inventory/core';
import { pino } from 'pino';

/** A logger at `level` whose lines are kept, parsed, in `lines`: what the tests of a server read. */
export function capturingLogger(level: string): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
