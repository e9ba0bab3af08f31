import { readFileSync } from 'node:fs';
import { waitFor } from '@inventory/core';

const configFile = new URL('../../../deploy/connect/sap-stock.json', import.meta.url);

interface ConnectorFile {
  name: string;
  config: Record<string, string>;
}

/** The committed connector configuration with the database connection filled in. */
export function connectorConfig(postgresUrl: string, overrides: Record<string, string> = {}): ConnectorFile {
  const file = JSON.parse(readFileSync(configFile, 'utf8')) as ConnectorFile;
  const url = new URL(postgresUrl);
  const values: Record<string, string> = {
    POSTGRES_HOST: url.hostname,
    POSTGRES_PORT: url.port || '5432',
    POSTGRES_USER: decodeURIComponent(url.username),
    POSTGRES_PASSWORD: decodeURIComponent(url.password),
  };
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config))
    config[key] = value.replace(/\$\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
  return {
    name: overrides.name ?? file.name,
    config: { ...config, ...overrides, name: overrides.name ?? file.name },
  };
}

export interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

export async function connectorStatus(
  connectUrl: string,
  name: string,
): Promise<ConnectorStatus | undefined> {
  const response = await fetch(`${connectUrl}/connectors/${name}/status`);
  return response.ok ? ((await response.json()) as ConnectorStatus) : undefined;
}

/**
 * Creates or updates the connector (PUT of its config is idempotent), then waits until the
 * connector and its task are RUNNING; on FAILED or at the deadline it throws with Connect's
 * reason (the task's trace), never with the password.
 */
export async function registerConnector(
  connectUrl: string,
  connector: ConnectorFile,
  timeoutMs = 120_000,
): Promise<void> {
  const response = await fetch(`${connectUrl}/connectors/${connector.name}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(connector.config),
  });
  if (!response.ok)
    throw new Error(
      `Kafka Connect refused the connector ${connector.name}: ${response.status} ${await response.text()}`,
    );
  // A new configuration does not restart a task that failed under the old one.
  await fetch(`${connectUrl}/connectors/${connector.name}/restart?includeTasks=true&onlyFailed=true`, {
    method: 'POST',
  });
  let last: ConnectorStatus | undefined;
  // A task reports RUNNING before it has validated its offsets, and a restarted one may still
  // show its old FAILED state: only three equal answers in a row count.
  let runningInARow = 0;
  let failedInARow = 0;
  const outcome = await waitFor(
    async () => {
      last = await connectorStatus(connectUrl, connector.name);
      const failed = [last?.connector, ...(last?.tasks ?? [])].find((s) => s?.state === 'FAILED');
      failedInARow = failed ? failedInARow + 1 : 0;
      if (failed && failedInARow >= 3) return { failed: failed.trace?.split('\n')[0] ?? 'no reason given' };
      const running =
        last?.connector.state === 'RUNNING' &&
        last.tasks.length > 0 &&
        last.tasks.every((t) => t.state === 'RUNNING');
      runningInARow = running ? runningInARow + 1 : 0;
      return runningInARow >= 3 ? { failed: undefined } : undefined;
    },
    {
      description: () =>
        `connector ${connector.name} and its task to be RUNNING (now: connector ${last?.connector.state ?? 'unknown'}, tasks ${last?.tasks.map((t) => t.state).join(',') || 'none'})`,
      timeoutMs,
      intervalMs: 500,
    },
  );
  if (outcome.failed) throw new Error(`connector ${connector.name} FAILED: ${outcome.failed}`);
}

/** Stops the connector, deletes its source offsets and resumes it: the initial snapshot runs again. */
export async function rerunSnapshot(connectUrl: string, name: string): Promise<void> {
  const call = async (method: string, path: string) => {
    const response = await fetch(`${connectUrl}/connectors/${name}${path}`, { method });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  };
  await call('PUT', '/stop');
  await waitFor(async () => (await connectorStatus(connectUrl, name))?.connector.state === 'STOPPED', {
    description: `connector ${name} to stop`,
    timeoutMs: 60_000,
    intervalMs: 300,
  });
  await call('DELETE', '/offsets');
  await call('PUT', '/resume');
}
