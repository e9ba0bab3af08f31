import { bearerToken, type RateLimiter } from '@inventory/core';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './http-errors.ts';

export interface BearerOptions<C> {
  /** What the secret is called in messages: "token", "API key". */
  secret: string;
  /** The client a secret belongs to (looked up by its hash), or undefined. */
  lookup: (secret: string) => C | undefined;
  /** The rate limit is per client, not per connection or address. */
  limiter: RateLimiter;
  clientKey: (client: C) => string;
}

/**
 * The HTTP apps' authentication: `Authorization: Bearer <secret>`, answered 401 when it is
 * missing or unknown (with the WWW-Authenticate challenge) and 429 with Retry-After when the
 * client's rate is exceeded. Runs before the body is read, so refused clients cost little.
 */
export function bearerAuthentication<C>(options: BearerOptions<C>): (request: FastifyRequest) => C {
  return (request) => {
    const secret = bearerToken(request.headers.authorization);
    if (!secret)
      throw new ApiError('UNAUTHENTICATED', `send Authorization: Bearer <${options.secret}>`, {
        headers: { 'www-authenticate': 'Bearer' },
      });
    const client = options.lookup(secret);
    if (!client)
      throw new ApiError('INVALID_CREDENTIALS', `the ${options.secret} is not known`, {
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      });
    const wait = options.limiter.take(options.clientKey(client));
    if (wait > 0)
      throw new ApiError('RATE_LIMITED', `rate limit of ${options.limiter.perSecond} requests/s exceeded`, {
        headers: { 'retry-after': String(wait) },
        extra: { limit: 'requests' },
      });
    return client;
  };
}
