import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InventoryError } from '@inventory/core';
import { stackEndpoints } from './stack.ts';

/** The stack's Prometheus; fails naming the command when the stack runs none. */
export function prometheusUrl(): string {
  const url = stackEndpoints().PROMETHEUS_URL;
  if (!url)
    throw new InventoryError(
      'STACK_NOT_RUNNING',
      'the local stack runs no Prometheus (INVENTORY_STACK_SKIP?): npm run stack -- up',
    );
  return url;
}

/**
 * Has the stack's Prometheus scrape apps a test started on ports of their own: a target file
 * (file_sd) in the folder its configuration watches, labelled with each app's service name
 * and `test`. Returns the function that removes it again.
 */
export function scrapedByPrometheus(test: string, apps: { service: string; port: number }[]): () => void {
  const dir = stackEndpoints().PROMETHEUS_TARGETS_DIR;
  if (!dir) throw new InventoryError('STACK_NOT_RUNNING', 'the local stack runs no Prometheus');
  const file = join(dir, `${test}.json`);
  const groups = apps.map(({ service, port }) => ({
    targets: [`127.0.0.1:${port}`],
    labels: { service, test, environment: 'test' },
  }));
  // Written aside and renamed into place: Prometheus never reads a half-written file (and
  // the aside name does not match its *.json pattern).
  writeFileSync(`${file}.tmp`, JSON.stringify(groups));
  renameSync(`${file}.tmp`, file);
  return () => rmSync(file, { force: true });
}
