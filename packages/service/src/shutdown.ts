import { describeError, type Logger } from '@inventory/core';

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown>;
}

export type ShutdownResult = { ok: true } | { ok: false; step: string; reason: 'deadline' | 'failed' };

/**
 * Runs the steps of an orderly stop one after the other, within one deadline for all. A step
 * that throws is logged and the next runs anyway (a failed drain must not keep clients
 * open); a step still running at the deadline ends the stop, named in the result, and
 * whatever follows it is left to the process exit.
 */
export async function runShutdown(
  steps: ShutdownStep[],
  deadlineMs: number,
  logger: Logger,
): Promise<ShutdownResult> {
  const deadline = Date.now() + deadlineMs;
  let failed: string | undefined;
  for (const step of steps) {
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), Math.max(0, left));
    });
    const started = Date.now();
    const outcome = await Promise.race([
      step.run().then(
        () => 'done' as const,
        (error: unknown) => {
          logger.warn({ step: step.name, err: describeError(error) }, 'shutdown step failed');
          return 'failed' as const;
        },
      ),
      timedOut,
    ]);
    clearTimeout(timer);
    if (outcome === 'deadline') {
      logger.error({ step: step.name, deadlineMs }, 'shutdown deadline passed');
      return { ok: false, step: step.name, reason: 'deadline' };
    }
    if (outcome === 'failed') failed ??= step.name;
    logger.debug({ step: step.name, ms: Date.now() - started }, 'shutdown step done');
  }
  return failed === undefined ? { ok: true } : { ok: false, step: failed, reason: 'failed' };
}
