import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe('runService', () => {
  // The timeout: a process of its own through tsx takes seconds on a machine busy starting
  // the stack beside the unit tests (npm test).
  it('exits when its standard output was closed while it stopped', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'run.fixture.ts')], {
      env: { ...process.env, FIXTURE_HTTP_PORT: String(await freePort()) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const lines = createInterface({ input: child.stdout });
    const seen: string[] = [];
    const logged = (msg: string) =>
      new Promise<void>((resolve, reject) => {
        const onLine = (line: string) => {
          seen.push(line);
          if ((JSON.parse(line) as { msg?: string }).msg !== msg) return;
          lines.off('line', onLine);
          resolve();
        };
        lines.on('line', onLine);
        child.once('exit', () => reject(new Error(`exited before logging ${msg}: ${seen.join('\n')}`)));
      });

    await logged('started');
    const stopping = logged('stopping');
    child.kill('SIGTERM');
    await stopping;
    // The reader of the log goes away (a pipe's far end closed) while the stop still runs:
    // the lines after it fail to be written.
    lines.close();
    child.stdout.destroy();
    child.stdin.write('stop\n');
    expect(await exited).toEqual([0, null]);
  }, 60_000);
});
