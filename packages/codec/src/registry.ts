import { errorMessage, InventoryError } from '@inventory/core';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { parseSchema } from './schemas.ts';

/** What the codec needs from a schema registry: ids for writing, schemas for reading. */
export interface SchemaRegistryClient {
  readonly kind: 'confluent' | 'embedded';
  register(subject: string, schemaText: string): Promise<number>;
  schemaById(id: number): Promise<avro.Type>;
}

/** How long one call to the registry may take before it counts as unreachable. */
const REGISTRY_TIMEOUT_MS = 10_000;

/**
 * Any Confluent-compatible registry (Confluent, Apicurio's ccompat API, Karapace).
 *
 * Registration is one POST to `/subjects/<subject>/versions`, which answers the id of a
 * schema the subject already holds and applies the registry's compatibility rule (BACKWARD:
 * Confluent's default, and the local stack's setting for Apicurio) to a new one. The
 * registry client library is not used for it: it reads and then sets the subject's own
 * compatibility around the POST, and a writer that reads in between sees a subject without
 * that setting and fails; a writer that stops in between leaves the subject so for good.
 * The apps of every data centre share one registry and register a new subject at the same
 * moment (the first reservations after a deployment).
 */
export class ConfluentRegistryClient implements SchemaRegistryClient {
  readonly kind = 'confluent' as const;
  private readonly client: SchemaRegistry;
  private readonly url: string;
  private readonly authorization: string | undefined;

  constructor(url: string, auth?: { username: string; password: string }) {
    this.client = new SchemaRegistry({ host: url, ...(auth ? { auth } : {}) });
    this.url = url.replace(/\/+$/, '');
    this.authorization = auth
      ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
      : undefined;
  }

  async register(subject: string, schemaText: string): Promise<number> {
    const first = await this.registerOnce(subject, schemaText);
    if (first.kind === 'registered') return first.id;
    // Writers creating a new subject at once: the registry may refuse all but the first with
    // 409. Registering the same schema again answers the winner's id; a schema the subject
    // truly refuses is refused again.
    const outcome = first.status === 409 ? await this.registerOnce(subject, schemaText) : first;
    if (outcome.kind === 'registered') return outcome.id;
    const reason = `${outcome.status} ${outcome.message}`;
    if (outcome.kind === 'unavailable')
      throw new InventoryError('REGISTRY_UNAVAILABLE', `registering a schema for ${subject}: ${reason}`);
    throw new InventoryError('SCHEMA_REFUSED', `registry refused a schema for ${subject}: ${reason}`);
  }

  private async registerOnce(subject: string, schemaText: string): Promise<Registration> {
    let response: Response;
    let body: string;
    try {
      response = await fetch(`${this.url}/subjects/${encodeURIComponent(subject)}/versions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/vnd.schemaregistry.v1+json',
          accept: 'application/vnd.schemaregistry.v1+json, application/json',
          ...(this.authorization ? { authorization: this.authorization } : {}),
        },
        body: JSON.stringify({ schema: schemaText }),
        signal: AbortSignal.timeout(REGISTRY_TIMEOUT_MS),
      });
      body = await response.text();
    } catch (error) {
      throw new InventoryError(
        'REGISTRY_UNAVAILABLE',
        `registering a schema for ${subject}: ${failureOf(error)}`,
        { cause: error },
      );
    }
    return registrationOf(response.status, body);
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

/** A failed fetch names its network cause (`fetch failed (ECONNREFUSED)`). */
function failureOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const detail = typeof cause?.code === 'string' ? cause.code : cause?.message;
  return typeof detail === 'string' ? `${errorMessage(error)} (${detail})` : errorMessage(error);
}

/** What one registration POST answered. */
export type Registration =
  | { kind: 'registered'; id: number }
  | { kind: 'refused' | 'unavailable'; status: number; message: string };

/**
 * Reads a registration answer: an id, a refusal (4xx: invalid or incompatible schema,
 * credentials), or a registry that cannot answer now (5xx, 408, 429), which a retry can help.
 */
export function registrationOf(status: number, body: string): Registration {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const fields = (parsed ?? {}) as { id?: unknown; message?: unknown };
  if (status >= 200 && status < 300) {
    if (Number.isSafeInteger(fields.id) && (fields.id as number) >= 0)
      return { kind: 'registered', id: fields.id as number };
    return { kind: 'unavailable', status, message: `answer without a schema id: ${body.slice(0, 200)}` };
  }
  const message = typeof fields.message === 'string' ? fields.message : body.slice(0, 200);
  const unavailable = status >= 500 || status === 408 || status === 429;
  return { kind: unavailable ? 'unavailable' : 'refused', status, message };
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
