import { runService } from '@inventory/service';
import { normalizerService } from './service.ts';

runService(normalizerService);
