import { useEffect, useState } from 'preact/hooks';
import { instantQuery, rangeQuery } from '../api.ts';
import { type ChartData, formatValue, rangeOf, toChartData, type Vector } from '../prom.ts';
import { Chart } from './Chart.tsx';
import { Scroll } from './Scroll.tsx';

/** Each chart: its queries (the recording rules of deploy/prometheus/rules), the labels that name a series. */
const charts = [
  {
    id: 'flow',
    title: 'Events in and applied',
    unit: 'events/s',
    queries: [
      { expr: 'inventory:ingest_events:rate1m', by: ['source'], name: 'in' },
      { expr: 'inventory:events_applied:rate1m', by: [], name: 'applied' },
    ],
  },
  {
    id: 'lag',
    title: 'Consumer lag per partition (aggregator)',
    unit: 'events',
    queries: [{ expr: 'inventory:consumer_lag:by_partition', by: ['partition'], name: 'lag' }],
  },
  {
    id: 'freshness',
    title: 'Freshness: written to Kafka → readable',
    unit: 's',
    queries: [
      { expr: 'inventory:freshness_seconds:p50', by: [], name: 'p50' },
      { expr: 'inventory:freshness_seconds:p99', by: [], name: 'p99' },
    ],
  },
  {
    id: 'dead-letters',
    title: 'Dead letters per topic',
    unit: 'records/s',
    queries: [{ expr: 'inventory:dead_letters:rate1m', by: ['topic'], name: 'dead letters' }],
  },
  {
    id: 'reservations',
    title: 'Reservations by outcome',
    unit: 'decisions/s',
    queries: [
      {
        expr: 'inventory:reservation_outcomes:rate1m{status=~"CONFIRMED|REFUSED|EXPIRED"}',
        by: ['status'],
        name: 'reservations',
      },
    ],
  },
  {
    id: 'erp',
    title: 'ERP delivery: retries and dead letters',
    unit: 'deliveries/s',
    queries: [
      { expr: 'sum(inventory:erp_retries:rate1m)', by: [], name: 'retries' },
      { expr: 'sum(inventory:erp_dead_letters:rate1m)', by: [], name: 'dead letters' },
      { expr: 'sum(inventory:erp_delivered:rate1m)', by: [], name: 'delivered' },
    ],
  },
] as const;

const ranges = [
  { minutes: 15, label: 'last 15 minutes' },
  { minutes: 60, label: 'last hour' },
  { minutes: 360, label: 'last 6 hours' },
];

const refreshMs = 5_000;

interface Tables {
  up: Vector;
  reasons: Vector;
  reconciliation: Vector;
  corrected: Vector;
}

