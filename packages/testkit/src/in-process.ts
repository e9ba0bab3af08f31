import { createLogger, describeError } from '@inventory/core';
import { type BaseSettings, Resources, type Service, type ServiceDefinition } from '@inventory/service';

export interface InProcessApp<S, C, A> {
  settings: S;
  clients: C;
  app: A;
  /** Stops the app (intake, work in flight), then closes its clients, newest first. */
  close(): Promise<void>;
}

/**
 * An app built in this process from the definition its main.ts runs, against the real
 * services the environment names: the same settings parser, clients and app, without the
 * process shell (no listening, no signals). A failure the app reports through fail() is
 * thrown at the next close(), so a test cannot pass over it.
 */
export async function buildInProcess<S extends BaseSettings, C, A extends Service>(
  definition: ServiceDefinition<S, C, A>,
  env: Record<string, string | undefined>,
): Promise<InProcessApp<S, C, A>> {
  const settings = definition.settings(env);
  const logger = createLogger(`${definition.name}-test`, settings.LOG_LEVEL);
  const resources = new Resources();
  const failures: unknown[] = [];
  const context = {
    logger,
    resources,
    stopping: () => false,
    fail: (error: unknown) => failures.push(error),
  };
  try {
    const clients = await definition.clients(settings, context);
    const app = await definition.app(settings, clients, context);
    return {
      settings,
      clients,
      app,
      async close() {
        await app.stop?.();
        await resources.close();
        if (failures.length > 0) throw new Error(`${definition.name} failed: ${describeError(failures[0])}`);
      },
    };
  } catch (error) {
    await resources.close();
    throw error;
  }
}
