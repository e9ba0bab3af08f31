import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InventoryError } from '@inventory/core';

/**
 * A network partition between data centres, as the local stack makes one: the MirrorMaker
 * flows between two data centres are cut (no copies, no heartbeats either way) while each
 * still reaches the third. The cuts are kept in `<home>/run/mirror-partition.json` so the
 * mirror started again (by `up` after a crash too) keeps them until `heal`.
 */

/** Two data centres that do not reach each other, in name order. */
export type Cut = readonly [string, string];

const cutsFile = (runDir: string): string => join(runDir, 'mirror-partition.json');

/** A cut between `a` and `b`, both of `dataCentres` and not the same: refused by name otherwise. */
export function cutOf(a: string | undefined, b: string | undefined, dataCentres: readonly string[]): Cut {
  for (const dc of [a, b])
    if (dc === undefined || !dataCentres.includes(dc))
      throw new InventoryError(
        'USAGE',
        `partition takes two of the data centres ${dataCentres.join(', ')}; got ${dc === undefined ? 'fewer' : `"${dc}"`}`,
      );
  if (a === b) throw new InventoryError('USAGE', `a partition is between two data centres; got ${a} twice`);
  return [a, b].sort() as unknown as Cut;
}

/** The flows MirrorMaker runs and those it does not, for every ordered pair of data centres. */
export function mirrorFlows(
  dataCentres: readonly string[],
  cuts: readonly Cut[],
): { running: string[]; cut: string[] } {
  const isCut = (source: string, target: string) =>
    cuts.some(([a, b]) => (a === source && b === target) || (a === target && b === source));
  const flows = dataCentres.flatMap((source) =>
    dataCentres.filter((target) => target !== source).map((target) => ({ source, target })),
  );
  const name = ({ source, target }: { source: string; target: string }) => `${source}->${target}`;
  return {
    running: flows.filter((f) => !isCut(f.source, f.target)).map(name),
    cut: flows.filter((f) => isCut(f.source, f.target)).map(name),
  };
}

export function readCuts(runDir: string): Cut[] {
  const file = cutsFile(runDir);
  if (!existsSync(file)) return [];
  return JSON.parse(readFileSync(file, 'utf8')) as Cut[];
}

/** Adds a cut (once); `heal` removes them all. */
export function addCut(runDir: string, cut: Cut): Cut[] {
  const cuts = readCuts(runDir).filter(([a, b]) => !(a === cut[0] && b === cut[1]));
  cuts.push(cut);
  mkdirSync(dirname(cutsFile(runDir)), { recursive: true });
  writeFileSync(cutsFile(runDir), `${JSON.stringify(cuts)}\n`);
  return cuts;
}

export function healCuts(runDir: string): void {
  rmSync(cutsFile(runDir), { force: true });
}

/** `dc1 <-/-> dc2` for each cut, for status and messages. */
export const describeCuts = (cuts: readonly Cut[]): string =>
  cuts.map(([a, b]) => `${a} <-/-> ${b}`).join(', ');
