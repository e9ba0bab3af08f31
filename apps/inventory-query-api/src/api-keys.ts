import { readFileSync } from 'node:fs';
import { hashToken, InventoryError } from '@inventory/core';

export const scopes = ['availability:read', 'reservations:write'] as const;
export type Scope = (typeof scopes)[number];

export interface ApiClient {
  keyId: string;
  scopes: Scope[];
}

/** API keys of the web shop and the stores, stored as SHA-256 hashes with their scopes. */
export class ApiKeyStore {
  private readonly byHash: Map<string, ApiClient>;

  constructor(entries: (ApiClient & { keySha256: string })[]) {
    this.byHash = new Map(entries.map((e) => [e.keySha256, { keyId: e.keyId, scopes: e.scopes }]));
  }

  static fromFile(path: string): ApiKeyStore {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { keys?: unknown };
    if (!Array.isArray(parsed.keys))
      throw new InventoryError('CONFIG_INVALID', `${path}: expected {"keys": [...]}`);
    parsed.keys.forEach((k: { keyId?: unknown; keySha256?: unknown; scopes?: unknown }, i) => {
      const ok =
        typeof k.keyId === 'string' &&
        typeof k.keySha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(k.keySha256) &&
        Array.isArray(k.scopes) &&
        k.scopes.every((s) => (scopes as readonly unknown[]).includes(s));
      if (!ok)
        throw new InventoryError(
          'CONFIG_INVALID',
          `${path}: keys[${i}] needs keyId, keySha256 and known scopes`,
        );
    });
    return new ApiKeyStore(parsed.keys as (ApiClient & { keySha256: string })[]);
  }

  authenticate(key: string): ApiClient | undefined {
    return this.byHash.get(hashToken(key));
  }
}
