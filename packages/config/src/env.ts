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

/** A secret given either as a value or as a file holding it (a mounted secret), read once. */
export function secretValue(value: string | undefined, file: string | undefined): string | undefined {
  return value ?? (file ? readFileSync(file, 'utf8').trim() : undefined);
}
