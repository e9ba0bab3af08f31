import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AppProcess, expectOrderlyStop } from './process.ts';

/**
 * One hostile request of an app's corpus (apps/<app>/test/hostile/corpus.ts), as data: what
 * is sent, byte for byte, and the one answer that is right. A new case is one line.
 */
export interface HostileCase {
  /** What is tried, in a few words; unique within the corpus. */
  name: string;
  method?: string;
  /** Sent as is: any bytes but CR and LF (those go into `raw`); not used with `raw`. */
  path?: string;
  /** More header lines exactly as sent ("Name: value"); anything at all. */
  headers?: string[];
  /** Authorization: the app's valid credential (default), none, or this exact header value. */
  auth?: 'valid' | 'none' | { value: string };
  /** Content-Type when there is a body (default application/json); null: none is sent. */
  type?: string | null;
  body?: string | Uint8Array;
  /** Content-Length as sent: the body's by default; 'none' sends none. */
  length?: number | 'none';
  /** The whole request as raw bytes instead (framing attacks); `$HOST` and `$AUTH` are filled in. */
  raw?: string | Uint8Array;
  /** The body goes out in pieces of `bytes`, one every `everyMs`, until the server answers. */
  trickle?: { bytes: number; everyMs: number };
  /**
   * The request is unfinished on purpose (a body shorter than its Content-Length, headers
   * without their end): every connection stays open, sending nothing more, until the server
   * answers or closes it, so this only says what the case is about.
   */
  stall?: boolean;
  /** The exact status (4xx), or 'close': the connection ends without an answer. */
  expect: number | 'close';
  /** The error code of the one error body (every 4xx of the platform carries one). */
  code?: string;
  /**
   * A close is right too: the server answers `expect` and closes while the client is still
   * sending (a body past the limit), and TCP may then reset the connection before the client
   * reads the answer.
   */
  orClose?: true;
  /**
   * Sends the request `times` times, `concurrency` at once over kept-alive connections,
   * holding every stream answered 200 open until all were sent: `expect` then counts the
   * answers by status (many SSE subscriptions against the caps).
   */
  flood?: { times: number; concurrency: number; counts: Record<number, number> };
}

export interface HostileTarget {
  port: number;
  /** The Authorization header value of a valid credential of the app. */
  authorization: string;
  /** Text no answer may contain: internal addresses (the broker's, Redis'), secrets. */
  forbidden: string[];
}

export interface HostileResult {
  /** The answer's status, or 'close' when the connection ended without one. */
  status: number | 'close' | 'none';
  /** The answer as received (status line, headers, body; a stream's first bytes). */
  text: string;
  code?: string;
  counts?: Record<number, number>;
}

/** Printed into every answer a case may get: a stack frame or a module path is a leak. */
const leaks = [/\n\s+at [^\n]*:\d+:\d+/, /node_modules/, /ECONNREFUSED/, /\/src\/[\w/-]+\.ts/];

const bytes = (value: string | Uint8Array) =>
  typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);

/** The request's bytes up to and including the blank line, and its body. */
function requestOf(c: HostileCase, target: HostileTarget): { head: Buffer; body: Buffer } {
  const host = `127.0.0.1:${target.port}`;
  if (c.raw !== undefined) {
    const raw = bytes(c.raw)
      .toString('latin1')
      .replaceAll('$HOST', host)
      .replaceAll('$AUTH', target.authorization);
    return { head: Buffer.from(raw, 'latin1'), body: Buffer.alloc(0) };
  }
  const body = c.body === undefined ? Buffer.alloc(0) : bytes(c.body);
  const lines = [`${c.method ?? 'GET'} ${c.path ?? '/'} HTTP/1.1`, `Host: ${host}`];
  const auth = c.auth ?? 'valid';
  if (auth === 'valid') lines.push(`Authorization: ${target.authorization}`);
  else if (auth !== 'none') lines.push(`Authorization: ${auth.value}`);
  if (c.body !== undefined || c.length !== undefined) {
    const type = c.type === undefined ? 'application/json' : c.type;
    if (type !== null) lines.push(`Content-Type: ${type}`);
    if (c.length !== 'none') lines.push(`Content-Length: ${c.length ?? body.length}`);
  }
  lines.push(...(c.headers ?? []));
  return { head: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body };
}

