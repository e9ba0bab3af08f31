import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { InventoryError } from '@inventory/core';

interface Prerequisite {
  what: string;
  /** Debian package that provides it. */
  aptPackage: string;
  present: () => boolean;
  /** A version problem, or undefined when the installed version is fine. */
  versionProblem?: () => string | undefined;
  /** Needed only when this part of the stack runs (INVENTORY_STACK_SKIP may leave it out). */
  part?: string;
}

const onPath = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

function javaMajor(): number | undefined {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${out.stderr}${out.stdout}`);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

const postgresServer = (): boolean =>
  existsSync('/usr/lib/postgresql')
    ? spawnSync('sh', ['-c', 'ls /usr/lib/postgresql/*/bin/initdb']).status === 0
    : onPath('initdb');

export const prerequisites: Prerequisite[] = [
  {
    what: 'Java >= 17',
    aptPackage: 'openjdk-17-jre-headless',
    present: () => onPath('java'),
    versionProblem: () => {
      const major = javaMajor();
      return major !== undefined && major >= 17
        ? undefined
        : `java ${major ?? '?'} found, 17 or newer needed`;
    },
  },
  { what: 'Apache Maven', aptPackage: 'maven', present: () => onPath('mvn') },
  { what: 'redis-server', aptPackage: 'redis-server', present: () => onPath('redis-server') },
  { what: 'PostgreSQL server (initdb, postgres)', aptPackage: 'postgresql', present: postgresServer },
  {
    what: 'rabbitmq-server',
    aptPackage: 'rabbitmq-server',
    present: () => existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server') || onPath('rabbitmq-server'),
  },
  { what: 'epmd (Erlang)', aptPackage: 'erlang-base', present: () => onPath('epmd') },
  {
    what: 'Prometheus (prometheus, promtool)',
    aptPackage: 'prometheus',
    present: () => onPath('prometheus') && onPath('promtool'),
    part: 'prometheus',
  },
];

/**
 * Checks the system programs the stack runs. As root with apt-get, missing ones are
 * installed; otherwise the exact command to run is printed and start-up stops.
 */
export function ensurePrerequisites(say: (line: string) => void, parts?: readonly string[]): void {
  const needed = prerequisites.filter((p) => p.part === undefined || !parts || parts.includes(p.part));
  let missing = needed.filter((p) => !p.present());
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((p) => p.aptPackage))];
    const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
    if (process.getuid?.() === 0 && onPath('apt-get')) {
      say(`installing missing prerequisites: ${missing.map((p) => p.what).join(', ')}`);
      execFileSync('sh', ['-c', command], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      missing = needed.filter((p) => !p.present());
    }
    if (missing.length > 0) {
      throw new InventoryError(
        'STACK_PREREQUISITE_MISSING',
        `missing: ${missing.map((p) => p.what).join(', ')}. Install with: sudo ${command}`,
      );
    }
  }
  const versionProblems = needed.map((p) => p.versionProblem?.()).filter((p): p is string => !!p);
  if (versionProblems.length > 0) {
    throw new InventoryError('STACK_PREREQUISITE_MISSING', versionProblems.join('; '));
  }
}
