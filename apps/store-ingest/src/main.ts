import { runService } from '@inventory/service';
import { ingestService } from './service.ts';

runService(ingestService);
