import { describe, expect, it } from 'vitest';
import { jsonKeyProblem, parseRequestJson } from './json.ts';

describe('JSON request bodies', () => {
  it('refuses a key repeated within one object, anywhere, escaped or not; the same key in two objects is fine', () => {
    expect(jsonKeyProblem('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}')).toBeUndefined();
    expect(jsonKeyProblem('{"a":1,"a":2}')).toBe('repeats the key "a" in one object');
    expect(jsonKeyProblem('{"x":[1,{"q":"\\"a\\"","\\u0071":2}]}')).toBe('repeats the key "q" in one object');
    expect(jsonKeyProblem('{"s":"{\\"a\\":1,\\"a\\":2}"}')).toBeUndefined();
    expect(jsonKeyProblem('[{"k":1},{"k":2}]')).toBeUndefined();
    expect(jsonKeyProblem(`{"${'k'.repeat(100)}":1,"${'k'.repeat(100)}":2}`)).toBe(
      `repeats the key "${'k'.repeat(64)}..." in one object`,
    );
  });

  it('refuses a __proto__ key (also escaped), not a "constructor" value', () => {
    expect(jsonKeyProblem('{"a":{"__proto__":{"admin":true}}}')).toBe('has a "__proto__" key');
    expect(jsonKeyProblem('{"\\u005f_proto__":{}}')).toBe('has a "__proto__" key');
    expect(jsonKeyProblem('{"name":"__proto__","constructor":"x"}')).toBeUndefined();
  });

  it('parses deep nesting without recursion, and says what is wrong without the payload', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(Array.isArray(parseRequestJson(deep))).toBe(true);
    const message = (text: string) => {
      try {
        parseRequestJson(text);
      } catch (error) {
        return [(error as { code: string }).code, (error as Error).message];
      }
      return undefined;
    };
    expect(message('')).toEqual(['MALFORMED_JSON', 'request body is empty']);
    expect(message('{"secret-payload":')).toEqual(['MALFORMED_JSON', 'request body is not valid JSON']);
    expect(message('{"a":1,"a":1}')).toEqual([
      'MALFORMED_JSON',
      'request body repeats the key "a" in one object',
    ]);
  });
});
