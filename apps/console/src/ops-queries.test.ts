import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { charts, tableQueries } from './web/ops-queries.ts';

const deploy = fileURLToPath(new URL('../../../deploy/', import.meta.url));
const recorded = new Set(
  readdirSync(join(deploy, 'prometheus/rules')).flatMap((file) =>
    [...readFileSync(join(deploy, 'prometheus/rules', file), 'utf8').matchAll(/^\s*- record: (\S+)$/gm)].map(
      (m) => m[1],
    ),
  ),
);
const seriesOf = (expr: string) => expr.match(/inventory:[a-z0-9_:]+/g) ?? [];
const dashboard = JSON.parse(readFileSync(join(deploy, 'grafana/inventory-operations.json'), 'utf8')) as {
  panels: { title: string; targets: { expr: string }[] }[];
};

describe("the operations view's queries", () => {
  const consoleExprs = [
    ...charts.flatMap((c) => c.queries.map((q) => q.expr)),
    ...Object.values(tableQueries),
  ];

  it('read only series the rules record', () => {
    const used = consoleExprs.flatMap(seriesOf);
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !recorded.has(name))).toEqual([]);
  });

  it('are the Grafana dashboard panels, chart for chart', () => {
    const panels = new Map(dashboard.panels.map((p) => [p.title, p.targets.map((t) => t.expr)]));
    for (const chart of charts)
      expect(panels.get(chart.title), chart.title).toEqual(chart.queries.map((q) => q.expr));
    for (const expr of dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)))
      expect(seriesOf(expr).filter((name) => !recorded.has(name))).toEqual([]);
  });
});
