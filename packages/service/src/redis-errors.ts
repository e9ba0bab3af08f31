/**
 * Whether an error is Redis (or a Redis Cluster) not answering for now, which a retry can
 * cure: a request answers 503 with Retry-After for it, not 500. ioredis gives these as plain
 * errors with messages of its own or the server's reply codes: a connection lost or refused,
 * retries per request exhausted, a cluster failing over (CLUSTERDOWN, TRYAGAIN, MASTERDOWN,
 * redirections without end, a slots refresh that failed), a replica promoted mid-command
 * (READONLY), a server loading its data (LOADING).
 */
const transient = [
  /^CLUSTERDOWN\b/,
  /^TRYAGAIN\b/,
  /^MASTERDOWN\b/,
  /^LOADING\b/,
  /^READONLY\b/,
  /Connection is closed/,
  /Too many Cluster redirections/,
  /Failed to refresh slots cache/,
  /Stream isn't writeable/,
  /\bECONNREFUSED\b|\bECONNRESET\b|\bETIMEDOUT\b|\bEPIPE\b/,
];
const transientNames = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (transientNames.has(error.name) || transientNames.has(error.constructor.name)) return true;
  return transient.some((pattern) => pattern.test(error.message));
}
