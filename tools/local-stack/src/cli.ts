import { existsSync, readFileSync } from 'node:fs';
import { createCodec } from '@inventory/codec';
import { errorMessage, InventoryError } from '@inventory/core';
import { createKafka, kafkaClientOptionsFor, masterDataAccess, topicNames } from '@inventory/kafka';
import { localApps } from './apps.ts';
import { logFile } from './component.ts';
import { parseStackSettings } from './config.ts';
import { readEndpoints } from './endpoints.ts';
import { generatedTestSecrets, scanForSecrets } from './secret-scan.ts';
import { namedSecrets } from './secrets.ts';
import { readLocationsSeed, seedLocations } from './seed.ts';
import { allComponents, createContext, down, status, up } from './stack.ts';

const usage = `usage: npm run stack -- <command>
  up       start every part (idempotent) and wait until each is healthy
  down     stop every part and any process left behind
  status   show each part: up, unhealthy or down (exit 0 all up, 4 none runs, 3 otherwise)
  seed     publish the demo master data (locations) to Kafka
  logs [part] [lines]  print the end of one part's log (or all)
  apps     the apps \`npm start\` runs (JSON: name, url, ready)
  scan-logs  look for every generated secret in every log under the stack's logs/ (exit 1 when one is found)
parts: ${allComponents.map((c) => c.name).join(', ')}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const settings = parseStackSettings();
  const ctx = createContext(settings, (line) => console.log(`[stack] ${line}`));
  switch (command) {
    case 'up': {
      const started = Date.now();
      await up(ctx);
      console.log(
        `[stack] all parts up in ${((Date.now() - started) / 1000).toFixed(1)} s; endpoints in ${settings.HOME}/stack.env`,
      );
      return 0;
    }
    case 'down': {
      const report = await down(ctx);
      console.log(
        `[stack] down${report.strays.length > 0 ? ` (killed ${report.strays.length} leftover processes)` : ''}`,
      );
      return 0;
    }
    case 'status': {
      const parts = await status(ctx);
      for (const p of parts) {
        console.log(
          `${p.name.padEnd(13)} ${p.state.padEnd(10)} ${String(p.pid ?? '-').padEnd(8)} ${p.endpoint}  (${p.role})`,
        );
      }
      // 0: every part up; 4: none runs (a script that brings the stack up may take it down
      // again); 3: some part is down or not answering.
      if (parts.every((p) => p.state === 'up')) return 0;
      return parts.every((p) => p.state === 'down') ? 4 : 3;
    }
    case 'seed': {
      const endpoints = readEndpoints(settings.HOME);
      if (!endpoints.KAFKA_BROKERS) throw new InventoryError('STACK_NOT_RUNNING', 'the stack runs no Kafka');
      const codec = createCodec({ registryUrl: endpoints.SCHEMA_REGISTRY_URL });
      // As the master-data principal, the one allowed to write locations.
      const kafka = createKafka({
        clientId: 'inventory-seed',
        ...kafkaClientOptionsFor(
          { ...endpoints, KAFKA_BROKERS: endpoints.KAFKA_BROKERS },
          masterDataAccess.principal,
        ),
      });
      const count = await seedLocations(kafka, codec, readLocationsSeed(codec));
      console.log(`[stack] seeded ${count} locations to ${topicNames.locations}`);
      return 0;
    }
    case 'logs': {
      const [name, linesArg] = rest;
      const lines = Number(linesArg ?? 40);
      const chosen = name ? allComponents.filter((c) => c.name === name) : allComponents;
      if (chosen.length === 0) throw new InventoryError('USAGE', `unknown part ${name}\n${usage}`);
      for (const c of chosen) {
        const file = logFile(ctx, c.name);
        console.log(`==> ${file} <==`);
        if (existsSync(file))
          console.log(
            readFileSync(file, 'utf8')
              .split('\n')
              .slice(-lines - 1)
              .join('\n'),
          );
      }
      return 0;
    }
    case 'apps':
      console.log(JSON.stringify(localApps.map(({ name, url, ready }) => ({ name, url, ready }))));
      return 0;
    case 'scan-logs': {
      // The stack's passwords and keys and the tests' generated ones; the committed dev
      // credentials are public, and only hashes of them are in files.
      const secrets = { ...namedSecrets(ctx.secrets), ...generatedTestSecrets(settings.HOME) };
      const report = scanForSecrets([settings.dirs.logs], secrets);
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
