import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineAndColumn } from './json-position.ts';

describe('jsonErrorOffset', () => {
  it.each([
    ['{"a": SALE}', 6],
    ['{"a": 1,,}', 8],
    ['{"a": 1', 7],
    ['[1, 2', 5],
    ['{"a": "x\ny"}', 8],
    ['{"a": 01}', 7],
    ['{"a": 1} x', 9],
    ['{a: 1}', 1],
    ['"\\q"', 2],
  ])('finds the error in %j at %i', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
  });

  it.each(['{}', '[]', '{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]}', ' 42 '])(
    'finds none in %j',
    (text) => {
      expect(jsonErrorOffset(text)).toBe(-1);
      expect(() => JSON.parse(text)).not.toThrow();
    },
  );

  it('converts an offset to line and column', () => {
    expect(lineAndColumn('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
  });
});
