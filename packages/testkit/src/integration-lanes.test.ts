import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { aloneFiles, besideDespite, sharedStackFaults } from './integration-lanes.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every integration file of the repository, as vitest.config.ts includes them. */
function integrationFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.int.test.ts')) found.push(relative(root, path));
    }
  };
  for (const top of ['apps', 'packages', 'tools']) walk(join(root, top));
  return found.sort();
}

/** A file's source with that of the helpers it imports from its own folder tree. */
function sourceWithHelpers(file: string): string {
  const source = readFileSync(join(root, file), 'utf8');
  const helpers = [...source.matchAll(/from '(\.{1,2}\/[^']+\.ts)'/g)].map((m) =>
    join(root, dirname(file), m[1] as string),
  );
  return [source, ...helpers.filter(existsSync).map((h) => readFileSync(h, 'utf8'))].join('\n');
}

describe('what puts an integration file among those that run alone', () => {
  it('finds a stopped, signalled or restarted part, a cut between data centres, the platform, a wipe', () => {
    expect(sharedStackFaults("await stopStackPart('s3');")).toEqual(['stops a part of the stack']);
    expect(sharedStackFaults("process.kill(stackPartPid('connect'), 'SIGKILL'); stackUp();")).toEqual([
      'signals a process of the stack',
      'starts parts of the stack again',
    ]);
    expect(sharedStackFaults("const cut = partitionDataCentres('dc1', 'dc2');")).toEqual([
      "cuts or heals MirrorMaker's flows",
    ]);
    expect(sharedStackFaults('platform = await startApps({ apps });')).toEqual(["runs the platform's apps"]);
    expect(sharedStackFaults('await redis.flushall();')).toEqual(['wipes a Redis']);
  });

  it('finds nothing in a file that makes its own topics, groups and keys', () => {
    expect(sharedStackFaults("const world = await createWorld(); await redis.hgetall('x');")).toEqual([]);
  });
});

describe('the integration files of the repository', () => {
  const files = integrationFiles();

  it('every one that touches the shared stack runs alone, or is excused with its reason', () => {
    const unlisted = files
      .map((file) => [file, sharedStackFaults(sourceWithHelpers(file))] as const)
      .filter(([file, found]) => found.length > 0 && !(file in aloneFiles) && !(file in besideDespite));
    expect(unlisted).toEqual([]);
  });

  it('names to run alone only files in which something is found (none kept there out of habit)', () => {
    expect(
      Object.keys(aloneFiles).filter((file) => sharedStackFaults(sourceWithHelpers(file)).length === 0),
    ).toEqual([]);
  });

  it('names no file that is not there', () => {
    expect(Object.keys({ ...aloneFiles, ...besideDespite }).filter((f) => !files.includes(f))).toEqual([]);
  });
});
