import { describe, expect, it } from 'vitest';
import { AvroCodec } from './codec.ts';
import { createCodec } from './create.ts';
import { EmbeddedRegistry, fingerprintId } from './registry.ts';
import {
  sampleAvailability,
  sampleEvent,
  sampleLocation,
  samplePurchaseOrder,
  sampleReservation,
  sampleReservationCommand,
  sampleReservationOutcome,
  sampleSoldQuantity,
  sampleStockLevel,
} from './samples.ts';
import { loadAllSchemas, parseSchema } from './schemas.ts';
import { decodeFrame } from './wire.ts';

describe('AvroCodec with the embedded registry', () => {
  const codec = createCodec();

  it('round-trips a value of every schema', async () => {
    const samples = [
      ['InventoryEvent', sampleEvent],
      ['StockLevel', sampleStockLevel],
      ['SkuAvailability', sampleAvailability],
      ['Location', sampleLocation],
      ['ReservationCommand', sampleReservationCommand],
      ['ReservationOutcome', sampleReservationOutcome],
      ['PurchaseOrder', samplePurchaseOrder],
      ['SoldQuantity', sampleSoldQuantity],
      ['Reservation', sampleReservation],
    ] as const;
    for (const [name, value] of samples) {
      const buffer = await codec.encode('t-value', name, value);
      expect(await codec.decode(buffer, name)).toEqual(value);
    }
  });

  it('writes the schema fingerprint id, the same in every process', async () => {
    const buffer = await codec.encode('t-value', 'InventoryEvent', sampleEvent);
    expect(decodeFrame(buffer).schemaId).toBe(fingerprintId(codec.schema('InventoryEvent').type));
  });

  it('refuses an invalid value naming each bad field', async () => {
    const bad = { ...sampleEvent, quantity: '2', type: 'THEFT' } as unknown as typeof sampleEvent;
    await expect(codec.encode('t-value', 'InventoryEvent', bad)).rejects.toMatchObject({
      code: 'CODEC_INVALID_VALUE',
      message: expect.stringMatching(/type: "THEFT".*quantity: "2"|quantity: "2".*type: "THEFT"/),
    });
  });

  it('refuses bytes that are not a frame of a known schema', async () => {
    await expect(codec.decode(Buffer.from('not avro'), 'InventoryEvent')).rejects.toMatchObject({
      code: 'CODEC_MALFORMED',
    });
    await expect(codec.decode(Buffer.from([0, 0, 0, 0, 9, 1]), 'InventoryEvent')).rejects.toMatchObject({
      code: 'SCHEMA_UNKNOWN',
    });
  });

  it('refuses a truncated body', async () => {
    const buffer = await codec.encode('t-value', 'InventoryEvent', sampleEvent);
    await expect(codec.decode(buffer.subarray(0, buffer.length - 4), 'InventoryEvent')).rejects.toMatchObject(
      {
        code: 'CODEC_MALFORMED',
      },
    );
  });

  it('reads data written with an older schema version into the current one', async () => {
    // An older writer without `sourceRef`: the current reader fills the default (null).
    const current = loadAllSchemas().get('InventoryEvent');
    const schema = JSON.parse(current?.text ?? '{}') as { fields: { name: string }[] };
    const older = { ...schema, fields: schema.fields.filter((f) => f.name !== 'sourceRef') };
    const olderText = JSON.stringify(older);
    const registry = new EmbeddedRegistry([olderText]);
    const writer = new AvroCodec(
      registry,
      new Map([
        ['InventoryEvent', { name: 'InventoryEvent', text: olderText, type: parseSchema(olderText, 'old') }],
      ]),
    );
    const reader = new AvroCodec(registry);
    const { sourceRef: _dropped, ...oldValue } = sampleEvent;
    const buffer = await writer.encode('t-value', 'InventoryEvent', oldValue as typeof sampleEvent);
    expect(await reader.decode(buffer, 'InventoryEvent')).toEqual({ ...sampleEvent, sourceRef: null });
  });
});

describe('registry errors', () => {
  it('a registry that cannot be reached is retriable; a refused schema is not', async () => {
    const { isTransportError } = await import('./registry.ts');
    const reset = Object.assign(
      new Error('Confluent_Schema_Registry - Error, status 400: connect ECONNRESET 127.0.0.1:1'),
      { status: 400 },
    );
    const refused = Object.assign(
      new Error('Confluent_Schema_Registry - Error, status 400: connect ECONNREFUSED 127.0.0.1:1'),
      { status: 400 },
    );
    const invalid = Object.assign(new Error('Confluent_Schema_Registry - Schema is invalid'), {
      status: 422,
    });
    const incompatible = Object.assign(
      new Error('Confluent_Schema_Registry - Schema being registered is incompatible'),
      { status: 409 },
    );
    const badRequest = Object.assign(new Error('Confluent_Schema_Registry - Invalid schema'), {
      status: 400,
    });
    expect([reset, refused].map(isTransportError)).toEqual([true, true]);
    expect([invalid, incompatible, badRequest].map(isTransportError)).toEqual([false, false, false]);
    expect(isTransportError(Object.assign(new Error('down'), { status: 503 }))).toBe(true);
    expect(isTransportError(new Error('no status at all'))).toBe(true);
  });
});

describe('a registration answer', () => {
  it('gives the id, a refusal with the registry message, or a registry that cannot answer now', async () => {
    const { registrationOf } = await import('./registry.ts');
    expect(registrationOf(200, '{"id":42}')).toEqual({ kind: 'registered', id: 42 });
    expect(
      registrationOf(409, '{"error_code":409,"message":"Schema being registered is incompatible"}'),
    ).toEqual({ kind: 'refused', status: 409, message: 'Schema being registered is incompatible' });
    expect(registrationOf(422, '{"error_code":42201,"message":"Invalid schema"}')).toEqual({
      kind: 'refused',
      status: 422,
      message: 'Invalid schema',
    });
    expect(registrationOf(401, 'Unauthorized')).toEqual({
      kind: 'refused',
      status: 401,
      message: 'Unauthorized',
    });
    expect(registrationOf(503, '<html>busy</html>')).toEqual({
      kind: 'unavailable',
      status: 503,
      message: '<html>busy</html>',
    });
    expect(registrationOf(429, '{}').kind).toBe('unavailable');
    expect(registrationOf(200, '{"name":"x"}')).toEqual({
      kind: 'unavailable',
      status: 200,
      message: 'answer without a schema id: {"name":"x"}',
    });
  });
});

describe('a registry that cannot be reached', () => {
  it('fails a registration as REGISTRY_UNAVAILABLE, which a retry can help', async () => {
    const { ConfluentRegistryClient } = await import('./registry.ts');
    // A loopback port just released: nothing listens there, the connection is refused at once.
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const client = new ConfluentRegistryClient(`http://127.0.0.1:${port}/apis/ccompat/v7/`);
    await expect(client.register('inventory.events.v1-value', '"string"')).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retriable: true,
      message: 'registering a schema for inventory.events.v1-value: fetch failed (ECONNREFUSED)',
    });
  });
});
