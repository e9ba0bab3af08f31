import { runService } from '@inventory/service';
import { consoleService } from './service.ts';

runService(consoleService);
