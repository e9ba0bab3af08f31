import { readFileSync } from 'node:fs';
import type { RunningPlatform } from '../../../scripts/platform.mjs';

/** Log lines of a platform's run (each app's log from where this run began) in which a broker refused an app. */
export function brokerRefusals(platform: RunningPlatform): string[] {
  return platform.running.flatMap(({ app, log, from }) =>
    readFileSync(log)
      .subarray(from)
      .toString('utf8')
      .split('\n')
      .filter((line) => /AUTHORIZATION_FAILED|Not authorized|SASL.*authentication failed/i.test(line))
      .map((line) => `${app.name}: ${line.slice(0, 300)}`),
  );
}
