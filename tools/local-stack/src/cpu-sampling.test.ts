import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './apps.ts';

const sampler = join(repoRoot, 'scripts', 'cpu-sampling.mjs');

describe('scripts/cpu-sampling.mjs (the apps profiled by bench:e2e --profile)', () => {
  it('writes a V8 CPU profile named by the launched app when the process exits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpu-sampling-'));
    // Stands for tools/local-stack/src/launch.ts, which replaces process.argv before the app runs.
    const launcher = join(dir, 'launch.mjs');
    writeFileSync(
      launcher,
      "process.argv = [process.argv[0], '/app/dist/main.js'];\nlet n = 0;\nfor (let i = 0; i < 3e6; i++) n += i % 7;\nconsole.log(n);\n",
    );
    const run = spawnSync(process.execPath, [`--import=${sampler}`, launcher, 'store-ingest'], {
      env: { ...process.env, INVENTORY_CPU_PROFILE_DIR: dir },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    expect(files).toEqual([`store-ingest.${run.pid}.cpuprofile`]);
    const profile = JSON.parse(readFileSync(join(dir, files[0] as string), 'utf8')) as {
      nodes: { callFrame: { url: string } }[];
      samples: number[];
    };
    expect(profile.samples.length).toBeGreaterThan(0);
    expect(profile.nodes.some((n) => n.callFrame.url.endsWith('launch.mjs'))).toBe(true);
  });

  it('refuses to start without a folder for the profile, saying which setting is missing', () => {
    const env = { ...process.env };
    delete env.INVENTORY_CPU_PROFILE_DIR;
    const run = spawnSync(process.execPath, [`--import=${sampler}`, '-e', '0'], { env, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('INVENTORY_CPU_PROFILE_DIR names no folder for the profile');
  });
});
