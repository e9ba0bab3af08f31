import { join } from 'node:path';
import type { StackSettings } from './config.ts';
import type { JarSet } from './maven.ts';
import type { StopOutcome } from './proc.ts';
import type { StackSecrets } from './secrets.ts';

/** The stack's parts by name, in start order (stack.ts' allComponents follows it). */
export const componentNames = [
  'redis',
  'redis-cluster',
  'postgres',
  'rabbitmq',
  's3',
  'kafka',
  'registry',
  'connect',
  'mirror-maker',
  'prometheus',
] as const;

export type ComponentName = (typeof componentNames)[number];

export interface StackContext {
  settings: StackSettings;
  secrets: StackSecrets;
  say: (line: string) => void;
}

/**
 * One process of the local stack. `start` only launches; `up` then polls `healthy` with a
 * deadline, so a part that fails to come up is reported by name with its log file.
 */
export interface Component {
  name: ComponentName;
  /** Parts that must be healthy before this one starts. */
  needs: ComponentName[];
  /** Jar sets from Maven Central it runs from, fetched before anything starts. */
  jars?: JarSet[];
  /** What it stands in for, shown by `status`. */
  role: string;
  start(ctx: StackContext): Promise<void>;
  healthy(ctx: StackContext): Promise<boolean>;
  /** Runs once per `up` after the part is healthy (databases, users, plugins). */
  afterHealthy?(ctx: StackContext): Promise<void>;
  stop(ctx: StackContext): Promise<StopOutcome>;
  pid(ctx: StackContext): number | undefined;
  endpoint(ctx: StackContext): string;
  /** The ports it would listen on if started now, each with the setting that moves it. */
  ports?(ctx: StackContext): PartPort[];
  /** Its log files, when it runs several processes (one log each); `<name>.log` otherwise. */
  logs?(ctx: StackContext): string[];
}

export interface PartPort {
  port: number;
  /** The stack setting, without its INVENTORY_STACK_ prefix. */
  setting: string;
}

export const logFile = (ctx: StackContext, name: string) => join(ctx.settings.dirs.logs, `${name}.log`);
/** Where a part's processes write what they say. */
export const logsOf = (component: Component, ctx: StackContext): string[] =>
  component.logs?.(ctx) ?? [logFile(ctx, component.name)];
export const pidFile = (ctx: StackContext, name: string) => join(ctx.settings.dirs.run, `${name}.pid`);
export const dataDir = (ctx: StackContext, name: string) => join(ctx.settings.dirs.data, name);
