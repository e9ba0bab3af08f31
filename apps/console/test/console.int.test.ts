import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@inventory/core';
import { useWorld } from '@inventory/inventory-aggregator-test';
import { startQueryProcess } from '@inventory/inventory-query-api-test';
import { startIngestProcess, tokens } from '@inventory/store-ingest-test';
import {
  type AppProcess,
  appReady,
  prometheusUrl,
  scrapedByPrometheus,
  startAppProcess,
  stopApp,
  TcpGate,
  uniqueName,
} from '@inventory/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const consoleDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** Screenshots of each run (git-ignored). */
const artifacts = join(consoleDir, 'test-artifacts');
/** Debian's Chromium, never a browser download; the flags keep it from calling home. */
const chromiumPath = '/usr/bin/chromium';
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const desktop = { width: 1280, height: 900 };
/**
 * The assortment's location picker by its accessible name ("Location"). Not by its label's
 * text: the label wraps the select, so that text takes in the chosen option's once the
 * locations are read.
 */
const locationPicker = (view: Page) => view.getByRole('combobox', { name: 'Location', exact: true });
const phone = { width: 375, height: 812 };

/**
 * The console end to end: the real aggregator, ingest and query API processes over a world of
 * their own, the stack's Prometheus scraping them, the console's server in front, and the
 * page in headless Chromium.
 */
