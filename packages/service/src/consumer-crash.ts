import { errorMessage, type Logger } from '@inventory/core';
import type { Consumer } from 'kafkajs';

/** What a consumer's watch needs of the app's context (run.ts ServiceContext). */
export interface CrashContext {
  logger: Logger;
  /** Stops the process with exit code 1. */
  fail(error: unknown): void;
}

/**
 * A consumer that crashed and that kafkajs does not start again is gone while the process
 * lives on, consuming nothing. kafkajs restarts only after an error it holds retriable;
 * anything else, whatever the app's batch handler throws (a registry that did not answer, a
 * produce refused for good) included, ends the consumer for good. The app stops instead,
 * with exit 1: the orchestrator starts it again, and it resumes from its committed offsets.
 */
export function failOnFatalCrash(consumer: Consumer, context: CrashContext, name: string): void {
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload;
    context.logger.error({ consumer: name, err: errorMessage(error), restart }, 'consumer crashed');
    if (!restart) context.fail(error);
  });
}
