import { describe, expect, it } from 'vitest';
import { backwardIncompatibility, loadAllSchemas, loadHistory, parseSchema, schemaFiles } from './schemas.ts';
import { inventoryEventSources, inventoryEventTypes, locationKinds, type SchemaName } from './types.ts';

const names = Object.keys(schemaFiles) as SchemaName[];

describe('committed schemas', () => {
  it.each(names)('%s is backward compatible with every released version', (name) => {
    const current = loadAllSchemas().get(name)?.type;
    const history = loadHistory(name);
    expect(history.length).toBeGreaterThan(0);
    for (const released of history) {
      const problem = current && backwardIncompatibility(current, released.type);
      expect(problem, `${name} cannot read data written with ${released.file}`).toBeUndefined();
    }
  });

  it.each(names)(
    '%s: the newest released version is the current schema (snapshot a change as v<N+1>)',
    (name) => {
      const current = loadAllSchemas().get(name)?.type;
      const newest = loadHistory(name).at(-1);
      expect(
        newest && current?.equals(newest.type),
        `schemas/avro for ${name} differs from its newest snapshot`,
      ).toBe(true);
    },
  );

  it('the compatibility check catches a breaking change', () => {
    const v1 = parseSchema('{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}', 'v1');
    const addedWithoutDefault = parseSchema(
      '{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"b","type":"string"}]}',
      'v2',
    );
    const addedWithDefault = parseSchema(
      '{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"b","type":"string","default":""}]}',
      'v2',
    );
    expect(backwardIncompatibility(addedWithoutDefault, v1)).toBeDefined();
    expect(backwardIncompatibility(addedWithDefault, v1)).toBeUndefined();
  });

  it('TypeScript enums match the Avro symbols', () => {
    const schema = (name: SchemaName) => JSON.parse(loadAllSchemas().get(name)?.text ?? '{}');
    const symbols = (name: SchemaName, field: string) =>
      schema(name).fields.find((f: { name: string }) => f.name === field).type.symbols;
    expect(symbols('InventoryEvent', 'type')).toEqual([...inventoryEventTypes]);
    expect(symbols('InventoryEvent', 'source')).toEqual([...inventoryEventSources]);
    expect(symbols('Location', 'kind')).toEqual([...locationKinds]);
  });
});
