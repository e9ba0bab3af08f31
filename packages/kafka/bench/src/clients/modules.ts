import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InventoryError } from '@inventory/core';

type Platformatic = typeof import('@platformatic/kafka');
type Confluent = typeof import('@confluentinc/kafka-javascript');

const repoRoot = resolve(fileURLToPath(new URL('../../../../../', import.meta.url)));

/**
 * Where the compared clients are installed for this Node major (`.stack/kafka-clients/node<major>`,
 * git-ignored, filled by `npm run bench:kafka-clients`): the native addon of
 * @confluentinc/kafka-javascript is built per Node ABI, so each Node version has its own tree.
 */
export function clientsTree(): string {
  const major = process.versions.node.split('.')[0];
  return process.env.KAFKA_CLIENTS_TREE ?? join(repoRoot, '.stack', 'kafka-clients', `node${major}`);
}

function missing(name: string, cause: unknown): InventoryError {
  return new InventoryError(
    'STARTUP_CHECK_FAILED',
    `${name} is not installed in ${clientsTree()}: run \`npm run bench:kafka-clients -- install\``,
    { cause },
  );
}

export async function loadPlatformatic(): Promise<Platformatic> {
  const entry = join(clientsTree(), 'node_modules', '@platformatic', 'kafka', 'dist', 'index.js');
  try {
    return (await import(pathToFileURL(entry).href)) as Platformatic;
  } catch (error) {
    throw missing('@platformatic/kafka', error);
  }
}

export function loadConfluent(): Confluent {
  try {
    return createRequire(join(clientsTree(), 'package.json'))('@confluentinc/kafka-javascript') as Confluent;
  } catch (error) {
    throw missing('@confluentinc/kafka-javascript', error);
  }
}
