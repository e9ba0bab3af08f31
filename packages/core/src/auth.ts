import { hash, randomBytes } from 'node:crypto';

/**
 * Tokens and API keys are 256-bit random secrets, so one SHA-256 is enough to store them:
 * unlike passwords they cannot be guessed from a dictionary, and a lookup stays O(1).
 * Only hashes are kept in memory and on disk.
 */
export function hashToken(token: string): string {
  // One-shot: a Hash object per request cost more than the digest.
  return hash('sha256', token, 'hex');
}

export function newToken(): string {
  return `inv_${randomBytes(32).toString('base64url')}`;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header ?? '');
  return match?.[1];
}

/**
 * Token bucket per client: `burst` requests at once, refilled at `perSecond`. Pure state
 * with an injected clock, so the limiter is tested without waiting.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes `cost` tokens (one per request, or one per event of a batch); returns 0 when
   * allowed, otherwise the seconds until that many are available. A refused take costs
   * nothing. A cost above the burst can never be allowed: callers bound it (a batch's size).
   */
  take(key: string, cost = 1): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((cost - bucket.tokens) / this.perSecond));
  }
}
