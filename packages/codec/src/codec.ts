import { InventoryError, isRetriable } from '@inventory/core';
import type avro from 'avsc';
import type { SchemaRegistryClient } from './registry.ts';
import { type LoadedSchema, loadAllSchemas } from './schemas.ts';
import type { SchemaName, SchemaValues } from './types.ts';
import { decodeFrame, encodeFrame } from './wire.ts';

export interface ValueProblem {
  path: string;
  message: string;
}

/**
 * Encodes values of the platform's schemas for one subject each (TopicNameStrategy:
 * `<topic>-value`), and decodes any frame whose writer schema the registry knows into the
 * current reader schema, so consumers keep working across backward-compatible changes.
 */
export class AvroCodec {
  private readonly schemas: Map<SchemaName, LoadedSchema>;
  private readonly idBySubject = new Map<string, Promise<number>>();
  private readonly writerById = new Map<number, Promise<avro.Type>>();
  private readonly writerTypes = new Map<number, avro.Type>();
  private readonly resolvers = new Map<string, avro.Resolver | null>();

  constructor(
    readonly registry: SchemaRegistryClient,
    schemas: Map<SchemaName, LoadedSchema> = loadAllSchemas(),
  ) {
    this.schemas = schemas;
  }

  schema(name: SchemaName): LoadedSchema {
    const schema = this.schemas.get(name);
    if (!schema) throw new InventoryError('SCHEMA_UNKNOWN', `schema ${name} is not loaded`);
    return schema;
  }

  /** Registers (once per subject and process) and returns the writer schema id. */
  schemaId(subject: string, name: SchemaName): Promise<number> {
    const key = `${subject}\u0000${name}`;
    let id = this.idBySubject.get(key);
    if (!id) {
      id = this.registry.register(subject, this.schema(name).text);
      // A failed registration must not poison the cache: the next call retries.
      id.catch(() => this.idBySubject.delete(key));
      this.idBySubject.set(key, id);
    }
    return id;
  }

  async encode<N extends SchemaName>(subject: string, name: N, value: SchemaValues[N]): Promise<Buffer> {
    const [buffer] = await this.encodeAll(subject, name, [value]);
    return buffer as Buffer;
  }

  /** Encodes many values of one subject: one id lookup, then synchronous encoding. */
  async encodeAll<N extends SchemaName>(
    subject: string,
    name: N,
    values: SchemaValues[N][],
  ): Promise<Buffer[]> {
    const { type } = this.schema(name);
    const id = await this.schemaId(subject, name);
    return values.map((value) => {
      // The cheap check first; the detailed walk only for a value that fails it.
      if (!type.isValid(value)) {
        const problems = validate(type, value);
        throw new InventoryError(
          'CODEC_INVALID_VALUE',
          `value does not match ${name}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
          { details: { problems } },
        );
      }
      return encodeFrame(id, type.toBuffer(value));
    });
  }

  /**
   * Fetches the writer schemas the frames name, once per id, so that decodeSync can run
   * without awaiting per record. An id the registry does not know is left for decodeSync to
   * report; a registry that cannot be reached throws (retriable).
   */
  async preloadWriters(buffers: (Buffer | null | undefined)[]): Promise<void> {
    const ids = new Set<number>();
    for (const buffer of buffers) {
      if (buffer && buffer.length >= 5 && buffer[0] === 0) ids.add(buffer.readInt32BE(1));
    }
    for (const id of ids) {
      if (this.writerTypes.has(id)) continue;
      try {
        this.writerTypes.set(id, await this.writer(id));
      } catch (error) {
        if (isRetriable(error)) throw error;
      }
    }
  }

  async decode<N extends SchemaName>(buffer: Buffer, name: N): Promise<SchemaValues[N]> {
    await this.preloadWriters([buffer]);
    return this.decodeSync(buffer, name);
  }

  /** Decodes a frame whose writer schema preloadWriters has fetched. */
  decodeSync<N extends SchemaName>(buffer: Buffer, name: N): SchemaValues[N] {
    const { schemaId, body } = decodeFrame(buffer);
    const writer = this.writerTypes.get(schemaId);
    if (!writer) throw new InventoryError('SCHEMA_UNKNOWN', `the registry has no schema with id ${schemaId}`);
    const reader = this.schema(name).type;
    const resolver = this.resolver(schemaId, name, reader, writer);
    try {
      return (resolver ? reader.fromBuffer(body, resolver) : reader.fromBuffer(body)) as SchemaValues[N];
    } catch (error) {
      throw new InventoryError('CODEC_MALFORMED', `body does not decode as ${name} (schema id ${schemaId})`, {
        cause: error,
      });
    }
  }

  private writer(id: number): Promise<avro.Type> {
    let writer = this.writerById.get(id);
    if (!writer) {
      writer = this.registry.schemaById(id);
      writer.catch(() => this.writerById.delete(id));
      this.writerById.set(id, writer);
    }
    return writer;
  }

  private resolver(id: number, name: SchemaName, reader: avro.Type, writer: avro.Type): avro.Resolver | null {
    const key = `${id}\u0000${name}`;
    if (!this.resolvers.has(key)) {
      if (reader.equals(writer)) {
        this.resolvers.set(key, null);
      } else {
        try {
          this.resolvers.set(key, reader.createResolver(writer));
        } catch (error) {
          throw new InventoryError(
            'CODEC_INCOMPATIBLE',
            `schema id ${id} cannot be read as the current ${name} schema`,
            { cause: error },
          );
        }
      }
    }
    return this.resolvers.get(key) ?? null;
  }
}

/** Every path at which `value` violates `type`, in avsc's dotted notation. */
export function validate(type: avro.Type, value: unknown): ValueProblem[] {
  const problems: ValueProblem[] = [];
  type.isValid(value, {
    errorHook: (path: string[], part: unknown, partType: avro.Type) => {
      problems.push({
        path: path.join('.') || '(root)',
        message: `${JSON.stringify(part) ?? 'undefined'} is not a valid ${describe(partType)}`,
      });
    },
  });
  return problems;
}

function describe(type: avro.Type): string {
  return type.typeName === 'record' || type.typeName === 'enum'
    ? (type.name ?? type.typeName)
    : type.typeName;
}
