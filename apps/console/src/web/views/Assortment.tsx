import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiProblem, query } from '../api.ts';
import { type AssortmentItem, filterItems, type LevelFilter, levelOf, PageTrail } from '../assortment.ts';
import { useLocations } from './locations.ts';
import { figureHeads, ScrollTable } from './Scroll.tsx';

interface Page {
  locationId: string;
  items: AssortmentItem[];
  nextCursor: string | null;
}

const pageSize = 50;
const levelText = { out: 'out of stock', low: 'low', ok: 'in stock' } as const;

/**
 * A location's assortment, a page at a time in sku order (the query API's cursor); the
 * low-stock and out-of-stock filters apply to the page shown.
 */
export function Assortment({ onUnauthorized }: { onUnauthorized: () => void }) {
  const { locations, problem: locationsProblem } = useLocations(onUnauthorized);
  const [locationId, setLocationId] = useState('');
  const [cursor, setCursor] = useState<string | undefined>();
  const [page, setPage] = useState<Page>();
  const [problem, setProblem] = useState<string>();
  const [filter, setFilter] = useState<LevelFilter>('all');
  const [lowAt, setLowAt] = useState(5);
  const trail = useRef(new PageTrail());

  useEffect(() => {
    if (!locationId && locations[0]) setLocationId(locations[0].locationId);
  }, [locations]);

  useEffect(() => {
    if (!locationId) return;
    const stop = new AbortController();
    const search = new URLSearchParams({ limit: String(pageSize), ...(cursor ? { cursor } : {}) });
    setProblem(undefined);
    query<Page>(`/v1/locations/${encodeURIComponent(locationId)}/availability?${search}`, stop.signal).then(
      setPage,
      (error: unknown) => {
        if (stop.signal.aborted) return;
        if (error instanceof ApiProblem && error.status === 401) onUnauthorized();
        else setProblem((error as Error).message);
      },
    );
    return () => stop.abort();
  }, [locationId, cursor]);

  const shown = useMemo(() => (page ? filterItems(page.items, filter, lowAt) : []), [page, filter, lowAt]);

  return (
    <section aria-labelledby="assortment-title">
      <h2 id="assortment-title">A location's assortment</h2>
      <div class="filters">
        <label>
          Location
          <select
            value={locationId}
            onChange={(e) => {
              trail.current = new PageTrail();
              setCursor(undefined);
              setLocationId(e.currentTarget.value);
            }}
          >
            {locations.map((l) => (
              <option key={l.locationId} value={l.locationId}>
                {l.locationId} {l.name} ({l.region})
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>Show</legend>
          {(['all', 'low', 'out'] as const).map((f) => (
            <label key={f} class="check">
              <input
                type="radio"
                name="level"
                value={f}
                checked={filter === f}
                onChange={() => setFilter(f)}
              />
              {f === 'all' ? 'all' : f === 'low' ? 'low stock' : 'out of stock'}
            </label>
          ))}
        </fieldset>
        <label>
          Low at or below
          <input
            type="number"
            min={0}
            value={lowAt}
            onInput={(e) => setLowAt(Math.max(0, Number(e.currentTarget.value) || 0))}
            class="narrow"
          />
        </label>
      </div>
      {(problem ?? locationsProblem) && (
        <p class="problem" role="alert">
          {problem ?? locationsProblem}
        </p>
      )}
      {page && (
        <>
          <ScrollTable
            label={`Assortment of ${page.locationId}, page ${trail.current.page}`}
            heads={['SKU', ...figureHeads, 'Stock']}
          >
            {shown.map((item) => {
              const level = levelOf(item, lowAt);
              return (
                <tr key={item.sku}>
                  <th scope="row">
                    <a href={`#/stock?sku=${encodeURIComponent(item.sku)}`}>{item.sku}</a>
                  </th>
                  <td class="num">{item.onHand}</td>
                  <td class="num">{item.reserved}</td>
                  <td class="num">{item.available}</td>
                  <td>
                    <span class={`badge level-${level}`}>{levelText[level]}</span>
                  </td>
                </tr>
              );
            })}
          </ScrollTable>
          <p class="muted">
            Page {trail.current.page}: {shown.length} of {page.items.length} skus shown
          </p>
          <div class="row">
            <button
              type="button"
              disabled={trail.current.page === 1}
              onClick={() => setCursor(trail.current.back())}
            >
              Previous page
            </button>
            <button
              type="button"
              disabled={!page.nextCursor}
              onClick={() => page.nextCursor && setCursor(trail.current.forward(page.nextCursor))}
            >
              Next page
            </button>
          </div>
        </>
      )}
    </section>
  );
}
