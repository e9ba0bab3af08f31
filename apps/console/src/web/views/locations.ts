import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, query, retryPause } from '../api.ts';
import type { Location } from '../stock.ts';

/** What a view knows of the locations' master data. */
export interface Locations {
  locations: Location[];
  /** Why the last read failed, while it is tried again; undefined once read. */
  problem: string | undefined;
}

/**
 * The locations' master data, read once per view. A view without them has no location to
 * offer, so a failed read (the query API restarting, a proxy timeout) is tried again
 * (`retryPause`) and said meanwhile; a refused key is not (the key form takes over), nor a key without the right.
 */
export function useLocations(onUnauthorized: () => void): Locations {
  const [state, setState] = useState<Locations>({ locations: [], problem: undefined });
  useEffect(() => {
    const stop = new AbortController();
    const read = async () => {
      let failures = 0;
      while (!stop.signal.aborted) {
        try {
          const answer = await query<{ locations: Location[] }>('/v1/locations', stop.signal);
          setState({ locations: answer.locations, problem: undefined });
          return;
        } catch (error) {
          if (stop.signal.aborted) return;
          if (error instanceof ApiProblem && error.status === 401) return onUnauthorized();
          // A key without the right does not gain it by asking again.
          const refused = error instanceof ApiProblem && error.status === 403;
          const message = error instanceof Error ? error.message : String(error);
          setState((before) => ({
            ...before,
            problem: `the locations could not be read (${message})${refused ? '' : '; trying again'}`,
          }));
          if (refused) return;
        }
        await retryPause(failures++, stop.signal);
      }
    };
    void read();
    return () => stop.abort();
  }, []);
  return state;
}