/** The platform's operations from Prometheus: charts over a chosen range, refreshed every 5 s. */
export function Operations() {
  const [minutes, setMinutes] = useState(15);
  const [data, setData] = useState<Record<string, ChartData>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [tables, setTables] = useState<Tables>();
  const [tableError, setTableError] = useState<string>();
  const [updated, setUpdated] = useState<Date>();

  useEffect(() => {
    const stop = new AbortController();
    const load = async () => {
      const range = rangeOf(Date.now(), minutes);
      await Promise.all([
        ...charts.map(async (chart) => {
          try {
            const answers = await Promise.all(
              chart.queries.map(async (q) => ({
                ...q,
                matrix: await rangeQuery(q.expr, range, stop.signal),
              })),
            );
            setData((d) => ({ ...d, [chart.id]: toChartData(answers) }));
            setErrors(({ [chart.id]: _, ...rest }) => rest);
          } catch (error) {
            if (!stop.signal.aborted) setErrors((e) => ({ ...e, [chart.id]: (error as Error).message }));
          }
        }),
        (async () => {
          try {
            const [up, reasons, reconciliation, corrected] = await Promise.all([
              instantQuery('up', stop.signal),
              instantQuery('inventory:dead_letters:increase1h > 0', stop.signal),
              instantQuery('inventory:reconciliation_runs:increase1d > 0', stop.signal),
              instantQuery('max(reconciliation_items_changed)', stop.signal),
            ]);
            setTables({ up, reasons, reconciliation, corrected });
            setTableError(undefined);
          } catch (error) {
            if (!stop.signal.aborted) setTableError((error as Error).message);
          }
        })(),
      ]);
      if (!stop.signal.aborted) setUpdated(new Date());
    };
    load();
    const timer = setInterval(load, refreshMs);
    return () => {
      clearInterval(timer);
      stop.abort();
    };
  }, [minutes]);

  const targets = (tables?.up.result ?? [])
    .map((r) => ({
      service: r.metric.service ?? r.metric.job ?? '?',
      instance: r.metric.instance ?? '',
      up: r.value[1] === '1',
    }))
    .sort((a, b) => a.service.localeCompare(b.service) || a.instance.localeCompare(b.instance));

  return (
    <section aria-labelledby="ops-title">
      <h2 id="ops-title">Operations</h2>
      <div class="row">
        <label>
          Time range
          <select value={minutes} onChange={(e) => setMinutes(Number(e.currentTarget.value))}>
            {ranges.map((r) => (
              <option key={r.minutes} value={r.minutes}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <p class="muted" aria-live="off">
          From Prometheus, every {refreshMs / 1000} s
          {updated ? `; updated ${updated.toLocaleTimeString()}` : ''}
        </p>
      </div>
      <div class="charts">
        {charts.map((chart) => (
          <Chart
            key={chart.id}
            title={chart.title}
            unit={chart.unit}
            chart={data[chart.id]}
            error={errors[chart.id]}
          />
        ))}
      </div>
      {tableError && (
        <p class="problem" role="alert">
          {tableError}
        </p>
      )}
      <div class="tables">
        <div>
          <h3>Parts up or down</h3>
          <Scroll label={`Each scraped part and whether Prometheus reaches it`}>
            <table data-table="up">
              <caption class="sr-only">Each scraped part and whether Prometheus reaches it</caption>
              <thead>
                <tr>
                  <th scope="col">Part</th>
                  <th scope="col">Address</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {targets.map((t) => (
                  <tr key={`${t.service}/${t.instance}`}>
                    <th scope="row">{t.service}</th>
                    <td>{t.instance}</td>
                    <td>
                      <span class={`badge ${t.up ? 'ok' : 'warn'}`}>{t.up ? 'up' : 'down'}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
          <p class="muted">
            Kafka, Redis, PostgreSQL and RabbitMQ are behind the apps' readiness; locally: npm run stack --
            status.
          </p>
        </div>
        <div>
          <h3>Dead letters in the last hour, by reason</h3>
          {tables && tables.reasons.result.length === 0 ? (
            <p class="muted">none</p>
          ) : (
            <Scroll label={`Dead letters of the last hour by topic and reason`}>
              <table>
                <caption class="sr-only">Dead letters of the last hour by topic and reason</caption>
                <thead>
                  <tr>
                    <th scope="col">Topic</th>
                    <th scope="col">Reason</th>
                    <th scope="col" class="num">
                      Records
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {(tables?.reasons.result ?? []).map((r) => (
                    <tr key={`${r.metric.topic}/${r.metric.code}`}>
                      <td>{r.metric.topic}</td>
                      <td>{r.metric.code ?? '–'}</td>
                      <td class="num">{formatValue(Number(r.value[1]), '')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
          )}
        </div>
        <div>
          <h3>Reconciliation, last 24 hours</h3>
          {tables && tables.reconciliation.result.length === 0 ? (
            <p class="muted">no run in the last 24 hours (scheduled 02:00 UTC; npm run reconcile -- run)</p>
          ) : (
            <ul>
              {(tables?.reconciliation.result ?? []).map((r) => (
                <li key={r.metric.status}>
                  {r.metric.status}: {formatValue(Number(r.value[1]), '')} runs
                </li>
              ))}
            </ul>
          )}
          {tables?.corrected.result[0] && (
            <p>Items corrected by the last completed run: {tables.corrected.result[0].value[1]}</p>
          )}
          <p class="muted">Each job's rows: npm run reconcile -- jobs</p>
        </div>
      </div>
    </section>
  );
}
