import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeLogs, describeLogTail, logTail } from './log-tail.ts';

const dir = mkdtempSync(join(tmpdir(), 'log-tail-'));
const log = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('logTail', () => {
  it('gives the last lines of a log, without the empty line after the final newline', () => {
    const file = log('a.log', 'one\ntwo\nthree\nfour\n');
    expect(logTail(file, 2)).toEqual(['three', 'four']);
    expect(logTail(file, 10)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('reads only the end of a long log and drops the line it starts inside', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    const file = log('long.log', `${lines.join('\n')}\n`);
    const tail = logTail(file, 1000, 500);
    expect(tail.length).toBeLessThan(12);
    expect(tail.at(-1)).toBe(lines[999]);
    expect(lines.slice(-tail.length)).toEqual(tail);
  });

  it('gives nothing for a missing, unreadable or empty log', () => {
    expect(logTail(join(dir, 'absent.log'))).toEqual([]);
    expect(logTail(dir)).toEqual([]);
    expect(logTail(log('empty.log', ''))).toEqual([]);
    expect(describeLogTail(join(dir, 'absent.log'))).toBe('');
  });

  it('describes the tail as an indented block', () => {
    expect(describeLogTail(log('b.log', 'started\nERROR port 19092 in use\n'))).toBe(
      '\nits last 2 lines:\n  | started\n  | ERROR port 19092 in use',
    );
  });

  it("names a part's one log with its tail, or its several logs with a share of the lines each", () => {
    const one = log('c.log', 'started\nERROR bad config\n');
    expect(describeLogs([one])).toBe(
      `its log is ${one}\nits last 2 lines:\n  | started\n  | ERROR bad config`,
    );
    const nodes = [1, 2, 3, 4, 5, 6].map((n) =>
      log(`node-${n}.log`, `${Array.from({ length: 10 }, (_, i) => `node ${n} line ${i}`).join('\n')}\n`),
    );
    const quiet = join(dir, 'node-7.log');
    const text = describeLogs([...nodes, quiet], 21);
    expect(text.split('\n')[0]).toBe(`its logs are ${[...nodes, quiet].join(', ')}`);
    // 21 lines over 7 logs: 3 each, none for a log that says nothing.
    expect(text).toContain(
      `the last 3 lines of ${nodes[5]}:\n  | node 6 line 7\n  | node 6 line 8\n  | node 6 line 9`,
    );
    expect(text.split('\n').filter((l) => l.startsWith('  | ')).length).toBe(18);
    expect(text).not.toContain(`lines of ${quiet}`);
  });
});
