import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { errorMessage, InventoryError, waitFor, withTimeout } from '@inventory/core';
import { type Component, type ComponentName, logsOf, type StackContext } from './component.ts';
import { connect } from './components/connect.ts';
import { kafka } from './components/kafka.ts';
import { kafkaPrincipals } from './components/kafka-security.ts';
import { mirrorMaker } from './components/mirror-maker.ts';
import { postgres } from './components/postgres.ts';
import { prometheus } from './components/prometheus.ts';
import { rabbitmq, runningEpmd, strayEpmds } from './components/rabbitmq.ts';
import { redis } from './components/redis.ts';
import { redisCluster } from './components/redis-cluster.ts';
import { registry } from './components/registry.ts';
import { s3 } from './components/s3.ts';
import type { StackSettings } from './config.ts';
import { stackEndpoints, writeEndpointFiles } from './endpoints.ts';
import { describeLogs } from './log-tail.ts';
import { ensureJars } from './maven.ts';
import { healCuts } from './partition.ts';
import { portClashes, portFree, portHolders } from './ports.ts';
import { ensurePrerequisites } from './prereqs.ts';
import { isAlive, processesMentioning, type StopOutcome, stopProcess } from './proc.ts';
import { loadSecrets } from './secrets.ts';

/** Start order respects `needs`; stop order is the reverse. */
export const allComponents: Component[] = [
  redis,
  redisCluster,
  postgres,
  rabbitmq,
  s3,
  kafka,
  registry,
  connect,
  mirrorMaker,
  prometheus,
];

export function selectedComponents(settings: StackSettings): Component[] {
  const unknown = settings.SKIP.filter((name) => !allComponents.some((c) => c.name === name));
  if (unknown.length > 0) {
    throw new InventoryError(
      'CONFIG_INVALID',
      `INVENTORY_STACK_SKIP names unknown parts: ${unknown.join(', ')}`,
    );
  }
  const chosen = allComponents.filter(
    (c) =>
      !settings.SKIP.includes(c.name) &&
      (c !== redisCluster || settings.REDIS_CLUSTER) &&
      (c !== mirrorMaker || settings.DCS === 3),
  );
  for (const c of chosen) {
    const absent = c.needs.filter((n) => !chosen.some((x) => x.name === n));
    if (absent.length > 0) {
      throw new InventoryError(
        'CONFIG_INVALID',
        `${c.name} needs ${absent.join(', ')}, which INVENTORY_STACK_SKIP leaves out`,
      );
    }
  }
  return chosen;
}

export function createContext(
  settings: StackSettings,
  say: (line: string) => void = console.log,
): StackContext {
  for (const dir of Object.values(settings.dirs)) mkdirSync(dir, { recursive: true });
  // PostgreSQL runs as another user when we are root, and must be able to traverse the home.
  chmodSync(settings.HOME, 0o755);
  return { settings, secrets: loadSecrets(settings.HOME, kafkaPrincipals()), say };
}

async function probe(component: Component, ctx: StackContext): Promise<boolean> {
  try {
    return await withTimeout(component.healthy(ctx), 3_000, `${component.name} health check`);
  } catch {
    return false;
  }
}

/**
 * Brings the stacks up in their order (the other data centres before the first, whose mirror
 * reaches into them), after checking every stack's ports, so that a taken port refuses before
 * any part of any of them starts.
 */
export async function upAll(stacks: StackContext[]): Promise<void> {
  assertNoPortClash(stacks);
  for (const stack of stacks) await assertPortsFree(stack);
  for (const stack of stacks) await startStack(stack);
}

/** One stack up: `upAll` of it alone. */
export const up = (ctx: StackContext): Promise<void> => upAll([ctx]);

/**
 * Brings every selected part up, each as soon as the parts it needs are healthy. Parts
 * already running and healthy are left alone, so `up` is idempotent. A part that does not
 * become healthy in time fails `up` with its name, its log file and the log's last lines.
 */
