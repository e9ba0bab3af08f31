import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StackContext } from '../component.ts';
import { parseStackSettings } from '../config.ts';
import { rabbitmq } from './rabbitmq.ts';

describe("the local RabbitMQ's ports", () => {
  it('are checked before a start with its epmd port while the stack has no epmd of its own running', () => {
    const home = mkdtempSync(join(tmpdir(), 'rabbitmq-ports-'));
    const settings = parseStackSettings({
      INVENTORY_STACK_HOME: home,
      INVENTORY_STACK_RABBITMQ_PORT: '29672',
      INVENTORY_STACK_RABBITMQ_DIST_PORT: '29673',
      INVENTORY_STACK_EPMD_PORT: '29369',
    });
    expect(rabbitmq.ports?.({ settings } as StackContext)).toEqual([
      { port: 29672, setting: 'RABBITMQ_PORT' },
      { port: 29673, setting: 'RABBITMQ_DIST_PORT' },
      { port: 29369, setting: 'EPMD_PORT' },
    ]);
  });
});
