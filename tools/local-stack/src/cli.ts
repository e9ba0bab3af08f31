import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { createCodec } from '@inventory/codec';
import { errorMessage, InventoryError } from '@inventory/core';
import {
  createKafka,
  dataCentres,
  kafkaClientOptionsFor,
  masterDataAccess,
  topicNames,
} from '@inventory/kafka';
import { logsOf } from './component.ts';
import { mirrorMaker } from './components/mirror-maker.ts';
import { parseStackSettings } from './config.ts';
import { dcSettings, otherDcs } from './dcs.ts';
import { readEndpoints } from './endpoints.ts';
import { dataCentreOfApp, localPlatform } from './local-dcs.ts';
import { logTail } from './log-tail.ts';
import { addCut, cutOf, describeCuts, healCuts, readCuts } from './partition.ts';
import { isAlive } from './proc.ts';
import { generatedTestSecrets, scanForSecrets } from './secret-scan.ts';
import { namedSecrets } from './secrets.ts';
import { readLocationsSeed, seedLocations } from './seed.ts';
import { allComponents, createContext, down, reset, status, up, upAll } from './stack.ts';

const usage = `usage: npm run stack -- <command>
  up       start every part (idempotent) and wait until each is healthy
           --dcs 3: three data centres (a Kafka and a Redis each, MirrorMaker 2 between them)
  down     stop every part and any process left behind
  reset    delete the stopped stack's data, every data centre's (jars, secrets and logs
           stay): the next \`up\` starts empty. Refused while a part runs
  status   show each part: up, unhealthy or down (exit 0 all up, 4 none runs, 3 otherwise)
  seed     publish the demo master data (locations) to Kafka
  partition <dc> <dc>  cut the MirrorMaker flows between two data centres (three data
           centres): restarts the mirror without them, until \`heal\`
  heal     restore every cut flow: restarts the mirror with all six
  logs [part] [lines]  print the end of one part's log (or all)
  apps     the apps \`npm start\` runs (JSON: name, url, ready, dataCentre; with --dcs 3 each
           data centre's)
  scan-logs  look for every generated secret of every data centre in every log under their logs/ (exit 1 when one is found)
parts: ${allComponents.map((c) => c.name).join(', ')}`;

