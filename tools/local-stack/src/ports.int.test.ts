import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takePort } from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { componentNames } from './component.ts';
import { processesMentioning } from './proc.ts';
import { runStackCli } from './run-cli.ts';

/** A stack of only its Redis, in a home of its own, on a port that another program holds first. */
const home = mkdtempSync(join(tmpdir(), 'inventory-stack-ports-'));

const stack = (command: string, port: number, extra: Record<string, string> = {}) =>
  runStackCli(
    [command],
    {
      ...process.env,
      INVENTORY_STACK_HOME: home,
      INVENTORY_STACK_DCS: '1',
      INVENTORY_STACK_REDIS_CLUSTER: 'false',
      INVENTORY_STACK_SKIP: componentNames.filter((c) => c !== 'redis').join(','),
      INVENTORY_STACK_REDIS_PORT: String(port),
      ...extra,
    },
    60_000,
  );

/**
 * A port this process listens on until `release`: one of the test kit's, below the ephemeral
 * range, so that the ports the second test sets around it are not some client's at that moment.
 */
async function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const holder = createServer();
  const port = takePort();
  await new Promise<void>((resolve) => holder.listen({ port, host: '127.0.0.1' }, resolve));
  return { port, release: () => new Promise((resolve) => holder.close(() => resolve())) };
}

describe("a part's port held by another program", () => {
  afterAll(() => {
    // Whatever happened above: nothing of this stack is left running (down goes by its pid
    // files; the port is only a valid setting).
    stack('down', 1);
  });

  it('refuses `up` before starting anything, naming the port, its setting and the holder; starts once the port is free', async () => {
    const { port, release } = await holdPort();
    let refused: ReturnType<typeof stack>;
    try {
      refused = stack('up', port);
    } finally {
      await release();
    }
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(
      `STACK_PORT_TAKEN: the stack in ${home} cannot start:\nredis: port ${port} (REDIS_PORT) is in use by pid ${process.pid}: `,
    );
    expect(processesMentioning(home)).toEqual([]);

    const started = stack('up', port);
    expect(started.code, started.out).toBe(0);
    expect(started.out).toContain(`redis: up at redis://127.0.0.1:${port}`);
    // Its own running part is no refusal: `up` again leaves it alone.
    const again = stack('up', port);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain(`redis: already up at redis://127.0.0.1:${port}`);
    const stopped = stack('down', port);
    expect(stopped.code, stopped.out).toBe(0);
    expect(processesMentioning(home)).toEqual([]);
  }, 120_000);

  it("refuses three data centres' `up` before the first part of any of them starts when the third's port is taken", async () => {
    const { port, release } = await holdPort();
    let refused: ReturnType<typeof stack>;
    try {
      // dc2 and dc3 one and two ports above the first: dc3's Redis is on the held port.
      refused = stack('up', port - 2, {
        INVENTORY_STACK_DCS: '3',
        INVENTORY_STACK_DC_PORT_STEP: '1',
        INVENTORY_STACK_KAFKA_PORT: String(port + 100),
        INVENTORY_STACK_KAFKA_CONTROLLER_PORT: String(port + 200),
      });
    } finally {
      await release();
    }
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(
      `STACK_PORT_TAKEN: the stack in ${join(home, 'dc3')} cannot start:\nredis: port ${port} (REDIS_PORT) is in use by pid ${process.pid}: `,
    );
    expect(refused.out).not.toMatch(/: up at /);
    expect(processesMentioning(home)).toEqual([]);
  }, 120_000);

  it('refuses three data centres whose ports overlap, naming the port and both parts, before anything starts', () => {
    // DC_PORT_STEP 5 with Kafka 5 above Redis: dc2's Kafka and dc3's Redis on one port.
    const base = 21_000;
    const refused = stack('up', base, {
      INVENTORY_STACK_DCS: '3',
      INVENTORY_STACK_DC_PORT_STEP: '5',
      INVENTORY_STACK_KAFKA_PORT: String(base + 5),
      INVENTORY_STACK_KAFKA_CONTROLLER_PORT: String(base + 6),
    });
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(
      `STACK_PORT_CLASH: two parts are set to one port:\n${base + 10}: kafka of ${join(home, 'dc2')} (KAFKA_PORT), redis of ${join(home, 'dc3')} (REDIS_PORT)\n`,
    );
    expect(refused.out).not.toMatch(/: up at /);
    expect(processesMentioning(home)).toEqual([]);
  });
});
