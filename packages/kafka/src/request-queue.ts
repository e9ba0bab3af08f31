// kafkajs 2.2.4, its last release, re-checks a connection's request queue after every
// response by a timer whose delay is `throttledUntil - now`: negative when nothing is
// throttled. Node 20 ran such a timer after 1 ms; Node 24 does too but warns
// (TimeoutNegativeWarning, once per process); and the check schedules itself again, so every
// connection polled its empty queue every millisecond for as long as it lived (kafkajs
// issues #1704 and #1751, fixes proposed upstream and not released). With nothing pending and
// nothing throttled there is nothing to check: a request that must wait is put on the queue
// by `push`, which schedules a check itself, and every response checks the queue again.
/// <reference path="./kafkajs-internals.d.ts" />
import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

const schedule = RequestQueue.prototype.scheduleCheckPendingRequests;

RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(
  this: RequestQueue,
) {
  if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
  schedule.call(this);
};

export { RequestQueue };
