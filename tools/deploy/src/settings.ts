import type { z } from '@inventory/config';

/** An app's settings schema (its config.ts `shape`), keys without the app's prefix. */
export type SettingsShape = Record<string, z.ZodType>;

export interface SettingDefault {
  name: string;
  /** The default as the environment variable spells it; undefined when there is none. */
  value: string | undefined;
  /** The default as the app holds it after parsing. */
  parsed?: unknown;
  /** No default and not optional: a deployment must give it. */
  required: boolean;
}

interface Def {
  type: string;
  defaultValue?: unknown;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * A default value as the environment spells it, so that parsing it gives the default back:
 * lists (setting.list, setting.delaysMs) comma-separated, booleans and numbers as text.
 */
export function envSpelling(value: unknown): string {
  if (Array.isArray(value)) return value.map(envSpelling).join(',');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`a setting's default of type ${typeof value} has no environment spelling`);
}

/** Every setting of a schema, in its order, with its default. */
export function settingDefaults(shape: SettingsShape): SettingDefault[] {
  return Object.entries(shape).map(([name, schema]) => {
    const def = defOf(schema);
    if (def.type === 'default')
      return { name, value: envSpelling(def.defaultValue), parsed: def.defaultValue, required: false };
    return { name, value: undefined, required: def.type !== 'optional' };
  });
}
