import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiProblem, followChanges, query } from '../api.ts';
import {
  arrange,
  byRegion,
  changedCells,
  type Location,
  type RowFilter,
  rowsOf,
  type SkuView,
  type Sort,
  type SortKey,
  withTotals,
} from '../stock.ts';
import { useLocations } from './locations.ts';

/** The network figures shown big, each with its name. */
const networkFigures = [
  ['onHand', 'On hand'],
  ['reserved', 'Reserved'],
  ['available', 'Available'],
] as const;

import { figureHeads, Scroll, ScrollTable } from './Scroll.tsx';

const columns: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'locationId', label: 'Location' },
  { key: 'name', label: 'Name' },
  { key: 'region', label: 'Region' },
  { key: 'onHand', label: 'On hand', numeric: true },
  { key: 'reserved', label: 'Reserved', numeric: true },
  { key: 'available', label: 'Available', numeric: true },
];

const flashMs = 2_500;

/**
 * One sku: the network's figures, per region and per location, kept live by the query API's
 * change feed (a figure that changes flashes). The feed carries the network totals; on each
 * change the per-location figures are read again.
 */
export function FindStock({ onUnauthorized }: { onUnauthorized: () => void }) {
  const { locations, problem: locationsProblem } = useLocations(onUnauthorized);
  const [input, setInput] = useState(new URLSearchParams(location.hash.split('?')[1]).get('sku') ?? '');
  const [sku, setSku] = useState(input);
  const [view, setView] = useState<SkuView>();
  const [problem, setProblem] = useState<string>();
  const [live, setLive] = useState(false);
  const [flashing, setFlashing] = useState<Set<string>>(new Set());
  const [sort, setSort] = useState<Sort>({ key: 'available', descending: true });
  const [filter, setFilter] = useState<RowFilter>({ text: '', region: '', onlyAvailable: false });
  const [nearId, setNearId] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const shown = useRef<SkuView>();

  const show = (next: SkuView) => {
    const changed = changedCells(shown.current, next);
    shown.current = next;
    setView(next);
    if (changed.size > 0) {
      setFlashing(changed);
      setAnnouncement(`${next.sku}: ${next.available} available, ${next.onHand} on hand across the network`);
      setTimeout(() => setFlashing(new Set()), flashMs);
    }
  };

  useEffect(() => {
    if (!sku) return;
    const stop = new AbortController();
    shown.current = undefined;
    setView(undefined);
    setProblem(undefined);
    const failed = (error: unknown) => {
      if (stop.signal.aborted) return;
      if (error instanceof ApiProblem && error.status === 401) onUnauthorized();
      else
        setProblem(
          error instanceof ApiProblem && error.code === 'UNKNOWN_SKU'
            ? `No stock was ever recorded for ${sku}.`
            : String((error as Error).message),
        );
    };
    const read = () =>
      query<SkuView>(`/v1/availability/${encodeURIComponent(sku)}`, stop.signal).then(show, failed);
    read();
    // Several changes in a burst read the details once.
    let pending: ReturnType<typeof setTimeout> | undefined;
    followChanges(
      [sku],
      (change) => {
        const totals = change as SkuView;
        if (shown.current) show(withTotals(shown.current, totals));
        clearTimeout(pending);
        pending = setTimeout(read, 150);
      },
      setLive,
      stop.signal,
    ).catch(failed);
    return () => {
      clearTimeout(pending);
      stop.abort();
      setLive(false);
    };
  }, [sku]);

  const near = locations.find((l) => l.locationId === nearId);
  const rows = useMemo(() => (view ? rowsOf(view, locations) : []), [view, locations]);
  const arranged = useMemo(() => arrange(rows, filter, sort, near), [rows, filter, sort, near]);
  const regions = useMemo(() => byRegion(rows), [rows]);
  const regionNames = [...new Set(locations.map((l) => l.region))].sort();
  const flash = (cell: string) => (flashing.has(cell) ? 'flash' : undefined);

  const sortBy = (key: SortKey) =>
    setSort((s) => ({
      key,
      descending: s.key === key ? !s.descending : key !== 'locationId' && key !== 'name' && key !== 'region',
    }));

  return (
    <section aria-labelledby="stock-title">
      <h2 id="stock-title">Find stock</h2>
      <search>
        <form
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            const wanted = input.trim().toUpperCase();
            setInput(wanted);
            setSku(wanted);
            history.replaceState(null, '', `#/stock?sku=${encodeURIComponent(wanted)}`);
          }}
        >
          <label for="sku">SKU</label>
          <input
            id="sku"
            name="sku"
            required
            value={input}
            onInput={(e) => setInput(e.currentTarget.value)}
            autoComplete="off"
            spellcheck={false}
          />
          <button type="submit">Find</button>
        </form>
      </search>
      <p class="sr-only" aria-live="polite">
        {announcement}
      </p>
      {(problem ?? locationsProblem) && (
        <p class="problem" role="alert">
          {problem ?? locationsProblem}
        </p>
      )}
      {view && (
        <>
          <section class="totals" aria-label={`Network figures of ${view.sku}`}>
            <h3>
              {view.sku}{' '}
              {view.discontinued && (
                <span class="badge warn">
                  discontinued
                  {view.discontinuedAt ? ` since ${new Date(view.discontinuedAt).toLocaleDateString()}` : ''}
                </span>
              )}{' '}
              <span class={`badge ${live ? 'ok' : 'muted'}`} data-live={live}>
                {live ? 'live' : 'not live'}
              </span>
            </h3>
            <dl>
              {networkFigures.map(([figure, name]) => (
                <div key={figure}>
                  <dt>{name}</dt>
                  <dd class={flash(`network:${figure}`)} data-figure={`network-${figure}`}>
                    {view[figure]}
                  </dd>
                </div>
              ))}
            </dl>
            <p class="muted">newest event applied: {new Date(view.asOf).toLocaleString()}</p>
          </section>

          <h3>Per region</h3>
          <ScrollTable
            label={`Figures of ${view.sku} per region`}
            heads={['Region', { num: 'Locations' }, ...figureHeads]}
          >
            {regions.map((r) => (
              <tr key={r.region}>
                <th scope="row">{r.region}</th>
                <td class="num">{r.locations}</td>
                <td class="num">{r.onHand}</td>
                <td class="num">{r.reserved}</td>
                <td class="num">{r.available}</td>
              </tr>
            ))}
          </ScrollTable>

          <h3>Per location</h3>
          <div class="filters">
            <label>
              Nearest to
              <select value={nearId} onChange={(e) => setNearId(e.currentTarget.value)}>
                <option value="">no location chosen</option>
                {locations.map((l: Location) => (
                  <option key={l.locationId} value={l.locationId}>
                    {l.locationId} {l.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Region
              <select
                value={filter.region}
                onChange={(e) => setFilter({ ...filter, region: e.currentTarget.value })}
              >
                <option value="">all regions</option>
                {regionNames.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Location contains
              <input
                type="search"
                value={filter.text}
                onInput={(e) => setFilter({ ...filter, text: e.currentTarget.value })}
              />
            </label>
            <label class="check">
              <input
                type="checkbox"
                checked={filter.onlyAvailable}
                onChange={(e) => setFilter({ ...filter, onlyAvailable: e.currentTarget.checked })}
              />
              only with stock available
            </label>
          </div>
          {near && (
            <p class="muted">
              Nearest first: {near.name}, then its region ({near.region}), then its data centre (
              {near.dataCentre}).
            </p>
          )}
          <Scroll label={`Figures of ${view.sku} per location, sortable`}>
            <table>
              <caption class="sr-only">Figures of {view.sku} per location, sortable</caption>
              <thead>
                <tr>
                  {columns.map((c) => (
                    <th
                      key={c.key}
                      scope="col"
                      class={c.numeric ? 'num' : undefined}
                      aria-sort={
                        sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : undefined
                      }
                    >
                      <button type="button" class="sort" onClick={() => sortBy(c.key)}>
                        {c.label}
                        <span aria-hidden="true">
                          {sort.key === c.key ? (sort.descending ? ' ▼' : ' ▲') : ''}
                        </span>
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {arranged.map((r) => (
                  <tr key={r.locationId} data-location={r.locationId}>
                    <th scope="row">{r.locationId}</th>
                    <td>{r.name}</td>
                    <td>{r.region}</td>
                    <td class={`num ${flash(`${r.locationId}:onHand`) ?? ''}`}>{r.onHand}</td>
                    <td class={`num ${flash(`${r.locationId}:reserved`) ?? ''}`}>{r.reserved}</td>
                    <td class={`num ${flash(`${r.locationId}:available`) ?? ''}`}>{r.available}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
          <p class="muted">
            {arranged.length} of {rows.length} locations
          </p>
        </>
      )}
    </section>
  );
}