async function startStack(ctx: StackContext): Promise<void> {
  const components = selectedComponents(ctx.settings);
  ensurePrerequisites(
    ctx.say,
    components.map((c) => c.name),
  );
  // Fetched one set at a time before any start: Maven runs synchronously and would
  // otherwise stall the health checks of parts already starting.
  for (const set of new Set(components.flatMap((c) => c.jars ?? [])))
    ensureJars(ctx.settings.dirs.lib, set, ctx.say);
  const ready = new Map<ComponentName, Promise<void>>();
  const bringUp = async (component: Component): Promise<void> => {
    await Promise.all(component.needs.map((n) => ready.get(n)));
    const pid = component.pid(ctx);
    const running = pid !== undefined && isAlive(pid);
    if (running && (await probe(component, ctx))) {
      ctx.say(`${component.name}: already up at ${component.endpoint(ctx)}`);
    } else {
      if (!running) await component.start(ctx);
      const started = Date.now();
      const failed = (state: string, cause?: unknown) =>
        new InventoryError(
          'STACK_START_FAILED',
          `${component.name} ${state} after ${Date.now() - started} ms; ${describeLogs(logsOf(component, ctx))}`,
          { cause, details: { component: component.name } },
        );
      // A part whose process died is reported at once, not after the whole deadline.
      const outcome = await waitFor(
        async () => {
          const now = component.pid(ctx);
          if (now === undefined || !isAlive(now)) return 'exited';
          return (await probe(component, ctx)) ? 'healthy' : undefined;
        },
        {
          description: `${component.name} to become healthy`,
          timeoutMs: ctx.settings.START_TIMEOUT_MS,
          intervalMs: 250,
        },
      ).catch((error: unknown) => {
        throw failed('is running but not healthy', error);
      });
      if (outcome === 'exited') throw failed('exited');
      ctx.say(`${component.name}: up at ${component.endpoint(ctx)} (${Date.now() - started} ms)`);
    }
    await component.afterHealthy?.(ctx);
  };
  for (const component of components) ready.set(component.name, bringUp(component));
  const results = await Promise.allSettled(ready.values());
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    throw new InventoryError('STACK_START_FAILED', failures.map((f) => errorMessage(f.reason)).join('\n'), {
      cause: failures[0]?.reason,
    });
  }
  writeEndpointFiles(ctx, stackEndpoints(ctx, components));
}

/** Refuses `up` before anything starts when two parts of the stacks are set to one port. */
function assertNoPortClash(stacks: StackContext[]): void {
  const claimsOf = (ctx: StackContext) =>
    selectedComponents(ctx.settings).flatMap((component) =>
      (component.ports?.(ctx) ?? []).map((p) => ({ stack: ctx.settings.HOME, part: component.name, ...p })),
    );
  const clashes = portClashes(stacks.flatMap(claimsOf));
  if (clashes.length === 0) return;
  throw new InventoryError(
    'STACK_PORT_CLASH',
    `two parts are set to one port:\n${clashes.join('\n')}\n` +
      'Move one of them with its INVENTORY_STACK_*_PORT setting, or the other data centres with INVENTORY_STACK_DC_PORT_STEP.',
    { details: { ports: clashes.length } },
  );
}

/**
 * Refuses `up` before anything starts when a port of a part that is not running is taken:
 * each such port with its setting and the process that holds it.
 */
