import { runService } from '@inventory/service';
import { aggregatorService } from './service.ts';

runService(aggregatorService);
