import { readFileSync } from 'node:fs';
import { InventoryError } from '@inventory/core';
import { z } from 'zod';

export type SettingsShape = Record<string, z.ZodType>;

export interface ParseSettingsOptions {
  /**
   * Every variable starting with this prefix belongs to the component; one the schema
   * does not know is a typo or a stale setting and fails start-up instead of being ignored.
   */
  prefix: string;
}

export interface SettingProblem {
  setting: string;
  message: string;
}

/**
 * Parses `env` against `shape`, whose keys are setting names without the prefix
 * (KAFKA_BROKERS for INGEST_KAFKA_BROKERS). Called once in main; the result is passed down.
 */
export function parseSettings<S extends SettingsShape>(
  shape: S,
  env: Record<string, string | undefined>,
  options: ParseSettingsOptions,
): z.infer<z.ZodObject<S>> {
  const { prefix } = options;
  const problems: SettingProblem[] = [];
  const input: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || value === undefined) continue;
    const key = name.slice(prefix.length);
    if (!(key in shape)) {
      problems.push({ setting: name, message: 'unknown setting' });
      continue;
    }
    input[key] = value;
  }
  for (const [key, schema] of Object.entries(shape)) {
    const pair = secretPairs.get(schema);
    if (!pair) continue;
    const [value, file] = [`${prefix}${key}`, `${prefix}${key}_FILE`];
    if (input[key] !== undefined && input[`${key}_FILE`] !== undefined)
      problems.push({ setting: value, message: `set ${value} or ${file}, not both` });
    else if (pair.required && input[key] === undefined && input[`${key}_FILE`] === undefined)
      problems.push({ setting: `${value} or ${file}`, message: 'missing required setting' });
  }
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      const missing = input[key] === undefined;
      problems.push({
        setting: `${prefix}${key}`,
        message: missing ? 'missing required setting' : issue.message,
      });
    }
  }
  if (problems.length > 0) {
    // Messages name the setting and the rule, never the value: it may be a secret.
    const lines = problems.map((p) => `${p.setting}: ${p.message}`).join('; ');
    throw new InventoryError('CONFIG_INVALID', `invalid configuration: ${lines}`, {
      details: { problems },
    });
  }
  return (result as { data: z.infer<z.ZodObject<S>> }).data;
}

/** Reusable field types, coerced from environment strings. */
export const setting = {
  string: () => z.string().min(1),
  url: () => z.url(),
  port: () => z.coerce.number().int().min(1).max(65_535),
  positiveInt: () => z.coerce.number().int().positive(),
  nonNegativeInt: () => z.coerce.number().int().nonnegative(),
  boolean: () => z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1'),
  list: () =>
    z
      .string()
      .min(1)
      .transform((value) =>
        value
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part.length > 0),
      ),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** Comma-separated waits in ms (a retry schedule), 1 to `max` of them. */
  delaysMs: (max: number) =>
    z
      .string()
      .min(1)
      .transform((value, context) => {
        const parts = value.split(',').map((part) => Number(part.trim()));
        if (parts.some((ms) => !Number.isInteger(ms) || ms < 0) || parts.length > max) {
          context.addIssue({
            code: 'custom',
            message: `expected 1 to ${max} comma-separated non-negative integers (ms)`,
          });
          return z.NEVER;
        }
        return parts;
      }),
  /** A lower-case SQL identifier (a schema or table name put into SQL text). */
  sqlIdentifier: () => z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier'),
};

const secretPairs = new WeakMap<z.ZodType, { required: boolean }>();

/**
 * A secret setting X, as the two settings that may give it: X itself, or X_FILE, the path of a
 * file holding it (a Kubernetes Secret mounted as a file, so it is in no environment and no
 * manifest). parseSettings takes one of the two, refuses both at once, and names both when a
 * required one is missing; readSecret gives the value, from whichever is set. Rotating it is
 * replacing the file (or the variable) and restarting the process: nothing in the code names
 * a secret's value or place.
 */
export function secretSetting<const N extends string>(
  name: N,
  options: { required?: boolean } = {},
): Record<N | `${N}_FILE`, z.ZodOptional<z.ZodString>> {
  const value = z.string().min(1).optional();
  secretPairs.set(value, { required: options.required ?? true });
  return { [name]: value, [`${name}_FILE`]: z.string().min(1).optional() } as Record<
    N | `${N}_FILE`,
    z.ZodOptional<z.ZodString>
  >;
}

/**
 * The value of the secret setting `name` (secretSetting) from parsed settings: its own, or the
 * content of its file without surrounding whitespace (the line break an editor or
 * `kubectl create secret --from-file` leaves). Read when called, at start-up, once.
 */
export function readSecret<const N extends string>(
  settings: { [K in N | `${N}_FILE`]?: string | undefined },
  name: N,
): string | undefined {
  const file = (settings as Record<string, string | undefined>)[`${name}_FILE`];
  try {
    return secretValue((settings as Record<string, string | undefined>)[name], file);
  } catch (error) {
    // The path is no secret; the error names it and the setting, never a content.
    throw new InventoryError(
      'CONFIG_INVALID',
      `invalid configuration: ${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** A secret given either as a value or as a file holding it (a mounted secret), read once. */
export function secretValue(value: string | undefined, file: string | undefined): string | undefined {
  return value ?? (file ? readFileSync(file, 'utf8').trim() : undefined);
}
