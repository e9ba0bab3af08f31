import { readFileSync } from 'node:fs';
import { hashToken, InventoryError } from '@inventory/core';
import { codeRule, isCode } from '@inventory/domain';

/** A store system allowed to write events, as the token file describes it. */
export interface IngestClient {
  clientId: string;
  /** Locations it may write; "*" allows every location (central systems replaying for all stores). */
  locationIds: string[];
}

interface TokenFileEntry extends IngestClient {
  tokenSha256: string;
}

export class TokenStore {
  private readonly byHash: Map<string, IngestClient>;

  constructor(entries: TokenFileEntry[]) {
    this.byHash = new Map(
      entries.map((e) => [e.tokenSha256, { clientId: e.clientId, locationIds: e.locationIds }]),
    );
  }

  static fromFile(path: string): TokenStore {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new InventoryError('CONFIG_INVALID', `token file ${path} cannot be read as JSON`, {
        cause: error,
      });
    }
    return new TokenStore(parseTokenFile(parsed, path));
  }

  /** The client a bearer token belongs to, or undefined for an unknown token. */
  authenticate(token: string): IngestClient | undefined {
    return this.byHash.get(hashToken(token));
  }
}

export function parseTokenFile(parsed: unknown, origin: string): TokenFileEntry[] {
  const clients = (parsed as { clients?: unknown } | null)?.clients;
  if (!Array.isArray(clients))
    throw new InventoryError('CONFIG_INVALID', `${origin}: expected {"clients": [...]}`);
  return clients.map((entry: Partial<TokenFileEntry>, i) => {
    const ok =
      // The clientId is part of every eventId the client writes: a code, without ':'.
      isCode(entry.clientId) &&
      typeof entry.tokenSha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(entry.tokenSha256) &&
      Array.isArray(entry.locationIds) &&
      entry.locationIds.every((l) => typeof l === 'string');
    if (!ok) {
      throw new InventoryError(
        'CONFIG_INVALID',
        `${origin}: clients[${i}] needs clientId (${codeRule}), tokenSha256 (64 hex characters) and locationIds (strings)`,
      );
    }
    return entry as TokenFileEntry;
  });
}

/** Indexes of events naming a location the client may not write. */
export function forbiddenLocations(client: IngestClient, locationIds: string[]): number[] {
  if (client.locationIds.includes('*')) return [];
  const allowed = new Set(client.locationIds);
  return locationIds.flatMap((id, index) => (allowed.has(id) ? [] : [index]));
}
