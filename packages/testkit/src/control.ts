import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@inventory/core';
import { createKafka } from '@inventory/kafka';
import { stackEndpoints, stackHome, stackKafkaOptions } from './stack.ts';

const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/**
 * The pid of a running part of the local stack (kafka, rabbitmq, ...), from its pid file; of
 * another data centre's part with `dataCentre` (dc2, dc3: their homes under the first's).
 */
export function stackPartPid(part: string, dataCentre?: string): number {
  const home = dataCentre === undefined || dataCentre === 'dc1' ? stackHome() : join(stackHome(), dataCentre);
  return Number(readFileSync(join(home, 'run', `${part}.pid`), 'utf8').trim());
}

/**
 * Stops a process with SIGSTOP and returns once every one of its threads is stopped. `kill`
 * returns before that: a JVM's threads stop as each is next scheduled, and on a busy machine
 * a broker still running for a moment after the kill answers what reaches it meanwhile.
 */
export async function freezeProcess(pid: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  const states = () =>
    readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // The state follows the command name, which is in parentheses and may hold any character.
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    });
  await waitFor(() => states().every((state) => state === 'T' || state === 't'), {
    description: () => `every thread of pid ${pid} stopped (states ${[...new Set(states())].join('')})`,
    timeoutMs: 10_000,
    intervalMs: 5,
  });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until the stack's broker serves every partition of every topic again (after a
 * restart it loads them one by one, answering "not the leader" meanwhile).
 */
export async function brokerServing(timeoutMs = 180_000): Promise<void> {
  const admin = createKafka({ clientId: 'test-broker-serving', ...stackKafkaOptions() }).admin();
  try {
    await waitFor(
      async () => {
        await admin.connect();
        const topics = await admin.listTopics();
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
        if (metadata.some((t) => t.partitions.some((p) => p.leader < 0))) return false;
        for (const topic of topics) await admin.fetchTopicOffsets(topic);
        return true;
      },
      { description: 'the broker to serve every partition', timeoutMs, intervalMs: 500 },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Stops a part of the local stack (SIGTERM, as `down` does) and waits until its process is gone; `stackUp` starts it again. */
export async function stopStackPart(part: string, timeoutMs = 60_000, dataCentre?: string): Promise<void> {
  const pid = stackPartPid(part, dataCentre);
  process.kill(pid, 'SIGTERM');
  await waitFor(() => !processAlive(pid), { description: `${part} to stop`, timeoutMs });
}

/** What a run of the stack's CLI printed and how it ended. */
export interface StackRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The stack's CLI on the tests' stack, with the parts that are up (a Redis Cluster kept, with its endpoint). */
function stackCli(args: string[], env: Record<string, string> = {}): StackRun {
  return spawnSync(
    join(repoRoot, 'node_modules/.bin/tsx'),
    [join(repoRoot, 'tools/local-stack/src/cli.ts'), ...args],
    {
      env: {
        ...process.env,
        INVENTORY_STACK_HOME: stackHome(),
        ...(stackEndpoints().REDIS_CLUSTER_URL ? { INVENTORY_STACK_REDIS_CLUSTER: 'true' } : {}),
        ...env,
      },
      encoding: 'utf8',
      timeout: 200_000,
    },
  );
}

/**
 * `npm run stack -- up` for tests that stopped a part: starts what is down, waits until
 * healthy; with `dataCentres: 3` the other data centres' parts and the mirror too.
 */
export function stackUp(options: { dataCentres?: 3 } = {}): StackRun {
  return stackCli(['up'], options.dataCentres ? { INVENTORY_STACK_DCS: String(options.dataCentres) } : {});
}

/** `npm run stack -- partition a b`: the mirror's flows between two data centres cut until `healPartition`. */
export function partitionDataCentres(a: string, b: string): StackRun {
  return stackCli(['partition', a, b]);
}

/** `npm run stack -- scan-logs`: every data centre's logs read for every generated secret. */
export function scanStackLogs(): StackRun {
  return stackCli(['scan-logs']);
}

/** `npm run stack -- heal`: every flow of the mirror runs again. */
export function healPartition(): StackRun {
  return stackCli(['heal']);
}
