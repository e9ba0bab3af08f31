export interface LocalAppEntry {
  name: string;
  url: string;
  ready: string;
  /** The data centre it runs in (dc1 unless the stack has three). */
  dataCentre?: string;
}
export interface RunningApp {
  app: LocalAppEntry;
  log: string;
  /** Where this run's part of the log starts. */
  from: number;
  ready: boolean;
  exited: Promise<{ app: string; code: number | null; signal: string | null }>;
}
export interface RunningPlatform {
  running: RunningApp[];
  stop(killAfterMs?: number): Promise<{ app: string; code: number | null; signal: string | null }[]>;
}
export const cli: string;
export function stackHome(): string;
export function listApps(): LocalAppEntry[];
export function tail(file: string, lines?: number, from?: number): string;
export function startApps(options?: {
  apps?: LocalAppEntry[];
  readyTimeoutMs?: number;
  onReady?: (app: LocalAppEntry) => void;
  onStart?: (app: LocalAppEntry, log: string) => void;
  node?: string;
  signal?: AbortSignal;
  /** The apps' environment: this process' by default. */
  env?: NodeJS.ProcessEnv;
}): Promise<RunningPlatform>;
export function stopApps(
  running: RunningApp[],
  killAfterMs?: number,
): Promise<{ app: string; code: number | null; signal: string | null }[]>;