/** A complete answer at the start of `data`: its status and length, or undefined while incomplete. */
function parseAnswer(data: Buffer): { status: number; end: number; stream: boolean } | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = data.subarray(0, headEnd).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]);
  if (!Number.isInteger(status)) return undefined;
  if (/^content-type: text\/event-stream/im.test(head)) return { status, end: headEnd + 4, stream: true };
  const length = Number(/^content-length: (\d+)/im.exec(head)?.[1] ?? 0);
  const end = headEnd + 4 + length;
  return data.length >= end ? { status, end, stream: false } : undefined;
}

const codeOf = (text: string) => {
  try {
    return (JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { error?: { code?: string } }).error
      ?.code;
  } catch {
    return undefined;
  }
};

/** Sends one case on a fresh connection and waits for its answer or its close, within `timeoutMs`. */
export function sendHostile(
  c: HostileCase,
  target: HostileTarget,
  timeoutMs = 20_000,
): Promise<HostileResult> {
  const { head, body } = requestOf(c, target);
  return new Promise((resolve) => {
    const socket = connect(target.port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (result: HostileResult) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      clearTimeout(deadline);
      socket.destroy();
      resolve(result);
    };
    const deadline = setTimeout(
      () => settle({ status: 'none', text: received.toString('latin1') }),
      timeoutMs,
    );
    socket.on('data', (data) => {
      received = Buffer.concat([received, data]);
      const answer = parseAnswer(received);
      if (answer) {
        const text = received.subarray(0, answer.stream ? received.length : answer.end).toString('latin1');
        settle({ status: answer.status, text, code: codeOf(text) });
      }
    });
    // A write refused because the server already answered and closed is part of the case.
    socket.on('error', () => {});
    socket.on('close', () => {
      const answer = parseAnswer(received);
      const text = received.toString('latin1');
      if (answer) settle({ status: answer.status, text, code: codeOf(text) });
      else settle({ status: received.length === 0 ? 'close' : 'none', text });
    });
    socket.on('connect', () => {
      socket.write(head);
      if (c.trickle) {
        const { bytes: size, everyMs } = c.trickle;
        let sent = 0;
        timer = setInterval(() => {
          if (sent >= body.length || socket.destroyed) return clearInterval(timer);
          socket.write(body.subarray(sent, sent + size));
          sent += size;
        }, everyMs);
      } else if (body.length > 0) socket.write(body);
    });
  });
}

/** Sends a flood case: every answer's status counted; streams answered 200 held open until the end. */
export async function floodHostile(c: HostileCase, target: HostileTarget): Promise<HostileResult> {
  const flood = c.flood;
  if (!flood) throw new Error(`${c.name}: not a flood case`);
  const url = `http://127.0.0.1:${target.port}${c.path ?? '/'}`;
  const counts: Record<number, number> = {};
  // The responses are held too: undici cancels the body of a response that is collected.
  const held: { abort: AbortController; response: Response }[] = [];
  let next = 0;
  let sample = '';
  const worker = async () => {
    while (next < flood.times) {
      next++;
      const abort = new AbortController();
      const response = await fetch(url, {
        method: c.method ?? 'GET',
        headers: { authorization: target.authorization, ...(c.headers ? headersOf(c.headers) : {}) },
        signal: abort.signal,
      });
      counts[response.status] = (counts[response.status] ?? 0) + 1;
      if (response.status === 200) held.push({ abort, response });
      else {
        const text = await response.text();
        if (!sample) sample = `HTTP/1.1 ${response.status}\r\n\r\n${text}`;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: flood.concurrency }, worker));
  } finally {
    for (const { abort } of held) abort.abort();
  }
  return { status: 'none', text: sample, code: codeOf(sample), counts };
}

