import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, query } from '../api.ts';
import type { Location } from '../stock.ts';

/** What a view knows of the locations' master data. */
export interface Locations {
  locations: Location[];
  /** Why the last read failed, while it is tried again; undefined once read. */
  problem: string | undefined;
}

/**
 * The locations' master data, read once per view. A view without them has no location to
 * offer, so a failed read (the query API restarting, a proxy timeout) is tried again, 1 s
 * after the first failure and twice as long after each next one up to 15 s, and said
 * meanwhile; a refused key is not (the key form takes over), nor a key without the right.
 */
export function useLocations(onUnauthorized: () => void): Locations {
  const [state, setState] = useState<Locations>({ locations: [], problem: undefined });
  useEffect(() => {
    const stop = new AbortController();
    const read = async () => {
      let retryMs = 1_000;
      while (!stop.signal.aborted) {
        try {
          const answer = await query<{ locations: Location[] }>('/v1/locations', stop.signal);
          setState({ locations: answer.locations, problem: undefined });
          return;
        } catch (error) {
          if (stop.signal.aborted) return;
          const message = error instanceof Error ? error.message : String(error);
          if (error instanceof ApiProblem && error.status === 401) return onUnauthorized();
          // A key without the right does not gain it by asking again.
          if (error instanceof ApiProblem && error.status === 403)
            return setState((before) => ({
              ...before,
              problem: `the locations could not be read (${message})`,
            }));
          setState((before) => ({
            ...before,
            problem: `the locations could not be read (${message}); trying again`,
          }));
        }
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        retryMs = Math.min(retryMs * 2, 15_000);
      }
    };
    void read();
    return () => stop.abort();
  }, []);
  return state;
}
