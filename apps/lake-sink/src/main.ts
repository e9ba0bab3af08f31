import { runService } from '@inventory/service';
import { buildLake } from './app.ts';
import { connectLake } from './clients.ts';
import { parseLakeConfig } from './config.ts';

runService({ name: 'lake-sink', settings: parseLakeConfig, clients: connectLake, app: buildLake });
