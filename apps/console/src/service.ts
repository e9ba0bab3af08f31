import { defineService } from '@inventory/service';
import { buildConsole } from './app.ts';
import { parseConsoleConfig } from './config.ts';

/** What main.ts runs and tests build in process (@inventory/testkit buildInProcess). */
export const consoleService = defineService({
  name: 'console',
  settings: parseConsoleConfig,
  // The console holds no clients: every call goes to an API it forwards to.
  clients: async () => undefined,
  app: buildConsole,
});
