import { readFileSync } from 'node:fs';
import { z } from '@inventory/config';
import { InventoryError } from '@inventory/core';
import type { KafkaClientOptions } from '@inventory/kafka';

/**
 * How this data centre's query API reaches the other data centres' Kafka, to send a
 * reservation to the data centre that decides it (the home of its location) and hear the
 * outcome there: QUERY_PEERS_FILE, JSON, one entry per data centre, its password by file
 * (a mounted Secret), never in the file itself.
 *
 *   {"dataCentres": [{"dataCentre": "dc2", "brokers": "kafka.dc2:9093", "caFile": "...",
 *                     "username": "inventory-query-api", "passwordFile": "..."}]}
 */
const peerSchema = z
  .object({
    dataCentre: z.string().min(1),
    brokers: z.string().min(1),
    caFile: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((p) => (p.username === undefined) === (p.passwordFile === undefined), {
    message: 'username and passwordFile go together',
  });
const peersSchema = z.object({ dataCentres: z.array(peerSchema).min(1) }).strict();

export interface PeerConnection {
  dataCentre: string;
  /** The kafkajs client's way in (brokers, TLS with the peer's CA, SCRAM). */
  client: Pick<KafkaClientOptions, 'brokers' | 'ssl' | 'sasl'>;
}

/** The peers of QUERY_PEERS_FILE; a wrong file fails start-up naming what is wrong. */
export function readPeers(file: string, localDataCentre: string): PeerConnection[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InventoryError('CONFIG_INVALID', `QUERY_PEERS_FILE ${file} is not readable JSON`, {
      cause: error,
    });
  }
  const parsed = peersSchema.safeParse(json);
  if (!parsed.success)
    throw new InventoryError(
      'CONFIG_INVALID',
      `QUERY_PEERS_FILE ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`,
    );
  const names = parsed.data.dataCentres.map((p) => p.dataCentre);
  if (names.includes(localDataCentre))
    throw new InventoryError(
      'CONFIG_INVALID',
      `QUERY_PEERS_FILE ${file} names ${localDataCentre}, this data centre`,
    );
  if (new Set(names).size !== names.length)
    throw new InventoryError('CONFIG_INVALID', `QUERY_PEERS_FILE ${file} names a data centre twice`);
  return parsed.data.dataCentres.map((peer) => ({
    dataCentre: peer.dataCentre,
    client: {
      brokers: peer.brokers.split(','),
      ...(peer.caFile || peer.username
        ? { ssl: peer.caFile ? { ca: [readFileSync(peer.caFile, 'utf8')] } : true }
        : {}),
      ...(peer.username && peer.passwordFile
        ? {
            sasl: {
              mechanism: 'scram-sha-512' as const,
              username: peer.username,
              password: readFileSync(peer.passwordFile, 'utf8').trim(),
            },
          }
        : {}),
    },
  }));
}
