import { runService } from '@inventory/service';
import { queryApiService } from './service.ts';

runService(queryApiService);
