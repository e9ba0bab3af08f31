import { runService } from '@inventory/service';
import { bridgeService } from './service.ts';

runService(bridgeService);
