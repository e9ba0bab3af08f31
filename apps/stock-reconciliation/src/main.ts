import { runService } from '@inventory/service';
import { reconciliationService } from './service.ts';

runService(reconciliationService);
