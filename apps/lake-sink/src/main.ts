import { runService } from '@inventory/service';
import { lakeService } from './service.ts';

runService(lakeService);
