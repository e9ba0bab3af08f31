import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The last `lines` lines of a log, read from at most its last `maxBytes`: a part that
 * failed to start is reported with what it said last, so a run whose output is all that
 * survives (a CI job) still shows why. An absent, unreadable or empty log gives no lines.
 */
export function logTail(file: string, lines = 20, maxBytes = 16_384): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    // A read that starts inside a line drops that partial line.
    const whole = length < size ? text.slice(text.indexOf('\n') + 1) : text;
    const all = whole.split('\n');
    if (all.at(-1) === '') all.pop();
    return all.slice(-lines);
  } catch {
    // No log, or none that can be read (a folder of that name): nothing to show, and the
    // failure it would have explained is still reported.
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A log's last lines under a heading naming how many, indented; '' when it says nothing. */
function tailBlock(file: string, lines: number, heading: (count: number) => string): string {
  const tail = logTail(file, lines);
  return tail.length === 0 ? '' : `\n${heading(tail.length)}:\n${tail.map((l) => `  | ${l}`).join('\n')}`;
}

/** The tail as an indented block for an error message, or '' when the log says nothing. */
export function describeLogTail(file: string, lines = 20): string {
  return tailBlock(file, lines, (count) => `its last ${count} lines`);
}

/**
 * Where a failed part's logs are and what they say last: one log with up to `lines` lines,
 * several (a part of several processes) with a share of them each, so the message stays short.
 */
export function describeLogs(files: string[], lines = 20): string {
  if (files.length === 1) return `its log is ${files[0]}${describeLogTail(files[0] as string, lines)}`;
  const each = Math.max(3, Math.floor(lines / files.length));
  const tails = files.map((file) => tailBlock(file, each, (count) => `the last ${count} lines of ${file}`));
  return `its logs are ${files.join(', ')}${tails.join('')}`;
}
