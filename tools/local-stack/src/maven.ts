import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InventoryError, type RetrySchedule, scheduledDelay } from '@inventory/core';
import { deployLocal } from './config.ts';

/** Maven modules under deploy/local/maven, each fetching one part's jars. */
export type JarSet = 'kafka' | 'connect' | 'debezium' | 'registry' | 's3proxy';

const goals: Record<JarSet, string[]> = {
  kafka: ['dependency:copy-dependencies', '-DincludeScope=runtime'],
  connect: ['dependency:copy-dependencies', '-DincludeScope=runtime'],
  debezium: ['dependency:copy-dependencies', '-DincludeScope=runtime'],
  registry: ['dependency:unpack-dependencies', '-DincludeTypes=tar.gz'],
  s3proxy: ['dependency:copy-dependencies', '-DincludeScope=runtime'],
};

/** Debezium goes into a Connect plugin folder of its own, isolated from the runtime's classpath. */
export function jarDir(lib: string, set: JarSet): string {
  return set === 'debezium' ? join(lib, 'connect-plugins', 'debezium-connector-postgres') : join(lib, set);
}

/**
 * Makes `<lib>/<set>` hold the jars of deploy/local/maven/<set>/pom.xml. Maven runs only
 * when the folder is missing or the pom changed since it was filled (a hash marker), so a
 * warm `up` costs nothing and a version bump in the pom refetches.
 */
export function ensureJars(lib: string, set: JarSet, say: (line: string) => void): string {
  return fetchJars({
    name: set,
    pom: join(deployLocal, 'maven', set, 'pom.xml'),
    target: jarDir(lib, set),
    goals: goals[set],
    build: join(lib, '..', 'build', set),
    say,
  });
}

/** A registry that fails a download now and then is asked again, a little later each time. */
const fetchRetries: RetrySchedule = { delaysMs: [5_000, 20_000], jitter: 0.5 };

/** Maven itself runs synchronously here; so does the wait between its attempts. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface JarFetch {
  /** What the jars are for, in messages. */
  name: string;
  pom: string;
  /** The folder the jars go to, refilled when the pom changed. */
  target: string;
  goals: string[];
  /** Maven's scratch folder (the pom's `stack.build.directory`). */
  build: string;
  say: (line: string) => void;
  /** The waits before each further attempt. */
  retries?: RetrySchedule;
}

/** Fills `target` with what Maven's `goals` fetch for `pom`, unless it already holds this pom's set. */
export function fetchJars({
  name,
  pom,
  target,
  goals: mavenGoals,
  build,
  say,
  retries = fetchRetries,
}: JarFetch): string {
  const marker = join(target, '.complete');
  const hash = createHash('sha256').update(readFileSync(pom)).digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === hash) return target;
  say(`fetching ${name} jars with Maven (${pom}) ...`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const args = [
    '-B',
    '-q',
    '-f',
    pom,
    ...mavenGoals,
    `-DoutputDirectory=${target}`,
    `-Dstack.build.directory=${build}`,
  ];
  for (let attempt = 0; ; attempt++) {
    try {
      // A retry passes -U: Maven otherwise remembers a failed download and does not ask again.
      execFileSync('mvn', attempt === 0 ? args : ['-U', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      });
      break;
    } catch (error) {
      const out = `${(error as { stdout?: Buffer }).stdout ?? ''}${(error as { stderr?: Buffer }).stderr ?? ''}`;
      if (attempt >= retries.delaysMs.length) {
        throw new InventoryError(
          'STACK_FETCH_FAILED',
          `mvn could not fetch the ${name} jars (${attempt + 1} attempts):\n${out.slice(-4000)}`,
          { cause: error },
        );
      }
      const wait = scheduledDelay(retries, attempt);
      say(`mvn could not fetch the ${name} jars; trying again in ${wait} ms:\n${out.slice(-1000)}`);
      sleepSync(wait);
    }
  }
  writeFileSync(marker, `${hash}\n`);
  return target;
}
