import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where a secret was found: the file, the line (1-based), and the secret's name, never its value. */
export interface SecretFinding {
  file: string;
  line: number;
  secret: string;
}

export interface ScanReport {
  files: number;
  bytes: number;
  findings: SecretFinding[];
}

/**
 * Secrets shorter than this are not looked for: they would match by chance (every secret the
 * stack and the tests generate is 18 random bytes or more).
 */
export const shortestSecret = 12;

/** Every regular file under `path` (itself when it is one), depth first, in name order. */
function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  const stat = statSync(path);
  if (stat.isFile()) return [path];
  if (!stat.isDirectory()) return [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** The forms a secret may take in a log: as it is, and as a URL carries it (percent-encoded). */
function formsOf(value: string): string[] {
  return [...new Set([value, encodeURIComponent(value)])];
}

/**
 * Looks for every secret (name -> value) in every file under `paths`, reading each in chunks
 * that overlap by the longest secret, so a file of any size is read in bounded memory and a
 * secret across a chunk's edge is still found. Reports each secret once per line it is on.
 */
export function scanForSecrets(
  paths: string[],
  secrets: Record<string, string>,
  { chunkBytes = 4 * 1024 * 1024 }: { chunkBytes?: number } = {},
): ScanReport {
  const wanted = Object.entries(secrets)
    .filter(([, value]) => value.length >= shortestSecret)
    .flatMap(([name, value]) => formsOf(value).map((form) => ({ name, form: Buffer.from(form) })));
  const overlap = Math.max(0, ...wanted.map(({ form }) => form.length - 1));
  const report: ScanReport = { files: 0, bytes: 0, findings: [] };
  for (const file of paths.flatMap(filesUnder)) {
    report.files++;
    const seen = new Set<string>();
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(chunkBytes + overlap);
      // `carried` bytes of the previous chunk's end start this one; `lines` counts the newlines before it.
      let carried = 0;
      let lines = 0;
      for (;;) {
        const read = readSync(fd, buffer, carried, chunkBytes, null);
        // The carried bytes were searched with the chunk before.
        if (read === 0) break;
        report.bytes += read;
        const end = carried + read;
        const view = buffer.subarray(0, end);
        for (const { name, form } of wanted) {
          for (let at = view.indexOf(form); at >= 0; at = view.indexOf(form, at + 1)) {
            const line = lines + countNewlines(view.subarray(0, at)) + 1;
            const key = `${name}:${line}`;
            if (!seen.has(key)) {
              seen.add(key);
              report.findings.push({ file, line, secret: name });
            }
          }
        }
        const keep = Math.min(overlap, end);
        lines += countNewlines(view.subarray(0, end - keep));
        buffer.copy(buffer, 0, end - keep, end);
        carried = keep;
      }
    } finally {
      closeSync(fd);
    }
  }
  return report;
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) count++;
  return count;
}

/**
 * The secrets generated outside the stack's secrets.json that must not be logged either: the
 * tests' own (testkit appends each it generates to this file of the stack's folder, one
 * `name=value` a line).
 */
export function generatedTestSecrets(home: string): Record<string, string> {
  const file = join(home, 'test-secrets');
  if (!existsSync(file)) return {};
  const secrets: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) secrets[line.slice(0, at)] = line.slice(at + 1);
  }
  return secrets;
}
