import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, query } from '../api.ts';
import type { Location } from '../stock.ts';

/** The locations' master data, read once per view. */
export function useLocations(onUnauthorized: () => void): Location[] {
  const [locations, setLocations] = useState<Location[]>([]);
  useEffect(() => {
    const stop = new AbortController();
    query<{ locations: Location[] }>('/v1/locations', stop.signal).then(
      (answer) => setLocations(answer.locations),
      (error: unknown) => {
        if (error instanceof ApiProblem && error.status === 401) onUnauthorized();
      },
    );
    return () => stop.abort();
  }, []);
  return locations;
}
