// The Debian packages `npm test` needs beyond the stack's own (tools/local-stack/src/prereqs.ts):
// promtool (package prometheus) checks the rules in the unit tests, and Debian's Chromium runs
// the console's end-to-end test. As root with apt-get they are installed; otherwise the exact
// command is printed and the run stops. Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

export const testPackages = [
  {
    what: 'promtool (Prometheus)',
    aptPackage: 'prometheus',
    present: () => onPath('promtool') && onPath('prometheus'),
  },
  {
    what: 'Chromium (/usr/bin/chromium)',
    aptPackage: 'chromium',
    present: () => existsSync('/usr/bin/chromium'),
  },
];

/** Installs what is missing (root with apt-get) or returns the message naming the command. */
export function ensureTestPackages(say = console.log) {
  let missing = testPackages.filter((p) => !p.present());
  if (missing.length === 0) return undefined;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.map((p) => p.aptPackage).join(' ')}`;
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    say(`[test] installing ${missing.map((p) => p.what).join(', ')}: ${command}`);
    spawnSync('sh', ['-c', command], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    missing = testPackages.filter((p) => !p.present());
  }
  if (missing.length === 0) return undefined;
  return `missing: ${missing.map((p) => p.what).join(', ')}. Install with: sudo ${command}`;
}
