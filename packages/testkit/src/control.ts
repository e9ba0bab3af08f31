import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stackHome } from './stack.ts';

const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** The pid of a running part of the local stack (kafka, rabbitmq, ...), from its pid file. */
export function stackPartPid(part: string): number {
  return Number(readFileSync(join(stackHome(), 'run', `${part}.pid`), 'utf8').trim());
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `npm run stack -- up` for tests that stopped a part: starts what is down, waits until healthy. */
export function stackUp(): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(
    join(repoRoot, 'node_modules/.bin/tsx'),
    [join(repoRoot, 'tools/local-stack/src/cli.ts'), 'up'],
    {
      env: { ...process.env, INVENTORY_STACK_HOME: stackHome() },
      encoding: 'utf8',
      timeout: 200_000,
    },
  );
}
