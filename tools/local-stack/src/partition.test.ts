import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addCut, cutOf, describeCuts, healCuts, mirrorFlows, readCuts } from './partition.ts';

const dcs = ['dc1', 'dc2', 'dc3'];

describe('a partition between data centres', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('cuts both flows between the two and keeps the four through the third', () => {
    expect(mirrorFlows(dcs, [])).toEqual({
      running: ['dc1->dc2', 'dc1->dc3', 'dc2->dc1', 'dc2->dc3', 'dc3->dc1', 'dc3->dc2'],
      cut: [],
    });
    expect(mirrorFlows(dcs, [cutOf('dc2', 'dc1', dcs)])).toEqual({
      running: ['dc1->dc3', 'dc2->dc3', 'dc3->dc1', 'dc3->dc2'],
      cut: ['dc1->dc2', 'dc2->dc1'],
    });
  });

  it('refuses a data centre that is not one, a missing one, or the same twice', () => {
    expect(() => cutOf('dc1', 'dc4', dcs)).toThrow(
      'partition takes two of the data centres dc1, dc2, dc3; got "dc4"',
    );
    expect(() => cutOf('dc1', undefined, dcs)).toThrow(
      'partition takes two of the data centres dc1, dc2, dc3; got fewer',
    );
    expect(() => cutOf('dc3', 'dc3', dcs)).toThrow('a partition is between two data centres; got dc3 twice');
  });

  it('keeps the cuts in the run folder until healed, each once', () => {
    const run = mkdtempSync(join(tmpdir(), 'partition-'));
    dirs.push(run);
    expect(readCuts(run)).toEqual([]);
    addCut(run, cutOf('dc2', 'dc1', dcs));
    addCut(run, cutOf('dc1', 'dc2', dcs));
    expect(addCut(run, cutOf('dc3', 'dc1', dcs))).toEqual([
      ['dc1', 'dc2'],
      ['dc1', 'dc3'],
    ]);
    expect(describeCuts(readCuts(run))).toBe('dc1 <-/-> dc2, dc1 <-/-> dc3');
    healCuts(run);
    expect(readCuts(run)).toEqual([]);
  });
});
