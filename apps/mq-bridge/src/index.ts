// What tests, tools and the mainframe stand-in build on.
export { type BridgeApp, buildBridge } from './app.ts';
export { type BridgeClients, connectBridge } from './clients.ts';
export { type BridgeConfig, parseBridgeConfig } from './config.ts';
export { formatRecord } from './format/copybook.ts';
export { decodeMovement, type Movement } from './format/movement.ts';
export { bridgeService } from './service.ts';
