import { describeError, type Logger } from '@inventory/core';

interface Held {
  name: string;
  close: () => Promise<unknown> | unknown;
}

/**
 * The clients an app opened, closed newest first: what was opened last depends on what was
 * opened before it (a consumer on the producer it forwards to, both on Redis). Whatever was
 * opened before a failure is closed the same way, so a start that fails half-way leaves no
 * connection behind.
 */
export class Resources {
  private readonly held: Held[] = [];

  /** Registers an opened client and returns it. */
  add<T>(name: string, resource: T, close: (resource: T) => Promise<unknown> | unknown): T {
    this.held.push({ name, close: () => close(resource) });
    return resource;
  }

  /** Closes everything registered, newest first; a failing close is logged and the rest still close. */
  async close(logger?: Logger): Promise<void> {
    while (this.held.length > 0) {
      const next = this.held.pop() as Held;
      try {
        await next.close();
      } catch (error) {
        logger?.warn({ resource: next.name, err: describeError(error) }, 'closing failed');
      }
    }
  }
}
