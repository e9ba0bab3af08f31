import { useEffect, useState } from 'preact/hooks';
import { instantQuery, rangeQuery } from '../api.ts';
import { charts, tableQueries } from '../ops-queries.ts';
import { type ChartData, formatValue, rangeOf, toChartData, type Vector } from '../prom.ts';
import { Chart } from './Chart.tsx';
import { ScrollTable } from './Scroll.tsx';

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
              instantQuery(tableQueries.up, stop.signal),
              instantQuery(tableQueries.reasons, stop.signal),
              instantQuery(tableQueries.reconciliation, stop.signal),
              instantQuery(tableQueries.corrected, stop.signal),
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
          <ScrollTable
            label={`Each scraped part and whether Prometheus reaches it`}
            heads={['Part', 'Address', 'State']}
            name="up"
          >
            {targets.map((t) => (
              <tr key={`${t.service}/${t.instance}`}>
                <th scope="row">{t.service}</th>
                <td>{t.instance}</td>
                <td>
                  <span class={`badge ${t.up ? 'ok' : 'warn'}`}>{t.up ? 'up' : 'down'}</span>
                </td>
              </tr>
            ))}
          </ScrollTable>
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
            <ScrollTable
              label={`Dead letters of the last hour by topic and reason`}
              heads={['Topic', 'Reason', { num: 'Records' }]}
            >
              {(tables?.reasons.result ?? []).map((r) => (
                <tr key={`${r.metric.topic}/${r.metric.code}`}>
                  <td>{r.metric.topic}</td>
                  <td>{r.metric.code ?? '–'}</td>
                  <td class="num">{formatValue(Number(r.value[1]), '')}</td>
                </tr>
              ))}
            </ScrollTable>
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
          {tables?.reconciliation.result.some((r) => r.metric.status === 'completed') &&
            tables.corrected.result[0] && (
              <p>Items corrected by the last completed run: {tables.corrected.result[0].value[1]}</p>
            )}
          <p class="muted">Each job's rows: npm run reconcile -- jobs</p>
        </div>
      </div>
    </section>
  );
}