async function main(args: string[]): Promise<number> {
  // `--dcs 3` is the setting INVENTORY_STACK_DCS, for this run.
  const dcsAt = args.indexOf('--dcs');
  if (dcsAt >= 0) process.env.INVENTORY_STACK_DCS = args[dcsAt + 1] ?? '';
  // A partition is between data centres: these two speak of a three-data-centre stack.
  if (args[0] === 'partition' || args[0] === 'heal') process.env.INVENTORY_STACK_DCS = '3';
  const [command, ...rest] = dcsAt >= 0 ? args.filter((_, i) => i !== dcsAt && i !== dcsAt + 1) : args;
  const settings = parseStackSettings();
  const ctx = createContext(settings, (line) => console.log(`[stack] ${line}`));
  /** The other data centres' stacks: those of DCS=3, or (to stop them) those that exist. */
  const dcContexts = (existing: boolean) =>
    (existing
      ? [2, 3].map((n) => dcSettings(settings, n)).filter((s) => existsSync(s.HOME))
      : otherDcs(settings)
    ).map((dc) => createContext(dc, (line) => console.log(`[stack ${basename(dc.HOME)}] ${line}`)));
  switch (command) {
    case 'up': {
      const started = Date.now();
      await upAll([...dcContexts(false), ctx]);
      console.log(
        `[stack] all parts up in ${((Date.now() - started) / 1000).toFixed(1)} s; endpoints in ${settings.HOME}/stack.env`,
      );
      return 0;
    }
    case 'down': {
      // The mirror first, while every cluster it reaches still answers; then the other data
      // centres; the first last (its sweep of leftover processes covers their folders too).
      await mirrorMaker.stop(ctx);
      for (const dc of dcContexts(true).reverse()) await down(dc);
      const report = await down(ctx);
      console.log(
        `[stack] down${report.strays.length > 0 ? ` (killed ${report.strays.length} leftover processes)` : ''}`,
      );
      return 0;
    }
    case 'reset': {
      const stacks = [ctx, ...dcContexts(true)];
      reset(stacks);
      for (const dc of stacks) console.log(`[stack] data of ${dc.settings.HOME} deleted`);
      return 0;
    }
    case 'status': {
      const labelled = [
        ...(await status(ctx)).map((p) => ({ ...p, label: p.name as string })),
        ...(
          await Promise.all(
            dcContexts(false).map(async (dc) =>
              (await status(dc)).map((p) => ({ ...p, label: `${basename(dc.settings.HOME)}/${p.name}` })),
            ),
          )
        ).flat(),
      ];
      for (const p of labelled) {
        console.log(
          `${p.label.padEnd(13)} ${p.state.padEnd(10)} ${String(p.pid ?? '-').padEnd(8)} ${p.endpoint}  (${p.role})`,
        );
      }
      const parts = labelled;
      // 0: every part up; 4: none runs (a script that brings the stack up may take it down
      // again); 3: some part is down or not answering.
      if (parts.every((p) => p.state === 'up')) return 0;
      return parts.every((p) => p.state === 'down') ? 4 : 3;
    }
    case 'partition':
    case 'heal': {
      const mirrorPid = mirrorMaker.pid(ctx);
      if (mirrorPid === undefined || !isAlive(mirrorPid))
        throw new InventoryError(
          'STACK_NOT_RUNNING',
          'no MirrorMaker runs: start three data centres with up --dcs 3',
        );
      if (command === 'partition') {
        const cut = cutOf(rest[0], rest[1], dataCentres.slice(0, 3));
        addCut(settings.dirs.run, cut);
      } else healCuts(settings.dirs.run);
      // The mirror reads the cuts when it starts: stopped, then started by `up` with them.
      await mirrorMaker.stop(ctx);
      await up(ctx);
      const cuts = readCuts(settings.dirs.run);
      console.log(
        `[stack] mirror-maker: ${cuts.length > 0 ? `partitioned: ${describeCuts(cuts)}` : 'every flow runs'}`,
      );
      return 0;
    }
    case 'seed': {
      const codec = createCodec({ registryUrl: readEndpoints(settings.HOME).SCHEMA_REGISTRY_URL });
      // Master data is every data centre's: published into each one's cluster.
      for (const dc of [ctx, ...dcContexts(false)]) {
        const endpoints = readEndpoints(dc.settings.HOME);
        if (!endpoints.KAFKA_BROKERS)
          throw new InventoryError('STACK_NOT_RUNNING', `the stack in ${dc.settings.HOME} runs no Kafka`);
        // As the master-data principal, the one allowed to write locations.
        const kafka = createKafka({
          clientId: 'inventory-seed',
          ...kafkaClientOptionsFor(
            { ...endpoints, KAFKA_BROKERS: endpoints.KAFKA_BROKERS },
            masterDataAccess.principal,
          ),
        });
        const count = await seedLocations(kafka, codec, readLocationsSeed(codec));
        console.log(
          `[stack] seeded ${count} locations to ${topicNames.locations} at ${endpoints.KAFKA_BROKERS}`,
        );
      }
      return 0;
    }
    case 'logs': {
      const [name, linesArg] = rest;
      const lines = Number(linesArg ?? 40);
      const chosen = name ? allComponents.filter((c) => c.name === name) : allComponents;
      if (chosen.length === 0) throw new InventoryError('USAGE', `unknown part ${name}\n${usage}`);
      for (const file of chosen.flatMap((c) => logsOf(c, ctx))) {
        console.log(`==> ${file} <==`);
        for (const line of logTail(file, lines, 1024 * 1024)) console.log(line);
      }
      return 0;
    }
    case 'apps':
      console.log(
        JSON.stringify(
          localPlatform(settings).map(({ name, url, ready }) => ({
            name,
            url,
            ready,
            dataCentre: dataCentreOfApp(name),
          })),
        ),
      );
      return 0;
    case 'scan-logs': {
      // Every data centre's passwords and keys (each has its own) and the tests' generated
      // ones, in every data centre's logs; the committed dev credentials are public, and only
      // hashes of them are in files.
      const stacks = [ctx, ...dcContexts(true)];
      const secrets: Record<string, string> = generatedTestSecrets(settings.HOME);
      for (const [i, stack] of stacks.entries()) {
        const dc = i === 0 ? '' : `${basename(stack.settings.HOME)}:`;
        for (const [name, value] of Object.entries(namedSecrets(stack.secrets)))
          secrets[`${dc}${name}`] = value;
      }
      const report = scanForSecrets(
        stacks.map((stack) => stack.settings.dirs.logs),
        secrets,
      );
      for (const { secret, file, line } of report.findings)
        console.error(`[stack] the secret ${secret} is in ${file}, line ${line}`);
      console.log(
        `[stack] ${report.files} log files (${(report.bytes / 1e6).toFixed(1)} MB) scanned for ${Object.keys(secrets).length} secrets: ${report.findings.length === 0 ? 'none logged' : `${report.findings.length} found`}`,
      );
      return report.findings.length === 0 ? 0 : 1;
    }
    default:
      console.error(usage);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `[stack] ${error instanceof InventoryError ? `${error.code}: ` : ''}${errorMessage(error)}`,
    );
    process.exit(1);
  },
);
