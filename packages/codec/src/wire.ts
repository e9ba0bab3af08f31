import { InventoryError } from '@inventory/core';

/**
 * Confluent wire format: magic byte 0, the schema id as a big-endian int32, then the
 * Avro binary body. Any Confluent-compatible consumer (Connect, ksqlDB, Spark) can read it.
 */
export const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

export interface WireFrame {
  schemaId: number;
  body: Buffer;
}

export function encodeFrame(schemaId: number, body: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) {
    throw new InventoryError('CODEC_BAD_SCHEMA_ID', `schema id ${schemaId} is not a non-negative int32`);
  }
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

export function decodeFrame(buffer: Buffer): WireFrame {
  if (buffer.length < HEADER_LENGTH) {
    throw new InventoryError(
      'CODEC_MALFORMED',
      `message of ${buffer.length} bytes is shorter than the 5-byte header`,
    );
  }
  const magic = buffer.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new InventoryError('CODEC_MALFORMED', `unknown magic byte ${magic}; expected ${MAGIC_BYTE}`);
  }
  return { schemaId: buffer.readInt32BE(1), body: buffer.subarray(HEADER_LENGTH) };
}
