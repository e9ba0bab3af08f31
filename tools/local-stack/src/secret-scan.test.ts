import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedTestSecrets, scanForSecrets } from './secret-scan.ts';

describe('the log scan for secrets', () => {
  const secrets = {
    redisPassword: 'rP4ssw0rd-AbCdEfGhIjKl',
    s3SecretAccessKey: 'sEcReT/key+with=chars-0123',
    short: 'abc',
  };

  it('names each secret with its file and line, in any file under the folders, never the value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'));
    mkdirSync(join(dir, 'test-apps'));
    writeFileSync(join(dir, 'kafka.log'), 'started\nnothing here\n');
    writeFileSync(
      join(dir, 'test-apps', 'query-1.log'),
      `{"msg":"connect"}\n{"url":"redis://app:${secrets.redisPassword}@h:1"}\n{"again":"${secrets.redisPassword}${secrets.redisPassword}"}\n`,
    );
    // As a URL carries it: percent-encoded.
    writeFileSync(
      join(dir, 'recon.log'),
      `x\ny\ns3://k:${encodeURIComponent(secrets.s3SecretAccessKey)}@h abc abc\n`,
    );
    const report = scanForSecrets([dir], secrets);
    expect(report.files).toBe(3);
    expect(report.findings).toEqual([
      { file: join(dir, 'recon.log'), line: 3, secret: 's3SecretAccessKey' },
      { file: join(dir, 'test-apps', 'query-1.log'), line: 2, secret: 'redisPassword' },
      { file: join(dir, 'test-apps', 'query-1.log'), line: 3, secret: 'redisPassword' },
    ]);
    expect(JSON.stringify(report)).not.toContain(secrets.redisPassword);
  });

  it('finds a secret across the edge of the chunks it reads a file in, on the right line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'));
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i} ${'.'.repeat(i)}`);
    lines[31] = `token ${secrets.redisPassword} end`;
    writeFileSync(join(dir, 'big.log'), `${lines.join('\n')}\n`);
    for (const chunkBytes of [7, 16, 64, 1_000, 100_000])
      expect(scanForSecrets([dir], secrets, { chunkBytes }).findings).toEqual([
        { file: join(dir, 'big.log'), line: 32, secret: 'redisPassword' },
      ]);
  });

  it('reports nothing for clean logs, and reads the tests’ generated secrets as name=value lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'));
    writeFileSync(join(dir, 'a.log'), 'clean\n');
    expect(scanForSecrets([dir, join(dir, 'absent')], secrets)).toEqual({ files: 1, bytes: 6, findings: [] });
    writeFileSync(
      join(dir, 'test-secrets'),
      'redis:inventory-aggregator.agg-1=pw-one-0123456789\nbad line\n',
    );
    expect(generatedTestSecrets(dir)).toEqual({ 'redis:inventory-aggregator.agg-1': 'pw-one-0123456789' });
    expect(generatedTestSecrets(join(dir, 'absent'))).toEqual({});
  });
});
