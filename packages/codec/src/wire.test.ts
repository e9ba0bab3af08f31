import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from './wire.ts';

describe('Confluent wire format', () => {
  it('puts magic byte 0 and the big-endian schema id before the body', () => {
    const frame = encodeFrame(258, Buffer.from([0xaa, 0xbb]));
    expect([...frame]).toEqual([0, 0, 0, 1, 2, 0xaa, 0xbb]);
    expect(decodeFrame(frame)).toEqual({ schemaId: 258, body: Buffer.from([0xaa, 0xbb]) });
  });

  it('refuses a frame shorter than the header', () => {
    expect(() => decodeFrame(Buffer.from([0, 0, 1]))).toThrow(/shorter than the 5-byte header/);
  });

  it('refuses an unknown magic byte (e.g. plain JSON)', () => {
    expect(() => decodeFrame(Buffer.from('{"sku":"x"}'))).toThrow(/unknown magic byte 123/);
  });

  it('refuses a schema id outside int32', () => {
    expect(() => encodeFrame(-1, Buffer.alloc(0))).toThrow(/schema id/);
    expect(() => encodeFrame(2 ** 31, Buffer.alloc(0))).toThrow(/schema id/);
  });
});
