import { runService } from '@inventory/service';
import { buildConsole } from './app.ts';
import { parseConsoleConfig } from './config.ts';

runService({
  name: 'console',
  settings: parseConsoleConfig,
  // The console holds no clients: every call goes to an API it forwards to.
  clients: async () => undefined,
  app: buildConsole,
});
