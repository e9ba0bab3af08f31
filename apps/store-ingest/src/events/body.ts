import { InventoryError } from '@inventory/core';
import { jsonKeyProblem } from '@inventory/service';
import { jsonErrorOffset, lineAndColumn } from './json-position.ts';

/** Where in the text JSON.parse failed, as a 1-based line and column. */
function locate(text: string): { line: number; column: number } | undefined {
  const offset = jsonErrorOffset(text);
  return offset < 0 ? undefined : lineAndColumn(text, offset);
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Node's messages repeat (part of) the input; keep only what is wrong, never the payload.
  return message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*$/s, '');
}

export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const at = locate(text);
    const where = at ? ` at line ${at.line}, column ${at.column}` : '';
    throw new InventoryError('MALFORMED_JSON', `request body is not valid JSON${where}: ${reason(error)}`, {
      details: at ? { line: at.line, column: at.column } : {},
    });
  }
  // Valid JSON that readers disagree on (a repeated key) or that pollutes prototypes.
  const problem = jsonKeyProblem(text);
  if (problem) throw new InventoryError('MALFORMED_JSON', `request body ${problem}`);
  return value;
}

/** One JSON value per line; blank lines are skipped, a bad line is named by its number. */
export function parseNdjson(text: string): unknown[] {
  const values: unknown[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      values.push(JSON.parse(line));
    } catch (error) {
      throw new InventoryError('MALFORMED_NDJSON', `line ${i + 1} is not valid JSON: ${reason(error)}`, {
        details: { line: i + 1 },
      });
    }
    const problem = jsonKeyProblem(line);
    if (problem)
      throw new InventoryError('MALFORMED_NDJSON', `line ${i + 1} ${problem}`, { details: { line: i + 1 } });
  });
  return values;
}

/** The request's events: one event object, or `{"events": [...]}`; nothing else. */
export function eventsOfJson(body: unknown): unknown[] {
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'events' in body) {
    const extra = Object.keys(body).filter((k) => k !== 'events');
    if (extra.length > 0) {
      // Named, but bounded: a body of a million keys is not answered with them.
      const named = extra.slice(0, 5).map((k) => (k.length > 64 ? `${k.slice(0, 64)}...` : k));
      throw new InventoryError(
        'INVALID_REQUEST',
        `unknown fields next to "events": ${named.join(', ')}${extra.length > 5 ? `, and ${extra.length - 5} more` : ''}`,
      );
    }
    const { events } = body as { events: unknown };
    if (!Array.isArray(events)) throw new InventoryError('INVALID_REQUEST', '"events" must be an array');
    return events;
  }
  if (Array.isArray(body)) {
    throw new InventoryError(
      'INVALID_REQUEST',
      'send one event object or {"events": [...]}, not a bare array',
    );
  }
  return [body];
}
