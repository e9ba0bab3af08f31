import { errorMessage, InventoryError } from '@inventory/core';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { parseSchema } from './schemas.ts';

/** What the codec needs from a schema registry: ids for writing, schemas for reading. */
export interface SchemaRegistryClient {
  readonly kind: 'confluent' | 'embedded';
  register(subject: string, schemaText: string): Promise<number>;
  schemaById(id: number): Promise<avro.Type>;
}

/**
 * Any Confluent-compatible registry (Confluent, Apicurio's ccompat API, Karapace).
 * The registry enforces the subject's compatibility rule when a new version is registered.
 */
export class ConfluentRegistryClient implements SchemaRegistryClient {
  readonly kind = 'confluent' as const;
  private readonly client: SchemaRegistry;

  constructor(url: string, auth?: { username: string; password: string }) {
    this.client = new SchemaRegistry({ host: url, ...(auth ? { auth } : {}) });
  }

  async register(subject: string, schemaText: string): Promise<number> {
    try {
      return await this.registerOnce(subject, schemaText).catch((error) => {
        // Several writers registering a new subject at once (the apps of every data centre
        // share one registry): the registry may refuse all but the first with 409 "already
        // exists", or the client see the subject's compatibility set by another meanwhile.
        // Registering the same schema again answers its id; a schema the subject truly
        // refuses is refused again.
        if (isRegistrationRace(error)) return this.registerOnce(subject, schemaText);
        throw error;
      });
    } catch (error) {
      if (isTransportError(error))
        throw new InventoryError(
          'REGISTRY_UNAVAILABLE',
          `registering a schema for ${subject}: ${errorMessage(error)}`,
          {
            cause: error,
          },
        );
      throw new InventoryError('SCHEMA_REFUSED', `registry refused a schema for ${subject}`, {
        cause: error,
      });
    }
  }

  private async registerOnce(subject: string, schemaText: string): Promise<number> {
    const { id } = await this.client.register({ type: SchemaType.AVRO, schema: schemaText }, { subject });
    return id;
  }

  async schemaById(id: number): Promise<avro.Type> {
    try {
      return (await this.client.getSchema(id)) as unknown as avro.Type;
    } catch (error) {
      if (isTransportError(error))
        throw new InventoryError('REGISTRY_UNAVAILABLE', `reading schema id ${id}: ${errorMessage(error)}`, {
          cause: error,
        });
      throw new InventoryError('SCHEMA_UNKNOWN', `registry has no schema with id ${id}`, { cause: error });
    }
  }
}

/** A refusal that another writer registering the same new subject at that moment explains. */
function isRegistrationRace(error: unknown): boolean {
  return (
    (error as { status?: unknown } | null)?.status === 409 ||
    (error as { name?: unknown } | null)?.name === 'ConfluentSchemaRegistryCompatibilityError'
  );
}

/**
 * Whether a registry call failed on the way (a retry can help) rather than being refused.
 * The client reports a registry it could not reach (refused, reset, DNS, timeout) as a
 * status 400 whose message is the socket error, not as a missing status: those are told
 * from a real 400 answer by the network error they name.
 */
export function isTransportError(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number' || status >= 500 || status === 408 || status === 429) return true;
  const message = error instanceof Error ? error.message : '';
  return (
    status === 400 &&
    /E(CONNRESET|CONNREFUSED|TIMEDOUT|HOSTUNREACH|NETUNREACH|PIPE|AI_AGAIN|NOTFOUND)|socket hang up|timeout/i.test(
      message,
    )
  );
}

/**
 * Used when no registry is configured: the id of a schema is derived from its canonical
 * fingerprint, so every process that ships the same .avsc files agrees on ids without any
 * coordination. Only schemas this process knows can be read.
 */
export class EmbeddedRegistry implements SchemaRegistryClient {
  readonly kind = 'embedded' as const;
  private readonly byId = new Map<number, avro.Type>();

  constructor(knownSchemas: Iterable<string> = []) {
    for (const text of knownSchemas) this.add(text);
  }

  async register(_subject: string, schemaText: string): Promise<number> {
    return this.add(schemaText);
  }

  async schemaById(id: number): Promise<avro.Type> {
    const type = this.byId.get(id);
    if (!type) throw new InventoryError('SCHEMA_UNKNOWN', `no known schema has fingerprint id ${id}`);
    return type;
  }

  private add(schemaText: string): number {
    const type = parseSchema(schemaText, 'embedded registry');
    const id = fingerprintId(type);
    this.byId.set(id, type);
    return id;
  }
}

/** First 31 bits of the schema's SHA-256 Parsing Canonical Form fingerprint. */
export function fingerprintId(type: avro.Type): number {
  return type.fingerprint('sha256').readUInt32BE(0) & 0x7fffffff;
}
