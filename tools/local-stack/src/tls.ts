import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InventoryError } from '@inventory/core';

/** The stack's certificate authority and the broker's key and certificate, PEM files. */
export interface StackTls {
  /** The CA's certificate: what every client and the broker trust. */
  caFile: string;
  /** The broker's private key (PKCS#8, unencrypted, 0600) followed by its certificate and the CA's. */
  brokerKeystoreFile: string;
}

/** The broker's name in its certificate; the controller listener maps it to the principal `User:<this>`. */
export const brokerCommonName = 'kafka-broker';

/** Runs openssl in `dir`, failing with what it printed (which holds no key: keys go to files). */
function openssl(dir: string, args: string[]): void {
  const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    throw new InventoryError(
      'STACK_START_FAILED',
      `openssl ${args[0]} failed: ${run.error?.message ?? run.stderr.trim()}`,
    );
  }
}

const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * A CA and a broker certificate for 127.0.0.1 and localhost, made on the first `up` under the
 * stack's git-ignored home and kept: nothing of it is committed, and a client that trusted the
 * CA once keeps working across restarts. The broker's certificate serves its client listener
 * and, with client authentication, its controller listener.
 */
export function ensureStackTls(home: string): StackTls {
  const dir = join(home, 'tls');
  const tls: StackTls = { caFile: join(dir, 'ca.crt'), brokerKeystoreFile: join(dir, 'broker.pem') };
  if (existsSync(tls.caFile) && existsSync(tls.brokerKeystoreFile)) return tls;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '3650',
    '-subj',
    '/CN=inventory local stack CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl(dir, [
    'req',
    ...ec,
    '-keyout',
    'broker.key',
    '-out',
    'broker.csr',
    '-subj',
    `/CN=${brokerCommonName}`,
  ]);
  writeFileSync(
    join(dir, 'broker.ext'),
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'extendedKeyUsage=serverAuth,clientAuth',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      '',
    ].join('\n'),
  );
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'broker.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'broker.crt',
    '-days',
    '825',
    '-extfile',
    'broker.ext',
  ]);
  for (const key of ['ca.key', 'broker.key']) chmodSync(join(dir, key), 0o600);
  const pem = ['broker.key', 'broker.crt', 'ca.crt'].map((f) => readFileSync(join(dir, f), 'utf8')).join('');
  writeFileSync(tls.brokerKeystoreFile, pem, { mode: 0o600 });
  for (const f of ['broker.csr', 'broker.ext', 'ca.srl']) rmSync(join(dir, f), { force: true });
  return tls;
}
