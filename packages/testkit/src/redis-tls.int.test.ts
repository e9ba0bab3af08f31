import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { createLogger, waitFor } from '@inventory/core';
import { redisFromSettings } from '@inventory/service';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takePort } from './process.ts';

const logger = createLogger('redis-tls-test', 'silent');

/** Runs openssl in `dir`, failing with its output. */
function openssl(dir: string, args: string[]): void {
  const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr}`);
}

/**
 * REDIS_URL over TLS (`rediss://`) against a real redis-server listening with TLS only, its
 * certificate signed by a CA made for the test: the app's client verifies it with
 * REDIS_CA_FILE's CA, and without it (the system's CAs) refuses the server.
 */
describe('Redis over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
  const password = randomBytes(18).toString('base64url');
  let server: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(dir, [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=test-ca',
    ]);
    openssl(dir, ['req', ...ec, '-keyout', 'redis.key', '-out', 'redis.csr', '-subj', '/CN=127.0.0.1']);
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      'redis.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'redis.crt',
      '-days',
      '1',
      '-extfile',
      'san.ext',
    ]);
    port = takePort();
    // The password in a config file, not in the arguments `ps` shows.
    writeFileSync(
      join(dir, 'redis.conf'),
      [
        'port 0',
        `tls-port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `tls-cert-file ${join(dir, 'redis.crt')}`,
        `tls-key-file ${join(dir, 'redis.key')}`,
        `tls-ca-cert-file ${join(dir, 'ca.crt')}`,
        'tls-auth-clients no',
        'save ""',
        `requirepass ${password}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    server = spawn('redis-server', [join(dir, 'redis.conf')], { stdio: 'ignore' });
    const ca = readFileSync(join(dir, 'ca.crt'));
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port, ca }, () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        }),
      { description: `redis-server with TLS on ${port}`, timeoutMs: 20_000, intervalMs: 50 },
    );
  });

  afterAll(() => {
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const settings = (url: string, ca?: string) => ({
    REDIS_URL: url,
    REDIS_URL_FILE: undefined,
    REDIS_CA_FILE: ca,
    REDIS_PREFIX: 'inv',
  });

  it('connects with rediss:// and the CA of REDIS_CA_FILE', async () => {
    const redis = redisFromSettings(
      settings(`rediss://:${password}@127.0.0.1:${port}`, join(dir, 'ca.crt')),
      logger,
    ) as Redis;
    try {
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.set('tls-check', 'ok')).toBe('OK');
    } finally {
      redis.disconnect();
    }
  });

  it("refuses the server's certificate without the CA (the system's CAs do not know it)", async () => {
    const redis = redisFromSettings(settings(`rediss://:${password}@127.0.0.1:${port}`), logger, {
      lazyConnect: true,
    });
    const errors: string[] = [];
    redis.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    await redis.connect().catch(() => {});
    await waitFor(() => errors.length > 0, { description: 'a TLS error', timeoutMs: 10_000, intervalMs: 20 });
    redis.disconnect();
    expect(errors[0]).toBe('SELF_SIGNED_CERT_IN_CHAIN');
  });

  it('refuses a CA for a URL without TLS, by the settings’ names', () => {
    expect(() =>
      redisFromSettings(settings(`redis://:${password}@127.0.0.1:${port}`, join(dir, 'ca.crt')), logger),
    ).toThrow(
      'invalid configuration: REDIS_CA_FILE is set but REDIS_URL is not rediss:// or rediss-cluster://',
    );
  });
});
