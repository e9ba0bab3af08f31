import { AvroCodec } from './codec.ts';
import { ConfluentRegistryClient, EmbeddedRegistry } from './registry.ts';
import { loadAllSchemas, loadHistory } from './schemas.ts';
import type { SchemaName } from './types.ts';

export interface CodecOptions {
  /** A Confluent-compatible registry; without one, fingerprint ids are used. */
  registryUrl?: string | undefined;
  registryAuth?: { username: string; password: string } | undefined;
}

export function createCodec(options: CodecOptions = {}): AvroCodec {
  const schemas = loadAllSchemas();
  if (options.registryUrl) {
    return new AvroCodec(new ConfluentRegistryClient(options.registryUrl, options.registryAuth), schemas);
  }
  // The embedded registry knows every released version, so data written by older
  // producers stays readable after an upgrade.
  const known: string[] = [];
  for (const [name, schema] of schemas) {
    known.push(schema.text);
    for (const old of loadHistory(name as SchemaName)) known.push(JSON.stringify(old.type.schema()));
  }
  return new AvroCodec(new EmbeddedRegistry(known), schemas);
}
