// Preloaded into a process (`node --import=<absolute path>/scripts/allocation-sampling.mjs`,
// e.g. through a benchmark's BENCH_NODE_ARGS), samples what it allocates, garbage included,
// and writes `<pid>.heapprofile` into its working directory when it exits (a benchmark's app
// runs in its app's directory; git ignores `*.heapprofile`). `node --heap-prof` keeps only
// what is still alive at exit, which says nothing of the garbage a process makes;
// `scripts/allocation-summary.mjs` reads the file.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const session = new Session();
session.connect();
session.post('HeapProfiler.startSampling', {
  samplingInterval: 65_536,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
process.on('exit', () => {
  // An in-process session answers synchronously: the file is written before the process ends.
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return;
    writeFileSync(join(process.cwd(), `${process.pid}.heapprofile`), JSON.stringify(result.profile));
  });
});
