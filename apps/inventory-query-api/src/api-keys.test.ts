import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToken } from '@inventory/core';
import { describe, expect, it } from 'vitest';
import { ApiKeyStore } from './api-keys.ts';

describe('API keys', () => {
  const file = (keys: unknown[]) => {
    const path = join(mkdtempSync(join(tmpdir(), 'api-keys-')), 'api-keys.json');
    writeFileSync(path, JSON.stringify({ keys }));
    return path;
  };

  it("rotates a client's key without a gap: the old and the new key are both valid while both are listed", () => {
    const old = { keyId: 'webshop', keySha256: hashToken('webshop-key-old'), scopes: ['availability:read'] };
    const next = { keyId: 'webshop', keySha256: hashToken('webshop-key-new'), scopes: ['availability:read'] };
    const during = ApiKeyStore.fromFile(file([old, next]));
    expect(during.authenticate('webshop-key-old')).toEqual({
      keyId: 'webshop',
      scopes: ['availability:read'],
    });
    expect(during.authenticate('webshop-key-new')).toEqual({
      keyId: 'webshop',
      scopes: ['availability:read'],
    });
    // Once every client sends the new key, the old entry is dropped (and the process restarted).
    const after = ApiKeyStore.fromFile(file([next]));
    expect(after.authenticate('webshop-key-old')).toBeUndefined();
    expect(after.authenticate('webshop-key-new')).toEqual({
      keyId: 'webshop',
      scopes: ['availability:read'],
    });
  });

  it('refuses an entry that stores a key instead of its hash, naming it', () => {
    expect(() => ApiKeyStore.fromFile(file([{ keyId: 'x', keySha256: 'plain', scopes: [] }]))).toThrow(
      'keys[0] needs keyId, keySha256 and known scopes',
    );
  });
});
