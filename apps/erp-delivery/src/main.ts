import { runService } from '@inventory/service';
import { deliveryService } from './service.ts';

runService(deliveryService);