describe('the web console in a browser', () => {
  const folded = useWorld();
  const sku = `SKU-${uniqueName('c').slice(-8).toUpperCase()}`;
  const apps: AppProcess[] = [];
  let ingest: AppProcess;
  let query: AppProcess;
  let server: AppProcess;
  let unscrape = () => {};
  let browser: Browser;
  let page: Page;
  /** The page as `npm run build` makes it. */
  let built: string;
  const problems: string[] = [];
  let n = 0;

  const post = async (type: string, locationId: string, quantity: number) => {
    const response = await fetch(`http://127.0.0.1:${ingest.port}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.central}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          {
            eventId: `${folded.world.prefix}-console-${n++}`,
            type,
            sku,
            locationId,
            quantity,
            occurredAt: new Date(Date.now() - 1_000).toISOString(),
          },
        ],
      }),
    });
    expect(response.status, await response.text()).toBe(202);
  };
  const onHandNow = async () => {
    const response = await fetch(`http://127.0.0.1:${query.port}/v1/availability/${sku}`, {
      headers: { authorization: 'Bearer store-key' },
    });
    return response.ok ? ((await response.json()) as { onHand: number }).onHand : undefined;
  };
  const text = (selector: string) => page.locator(selector).first().textContent();
  /** axe-core in the page: the serious and critical violations, with the nodes they concern. */
  const seriousViolations = async () => {
    // Evaluated through the DevTools protocol: the page's policy allows no script of another origin.
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: {
            run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
          };
        }
      ).axe;
      return (await axe.run()).violations;
    });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  };

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    // The page as `npm run build` makes it, into a folder of this run.
    built = mkdtempSync(join(tmpdir(), 'console-page-'));
    execFileSync(
      join(repoRoot, 'node_modules', '.bin', 'vite'),
      ['build', '--logLevel', 'error', '--outDir', built],
      {
        cwd: consoleDir,
      },
    );
    ingest = startIngestProcess(folded.world.input, {
      INGEST_RATE_PER_SECOND: '1000',
      INGEST_RATE_BURST: '1000',
    });
    query = startQueryProcess(folded.world, {
      QUERY_SSE_HEARTBEAT_MS: '1000',
      QUERY_CACHE_MAX_AGE_SECONDS: '0',
    });
    apps.push(ingest, query);
    await Promise.all([appReady(ingest), appReady(query)]);
    server = startAppProcess(
      consoleDir,
      {
        PATH: process.env.PATH,
        CONSOLE_QUERY_API_URL: `http://127.0.0.1:${query.port}`,
        CONSOLE_PROMETHEUS_URL: prometheusUrl(),
        CONSOLE_STATIC_DIR: built,
        CONSOLE_LOG_LEVEL: 'warn',
      },
      'CONSOLE_HTTP_PORT',
    );
    apps.push(server);
    await appReady(server);
    unscrape = scrapedByPrometheus(folded.world.prefix, [
      { service: 'store-ingest', port: ingest.port },
      { service: 'inventory-query-api', port: query.port },
      { service: 'inventory-aggregator', port: folded.aggregator.port },
      { service: 'console', port: server.port },
    ]);
    await post('RECEIPT', 'S-1', 10);
    await post('RECEIPT', 'S-3', 5);
    await post('RECEIPT', 'W-1', 7);
    await waitFor(async () => (await onHandNow()) === 22, {
      description: `${sku} folded`,
      timeoutMs: 60_000,
    });

    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags, headless: true });
    page = await browser.newPage({ viewport: desktop });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    await page.goto(`http://127.0.0.1:${server.port}/`);
  });

  // A failed step in CI leaves only its message: the page's address and accessibility tree say
  // what it showed, and a screenshot is kept.
  const dump = async (view: Page, name: string) => {
    if (view.isClosed()) return;
    const shot = join(artifacts, `failed-${name.replace(/\W+/g, '-').slice(0, 60)}.png`);
    await view.screenshot({ path: shot, fullPage: true }).catch(() => {});
    const shown = await view.locator('main').ariaSnapshot().catch(String);
    console.error(
      `[console test] ${name}: the page at ${view.url()} showed:\n${shown.slice(0, 2_000)}\n(${shot})`,
    );
  };
  beforeEach(({ onTestFailed, task }) => {
    onTestFailed(() => (page ? dump(page, task.name) : undefined));
  });

  afterAll(async () => {
    await browser?.close();
    unscrape();
    for (const app of apps) await stopApp(app);
  });

  it('asks for the key, keeps it in this tab only, and never puts one in the page', async () => {
    await page.getByLabel('API key', { exact: true }).fill('store-key');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByLabel('SKU').waitFor();
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual(['store-key']);
    expect(await page.evaluate(() => Object.keys(localStorage).length + document.cookie.length)).toBe(0);
    const html = await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
    expect(html).not.toContain('store-key');
  });

  it('finds a sku, per region and per location, and shows a movement live without a reload', async () => {
    await page.getByLabel('SKU').fill(sku.toLowerCase());
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForFunction(() => document.querySelector('[data-live="true"]'), undefined, {
      timeout: 30_000,
    });
    expect(await text('[data-figure="network-onHand"]')).toBe('22');
    expect(
      await page
        .locator('tbody tr[data-location]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-location'))),
    ).toEqual(['S-1', 'W-1', 'S-3']);
    const regions = await page
      .locator('table')
      .first()
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.children].map((cell) => cell.textContent)));
    expect(regions).toEqual([
      ['north', '1', '10', '0', '10'],
      ['west', '2', '12', '0', '12'],
    ]);

    // A marker in the page: gone if the page were loaded again.
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42;
    });
    await post('RECEIPT', 'S-3', 4);
    await page.waitForFunction(
      () => document.querySelector('[data-figure="network-onHand"]')?.textContent === '26',
      undefined,
      { timeout: 20_000 },
    );
    await page.waitForFunction(
      () => document.querySelector('tr[data-location="S-3"] td:nth-of-type(3)')?.textContent === '9',
      undefined,
      { timeout: 20_000 },
    );
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
    expect(await page.locator('.flash').count()).toBeGreaterThan(0);
  });

  it('puts the chosen location first, then its region', async () => {
    await page.getByLabel('Nearest to').selectOption('S-3');
    expect(
      await page
        .locator('tbody tr[data-location]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-location'))),
    ).toEqual(['S-3', 'W-1', 'S-1']);
    await page.screenshot({ path: join(artifacts, 'find-stock-desktop.png'), fullPage: true });
    expect(await seriousViolations()).toEqual([]);
    await page.setViewportSize(phone);
    // Nothing wider than the phone's screen but the tables' own scroll boxes.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: join(artifacts, 'find-stock-375.png'), fullPage: true });
    expect(await seriousViolations()).toEqual([]);
    await page.setViewportSize(desktop);
  });

  it("pages a location's assortment with the stock filters, by keyboard", async () => {
    await page.goto(`http://127.0.0.1:${server.port}/#/assortment`);
    await locationPicker(page).selectOption('S-3');
    await page.waitForFunction((s) => document.body.textContent?.includes(s), sku);
    await page.getByLabel('out of stock').focus();
    await page.keyboard.press('Space');
    await page.waitForFunction((s) => !document.body.textContent?.includes(s), sku);
    expect(await seriousViolations()).toEqual([]);
  });

  it('shows operations charts fed by Prometheus, with every part of the test up', async () => {
    const reserve = await fetch(`http://127.0.0.1:${query.port}/v1/reservations`, {
      method: 'POST',
      headers: { authorization: 'Bearer shop-key', 'content-type': 'application/json' },
      body: JSON.stringify({ reservationId: `${folded.world.prefix}-r1`, sku, quantity: 2 }),
    });
    expect(reserve.status, await reserve.text()).toBe(201);
    // Freshness is measured over the last minute's events.
    await post('SALE', 'S-1', 1);
    await page.goto(`http://127.0.0.1:${server.port}/#/operations`);
    const points = (title: string) =>
      page.evaluate(
        (t) =>
          Number(
            [...document.querySelectorAll('figure.chart')]
              .find((f) => f.querySelector('figcaption')?.textContent?.startsWith(t))
              ?.getAttribute('data-points') ?? 0,
          ),
        title,
      );
    // Rates need two scrapes that differ: a sale is posted on every try, so the charts see
    // events however late Prometheus picked up the test's targets.
    for (const title of [
      'Events in and applied',
      'Consumer lag per partition',
      'Freshness',
      'Reservations by outcome',
    ])
      await waitFor(
        async () => {
          if ((await points(title)) > 0) return true;
          await post('SALE', 'S-1', 1);
          return false;
        },
        {
          description: `the chart "${title}" to show data from ${prometheusUrl()}`,
          timeoutMs: 90_000,
          intervalMs: 2_000,
        },
      );
    expect(await page.locator('figure.chart canvas').count()).toBeGreaterThanOrEqual(4);
    // The table of parts refreshes with the charts; Prometheus finds the test's target file within seconds.
    const upRows = () => page.locator('table[data-table="up"] tbody tr').allTextContents();
    for (const service of ['store-ingest', 'inventory-query-api', 'inventory-aggregator', 'console'])
      await waitFor(
        async () => (await upRows()).some((row) => row.startsWith(service) && row.endsWith('up')),
        {
          description: () => `${service} shown up among the parts`,
          timeoutMs: 30_000,
          intervalMs: 500,
        },
      );
    await page.screenshot({ path: join(artifacts, 'operations-desktop.png'), fullPage: true });
    expect(await seriousViolations()).toEqual([]);
    await page.setViewportSize(phone);
    await page.waitForFunction(() => document.documentElement.scrollWidth <= 375);
    await page.screenshot({ path: join(artifacts, 'operations-375.png'), fullPage: true });
    expect(await seriousViolations()).toEqual([]);
  });

  it('says when the locations cannot be read and offers them once the query API answers', async () => {
    // A console whose query API does not answer yet: a gate in front of the real one, closed.
    const gate = new TcpGate('127.0.0.1', query.port);
    await gate.start();
    gate.cut();
    const late = startAppProcess(
      consoleDir,
      {
        PATH: process.env.PATH,
        CONSOLE_QUERY_API_URL: `http://127.0.0.1:${gate.port}`,
        CONSOLE_PROMETHEUS_URL: prometheusUrl(),
        CONSOLE_STATIC_DIR: built,
        CONSOLE_LOG_LEVEL: 'error',
      },
      'CONSOLE_HTTP_PORT',
    );
    apps.push(late);
    // Its own tab: the failed reads it makes are meant, not errors of the page under test.
    const tab = await browser.newPage({ viewport: desktop });
    try {
      await appReady(late);
      await tab.goto(`http://127.0.0.1:${late.port}/#/assortment`);
      await tab.getByLabel('API key', { exact: true }).fill('store-key');
      await tab.getByRole('button', { name: 'Use this key' }).click();
      await tab.getByRole('alert').filter({ hasText: 'the locations could not be read' }).waitFor();
      expect(await locationPicker(tab).locator('option').count()).toBe(0);

      gate.restore();
      await locationPicker(tab).selectOption('S-3');
      await tab.waitForFunction((s) => document.body.textContent?.includes(s), sku);
      expect(
        await tab.getByRole('alert').filter({ hasText: 'the locations could not be read' }).count(),
      ).toBe(0);
    } catch (error) {
      // The tab is closed before the test's failure hook runs.
      await dump(tab, 'the console whose query API answered late');
      throw error;
    } finally {
      await tab.close();
      await stopApp(late);
      await gate.stop();
    }
  });

  it('printed no error to the browser console', () => {
    expect(problems).toEqual([]);
  });
});
