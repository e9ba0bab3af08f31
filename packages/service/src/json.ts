import { InventoryError } from '@inventory/core';

const keyText = (key: string) => JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}...` : key);

/**
 * What JSON.parse accepts but a request body must not hold, in text already known to be valid
 * JSON, or undefined: a key repeated within one object (JSON.parse keeps the last, another
 * reader of the same bytes may keep the first) or a `__proto__` key (the start of prototype
 * pollution wherever the object is merged). One pass over the text, a set of keys per open
 * object.
 */
export function jsonKeyProblem(text: string): string | undefined {
  const objects: (Set<string> | undefined)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) {
      objects.push(new Set());
      expectKey = true;
    } else if (c === 0x5b) {
      objects.push(undefined);
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      objects.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = objects[objects.length - 1] !== undefined;
    } else if (c === 0x22) {
      let end = i + 1;
      let escaped = false;
      for (;;) {
        const d = text.charCodeAt(end);
        if (d === 0x5c) {
          escaped = true;
          end += 2;
        } else if (d === 0x22 || Number.isNaN(d)) break;
        else end++;
      }
      if (expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        const keys = objects[objects.length - 1] as Set<string>;
        if (key === '__proto__') return `has a ${keyText(key)} key`;
        if (keys.has(key)) return `repeats the key ${keyText(key)} in one object`;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    }
  }
  return undefined;
}

/**
 * A JSON request body as the platform reads it: valid JSON without repeated or `__proto__`
 * keys, else MALFORMED_JSON; the message names what is wrong, never the payload.
 */
export function parseRequestJson(text: string): unknown {
  if (text.trim() === '') throw new InventoryError('MALFORMED_JSON', 'request body is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InventoryError('MALFORMED_JSON', 'request body is not valid JSON');
  }
  const problem = jsonKeyProblem(text);
  if (problem) throw new InventoryError('MALFORMED_JSON', `request body ${problem}`);
  return value;
}
