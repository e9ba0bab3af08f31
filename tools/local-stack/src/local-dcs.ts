import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataCentres, peerQueryApiAccess } from '@inventory/kafka';
import { devCredentials, type LocalApp, type LocalContext, localApps } from './apps.ts';
import type { StackSettings } from './config.ts';
import { dcName, dcSettings } from './dcs.ts';
import { readEndpoints } from './endpoints.ts';

/**
 * The local platform of a stack with three data centres (`npm start -- --dcs 3`): the first
 * data centre runs every app; each data centre runs its own store ingest, aggregator and
 * query API, named `<app>@<dc>` in the second and third, every port DC_PORT_STEP x (n - 1)
 * above the first's, against its own Kafka and Redis and the one schema registry. The
 * aggregators keep the others' state (AGG_PEER_DATA_CENTRES), the query APIs answer the
 * network view and send a reservation to its location's home (QUERY_PEERS_FILE, as the
 * data centre's query API user of each other cluster). With one data centre it is the launcher
 * table as it is.
 */

/** The apps every data centre runs, with their settings' prefix. */
const perDataCentre: Readonly<Record<string, string>> = {
  'store-ingest': 'INGEST',
  'inventory-aggregator': 'AGG',
  'inventory-query-api': 'QUERY',
};

/** The data centres of the stack: dc1 alone, or dc1, dc2 and dc3. */
export const stackDataCentres = (settings: StackSettings): string[] =>
  dataCentres.slice(0, settings.DCS === 3 ? 3 : 1);

/** Every app `npm start` runs on this stack, in start order. */
export function localPlatform(settings: StackSettings): LocalApp[] {
  if (settings.DCS !== 3) return localApps;
  return stackDataCentres(settings).flatMap((dc, i) =>
    localApps
      .filter((app) => i === 0 || perDataCentre[app.name] !== undefined)
      .map((app) => inDataCentre(app, dc, i + 1, settings)),
  );
}

/** One app of the platform by name (`inventory-query-api@dc2` for another data centre's). */
export function localPlatformApp(settings: StackSettings, name: string): LocalApp {
  const app = localPlatform(settings).find((a) => a.name === name);
  if (!app)
    throw new Error(
      `no local app ${name}; known: ${localPlatform(settings)
        .map((a) => a.name)
        .join(', ')}`,
    );
  return app;
}

/** The data centre an app of `localPlatform` runs in: after its `@`, else the first. */
export const dataCentreOfApp = (name: string): string => name.split('@')[1] ?? dcName(1);

/** The stack settings of a data centre: the first's, or those of its stack in `<home>/<dc>`. */
function settingsOf(settings: StackSettings, dc: string): StackSettings {
  const n = dataCentres.indexOf(dc as (typeof dataCentres)[number]) + 1;
  return n <= 1 ? settings : dcSettings(settings, n);
}

/**
 * What an app of data centre `dc` is configured from: that data centre's Kafka and Redis (its
 * stack's endpoints over the first's), the first's registry, object store and the rest.
 */
export function localContextOf(settings: StackSettings, dc: string): LocalContext {
  const home = settingsOf(settings, dc).HOME;
  const endpoints = { ...readEndpoints(settings.HOME), ...readEndpoints(home) };
  return { endpoints, home, credentials: devCredentials() } as LocalContext;
}

function inDataCentre(app: LocalApp, dc: string, n: number, settings: StackSettings): LocalApp {
  const prefix = perDataCentre[app.name];
  if (prefix === undefined) return app;
  const shift = settings.DC_PORT_STEP * (n - 1);
  const shifted = (url: string) => {
    const at = new URL(url);
    at.port = String(Number(at.port) + shift);
    return at.toString();
  };
  const peers = stackDataCentres(settings).filter((other) => other !== dc);
  return {
    ...app,
    name: n === 1 ? app.name : `${app.name}@${dc}`,
    url: shifted(app.url),
    ready: shifted(app.ready),
    env: (ctx) => ({
      ...app.env(ctx),
      [`${prefix}_HTTP_PORT`]: new URL(shifted(app.ready)).port,
      ...(prefix === 'AGG' ? { AGG_DATA_CENTRE: dc, AGG_PEER_DATA_CENTRES: peers.join(',') } : {}),
      ...(prefix === 'QUERY'
        ? {
            QUERY_DATA_CENTRE: dc,
            QUERY_PEER_DATA_CENTRES: peers.join(','),
            QUERY_PEERS_FILE: peersFile(ctx, settings, dc, peers),
          }
        : {}),
    }),
  };
}

/**
 * QUERY_PEERS_FILE: each other data centre's Kafka as this data centre's query API user there
 * (`inventory-query-api-<dc>`, packages/kafka access.ts), its password by file.
 */
function peersFile(ctx: LocalContext, settings: StackSettings, dc: string, peers: string[]): string {
  const principal = peerQueryApiAccess(dc).principal;
  const file = join(ctx.home, 'query-api-peers.json');
  const entries = peers.map((peer) => {
    const endpoints = readEndpoints(settingsOf(settings, peer).HOME);
    if (!endpoints.KAFKA_BROKERS)
      throw new Error(`the stack of ${peer} runs no Kafka: npm run stack -- up --dcs 3`);
    return {
      dataCentre: peer,
      brokers: endpoints.KAFKA_BROKERS,
      ...(endpoints.KAFKA_TLS === 'true' && endpoints.KAFKA_PASSWORD_DIR
        ? {
            ...(endpoints.KAFKA_CA_FILE ? { caFile: endpoints.KAFKA_CA_FILE } : {}),
            username: principal,
            passwordFile: join(endpoints.KAFKA_PASSWORD_DIR, principal),
          }
        : {}),
    };
  });
  writeFileSync(file, `${JSON.stringify({ dataCentres: entries }, null, 2)}\n`, { mode: 0o600 });
  return file;
}
