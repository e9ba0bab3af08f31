export { buildConsole, staticDir } from './app.ts';
export { type ConsoleConfig, parseConsoleConfig } from './config.ts';
export { type Upstream, upstreamUrl } from './proxy.ts';
export { consoleService } from './service.ts';
