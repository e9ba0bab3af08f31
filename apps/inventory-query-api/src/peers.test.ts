import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPeers } from './peers.ts';

const dir = mkdtempSync(join(tmpdir(), 'peers-test-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('QUERY_PEERS_FILE', () => {
  it("gives each peer's brokers, its CA and its SCRAM credentials, the password read from its file", () => {
    const ca = file('ca.crt', 'CERT');
    const password = file('password', 's3cret\n');
    const peers = readPeers(
      file(
        'ok.json',
        JSON.stringify({
          dataCentres: [
            {
              dataCentre: 'dc2',
              brokers: 'a:1,b:2',
              caFile: ca,
              username: 'inventory-query-api',
              passwordFile: password,
            },
            { dataCentre: 'dc3', brokers: 'c:3' },
          ],
        }),
      ),
      'dc1',
    );
    expect(peers).toEqual([
      {
        dataCentre: 'dc2',
        client: {
          brokers: ['a:1', 'b:2'],
          ssl: { ca: ['CERT'] },
          sasl: { mechanism: 'scram-sha-512', username: 'inventory-query-api', password: 's3cret' },
        },
      },
      { dataCentre: 'dc3', client: { brokers: ['c:3'] } },
    ]);
  });

  it.each([
    ['{', 'is not readable JSON'],
    ['{"dataCentres": []}', 'dataCentres: Too small'],
    ['{"dataCentres": [{"dataCentre": "dc2"}]}', 'dataCentres.0.brokers'],
    [
      '{"dataCentres": [{"dataCentre": "dc2", "brokers": "a:1", "username": "u"}]}',
      'username and passwordFile go together',
    ],
    ['{"dataCentres": [{"dataCentre": "dc2", "brokers": "a:1", "password": "p"}]}', 'Unrecognized key'],
    ['{"dataCentres": [{"dataCentre": "dc1", "brokers": "a:1"}]}', 'names dc1, this data centre'],
    [
      '{"dataCentres": [{"dataCentre": "dc2", "brokers": "a:1"}, {"dataCentre": "dc2", "brokers": "b:1"}]}',
      'names a data centre twice',
    ],
  ])('refuses a wrong file by what is wrong: %s', (content, reason) => {
    const path = file(`bad-${Math.random()}.json`, content);
    expect(() => readPeers(path, 'dc1')).toThrow(reason);
  });
});
