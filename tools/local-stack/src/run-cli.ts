import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './config.ts';

/** What a run of the stack's CLI printed (stdout, then stderr) and its exit code. */
export interface CliRun {
  code: number | null;
  out: string;
}

/**
 * The stack's CLI as a user runs it, in a process of its own with `env` (a stack's home,
 * ports and parts): the tests of stacks of their own drive it this way.
 */
export function runStackCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): CliRun {
  const result = spawnSync(
    join(repoRoot, 'node_modules/.bin/tsx'),
    [join(repoRoot, 'tools/local-stack/src/cli.ts'), ...args],
    {
      env,
      encoding: 'utf8',
      timeout: timeoutMs,
    },
  );
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}
