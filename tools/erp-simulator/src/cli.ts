// npm run erp-sim -w @inventory/erp-simulator -- [--port 19160] [--host 127.0.0.1] [--inventory FILE | --demo]
// The bearer token comes from ERP_SIM_TOKEN, else from the committed development credentials.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '@inventory/core';
import type { InventorySnapshot } from './model.ts';
import { startErpSimulator } from './server.ts';

// From this file, not the cwd: `npm run -w` runs in the package folder, a script may run anywhere.
const credentialsFile = new URL('../../../deploy/local/dev-credentials.json', import.meta.url);

function devToken(): string {
  const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { erp?: { token?: unknown } };
  const token = credentials.erp?.token;
  if (typeof token !== 'string' || token === '')
    throw new Error(`no erp.token in ${credentialsFile.pathname}`);
  return token;
}

// Not checked here: the simulator validates a snapshot and names the field at fault.
function readSnapshot(file: string): InventorySnapshot {
  // npm runs workspace scripts in the package folder; INIT_CWD is where the user typed the command.
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), file);
  return JSON.parse(readFileSync(path, 'utf8')) as InventorySnapshot;
}

function demoSnapshot(): InventorySnapshot {
  const file = new URL('../../../deploy/local/seed/erp-inventory.json', import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as InventorySnapshot;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '19160' },
      host: { type: 'string', default: '127.0.0.1' },
      inventory: { type: 'string' },
      /** The demo snapshot of deploy/local/seed (what `npm start` serves). */
      demo: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`--port must be an integer 0-65535, got ${values.port}`);
    process.exit(2);
  }
  const sim = await startErpSimulator({
    host: values.host,
    port,
    token: process.env.ERP_SIM_TOKEN || devToken(),
    ...(values.inventory ? { inventory: readSnapshot(values.inventory) } : {}),
    ...(values.demo && !values.inventory ? { inventory: demoSnapshot() } : {}),
  });
  console.log(`erp-simulator listening on ${sim.url} (admin API at ${sim.url}/_admin)`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await sim.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`erp-simulator failed to start: ${errorMessage(error)}`);
  process.exit(1);
});