function headersOf(lines: string[]): Record<string, string> {
  return Object.fromEntries(
    lines.map((line) => {
      const at = line.indexOf(':');
      return [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    }),
  );
}

/** What is wrong with a case's result: empty when it got exactly its answer and leaked nothing. */
export function hostileProblems(c: HostileCase, result: HostileResult, target: HostileTarget): string[] {
  const problems: string[] = [];
  if (c.flood) {
    if (JSON.stringify(result.counts) !== JSON.stringify(c.flood.counts))
      problems.push(
        `answers by status ${JSON.stringify(result.counts)}, expected ${JSON.stringify(c.flood.counts)}`,
      );
  } else {
    if (typeof c.expect === 'number' && (c.expect < 400 || c.expect > 499))
      problems.push(`the corpus expects ${c.expect}: a hostile case must end 4xx or in a close`);
    const closed = c.orClose === true && result.status === 'close';
    if (result.status !== c.expect && !closed)
      problems.push(`answered ${result.status}, expected ${c.expect}${c.orClose ? ' or a close' : ''}`);
    if (c.code !== undefined && result.code !== c.code && !closed)
      problems.push(`error code ${result.code}, expected ${c.code}`);
  }
  for (const text of target.forbidden)
    if (text && result.text.includes(text)) problems.push(`the answer contains ${JSON.stringify(text)}`);
  for (const leak of leaks) if (leak.test(result.text)) problems.push(`the answer leaks ${leak}`);
  if (problems.length > 0) problems.push(`answer: ${result.text.slice(0, 600)}`);
  return problems;
}

/** Sends a case (a flood or one request) and returns what is wrong with its answer. */
export async function runHostileCase(c: HostileCase, target: HostileTarget): Promise<string[]> {
  const result = c.flood ? await floodHostile(c, target) : await sendHostile(c, target);
  return hostileProblems(c, result, target);
}

/** A process' resident memory (VmRSS) and its peak (VmHWM), in bytes, from /proc/<pid>/status. */
export function residentMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Checks a corpus is well formed: unique names, every expectation 4xx, a close or a flood. */
export function corpusProblems(corpus: HostileCase[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const c of corpus) {
    if (names.has(c.name)) problems.push(`${c.name}: the name is used twice`);
    names.add(c.name);
    if (!c.flood && c.expect !== 'close' && (c.expect < 400 || c.expect > 499))
      problems.push(`${c.name}: expects ${c.expect}, not 4xx or a close`);
  }
  return problems;
}

/** A running app under its corpus: its process and where the cases go. */
export interface CorpusSubject {
  app: AppProcess;
  target: HostileTarget;
}

/**
 * The frame every app's corpus runs in (vitest): the app started once, the corpus checked
 * for form (`minimum` cases at least), one test per case (`afterCase` runs after each, e.g.
 * to wait until a flood's streams are given back), the caller's own tests (`more`), and last
 * the proof it survived: the process runs, answers /healthz and still serves (`stillServes`),
 * its resident memory grown by less than `memoryBoundBytes` over everything before it.
 */
export function hostileCorpusTests(options: {
  app: string;
  corpus: HostileCase[];
  start: () => Promise<CorpusSubject>;
  stillServes: (subject: CorpusSubject) => Promise<void>;
  afterCase?: (c: HostileCase) => Promise<void>;
  more?: (subject: () => CorpusSubject) => void;
  minimum?: number;
  memoryBoundBytes?: number;
}): void {
  const { app: name, corpus, minimum = 40, memoryBoundBytes = 96 * 1024 * 1024 } = options;
  let subject: CorpusSubject | undefined;
  let before = 0;
  const current = (): CorpusSubject => {
    if (!subject) throw new Error(`${name} did not start`);
    return subject;
  };
  beforeAll(async () => {
    subject = await options.start();
    await options.stillServes(subject);
    before = residentMemory(subject.app.child.pid as number).rss;
  });
  afterAll(async () => {
    if (subject) await expectOrderlyStop(subject.app, 20_000);
  });

  it(`has at least ${minimum} well-formed cases`, () => {
    expect(corpusProblems(corpus)).toEqual([]);
    expect(corpus.length).toBeGreaterThanOrEqual(minimum);
  });
  for (const c of corpus)
    it(c.name, async () => {
      expect(await runHostileCase(c, current().target)).toEqual([]);
      await options.afterCase?.(c);
    });
  options.more?.(current);
  it('stays up, still serves, and its memory stayed bounded', async () => {
    const { app } = current();
    expect(app.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(200);
    await options.stillServes(current());
    const after = residentMemory(app.child.pid as number);
    console.log(
      `${name} RSS ${(before / 2 ** 20).toFixed(0)} MiB before the corpus, ${(after.rss / 2 ** 20).toFixed(0)} MiB after (peak ${(after.peak / 2 ** 20).toFixed(0)} MiB)`,
    );
    expect(after.rss - before).toBeLessThan(memoryBoundBytes);
  });
}