async function assertPortsFree(ctx: StackContext): Promise<void> {
  const taken: string[] = [];
  for (const component of selectedComponents(ctx.settings)) {
    const pid = component.pid(ctx);
    if (pid !== undefined && isAlive(pid)) continue;
    for (const { port, setting } of component.ports?.(ctx) ?? []) {
      if (await portFree(port)) continue;
      const holders = portHolders(port);
      taken.push(
        `${component.name}: port ${port} (${setting}) is in use by ${holders.length > 0 ? holders.join('; ') : 'a process this user cannot see'}`,
      );
    }
  }
  if (taken.length === 0) return;
  throw new InventoryError(
    'STACK_PORT_TAKEN',
    `the stack in ${ctx.settings.HOME} cannot start:\n${taken.join('\n')}\n` +
      'Stop what holds them (a stack of another folder: `npm run stack -- down` there), or move this stack with its INVENTORY_STACK_*_PORT settings (INVENTORY_STACK_DC_PORT_STEP for the other data centres).',
    { details: { ports: taken.length } },
  );
}

export interface DownReport {
  stopped: Partial<Record<ComponentName, StopOutcome>>;
  strays: number[];
}

/**
 * Stops every part in reverse start order, then looks for any process still naming the
 * stack's home folder (a child a launcher left behind) and kills it, so nothing survives.
 */
export async function down(ctx: StackContext): Promise<DownReport> {
  const stopped: DownReport['stopped'] = {};
  for (const component of [...allComponents].reverse()) {
    stopped[component.name] = await component.stop(ctx);
    if (stopped[component.name] !== 'not-running') ctx.say(`${component.name}: ${stopped[component.name]}`);
  }
  // The stack's epmd names only its port, not the home folder: it is found by its HOME.
  const epmd = runningEpmd(ctx);
  const strays = [...processesMentioning(ctx.settings.HOME), ...(epmd ? [epmd] : []), ...strayEpmds(ctx)];
  for (const stray of strays) {
    ctx.say(`killing leftover process ${stray.pid}: ${stray.args.slice(0, 120)}`);
    await stopProcess(stray.pid, 'SIGKILL', 5_000, { group: false });
  }
  return { stopped, strays: strays.map((s) => s.pid) };
}

/** Refuses, naming them, when parts of the stack home still run (skipped ones included). */
function assertStopped(ctx: StackContext): void {
  const running = allComponents
    .filter((component) => {
      const pid = component.pid(ctx);
      return pid !== undefined && isAlive(pid);
    })
    .map((component) => component.name);
  if (running.length > 0)
    throw new InventoryError(
      'STACK_RUNNING',
      `the stack in ${ctx.settings.HOME} still runs ${running.join(', ')}: take it down first (npm run stack -- down)`,
    );
}

/**
 * Deletes the data of stopped stacks, the data centres of one stack together (Kafka's logs,
 * Redis', PostgreSQL's, RabbitMQ's, the object store's, Prometheus') and any cut between
 * them, so the next `up` starts as on a new machine: a first data centre wiped beside an old
 * second one would mirror into topics whose offsets no longer match. Jars, secrets,
 * certificates and logs stay. Refused, before anything is deleted, while any part of any of
 * them runs: its process would go on writing into what was deleted.
 */
export function reset(stacks: StackContext[]): void {
  for (const ctx of stacks) assertStopped(ctx);
  for (const ctx of stacks) {
    rmSync(ctx.settings.dirs.data, { recursive: true, force: true });
    healCuts(ctx.settings.dirs.run);
  }
}

export interface ComponentStatus {
  name: ComponentName;
  role: string;
  state: 'up' | 'unhealthy' | 'down';
  pid: number | undefined;
  endpoint: string;
  log: string;
}

export async function status(ctx: StackContext): Promise<ComponentStatus[]> {
  return Promise.all(
    selectedComponents(ctx.settings).map(async (component) => {
      const pid = component.pid(ctx);
      const alive = pid !== undefined && isAlive(pid);
      const state = !alive ? 'down' : (await probe(component, ctx)) ? 'up' : 'unhealthy';
      return {
        name: component.name,
        role: component.role,
        state,
        pid: alive ? pid : undefined,
        endpoint: component.endpoint(ctx),
        log: logsOf(component, ctx).join(', '),
      } satisfies ComponentStatus;
    }),
  );
}
