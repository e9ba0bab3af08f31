import { join } from 'node:path';
import { dataCentres } from '@inventory/kafka';
import { type ComponentName, componentNames } from './component.ts';
import { parseStackSettings, type StackSettings } from './config.ts';

/** What a second or third data centre runs locally: its own Kafka and its own Redis. */
const dcParts: ComponentName[] = ['kafka', 'redis'];

/** The first data centre's stack is the ordinary one; `dc` names it and the others. */
export const dcName = (n: number): string => dataCentres[n - 1] as string;

/**
 * The settings of data centre `n` (2 or 3) of a stack with DCS=3: a stack of its own in
 * `<home>/dc<n>` (its own secrets, CA and users, as another site would have), the jars shared,
 * every port DC_PORT_STEP x (n - 1) above the first's, Kafka with a smaller heap.
 */
export function dcSettings(first: StackSettings, n: number): StackSettings {
  const shift = first.DC_PORT_STEP * (n - 1);
  return parseStackSettings({
    INVENTORY_STACK_HOME: join(first.HOME, dcName(n)),
    INVENTORY_STACK_LIB: first.dirs.lib,
    INVENTORY_STACK_KAFKA_PORT: String(first.KAFKA_PORT + shift),
    INVENTORY_STACK_KAFKA_CONTROLLER_PORT: String(first.KAFKA_CONTROLLER_PORT + shift),
    INVENTORY_STACK_REDIS_PORT: String(first.REDIS_PORT + shift),
    INVENTORY_STACK_KAFKA_SECURITY: first.KAFKA_SECURITY,
    INVENTORY_STACK_KAFKA_HEAP: '384m',
    INVENTORY_STACK_SKIP: componentNames.filter((p) => !dcParts.includes(p)).join(','),
    INVENTORY_STACK_START_TIMEOUT_MS: String(first.START_TIMEOUT_MS),
  });
}

/** The other data centres' settings: none for one data centre, dc2 and dc3 for three. */
export function otherDcs(first: StackSettings): StackSettings[] {
  return first.DCS === 3 ? [dcSettings(first, 2), dcSettings(first, 3)] : [];
}
