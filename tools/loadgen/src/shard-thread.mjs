// The worker thread's entry: TypeScript is loaded through tsx's loader, registered in this
// thread (a loader registered in the main thread does not reach worker threads).
import { register } from 'tsx/esm/api';

register();
await import('./shard-worker.ts');
