import { runService } from '@inventory/service';
import { buildIngest } from './app.ts';
import { connectIngest } from './clients.ts';
import { parseIngestConfig } from './config.ts';

runService({ name: 'store-ingest', settings: parseIngestConfig, clients: connectIngest, app: buildIngest });
