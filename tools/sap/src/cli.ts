// The SAP stand-in: npm run sap -- <setup | register | post [count] [per second] | status>
//   setup     creates MARD/MKPF/MSEG and the publication in the stack's "sap" database
//   register  creates or updates the Debezium connector and waits until it runs
//   post      posts goods movements as SAP would, at a chosen rate (default 100 at 10/s)
import { errorMessage } from '@inventory/core';
import { stackEndpoints } from '@inventory/testkit';
import { connectorConfig, connectorStatus, registerConnector } from './connector.ts';
import { loadPlants, postGoodsMovement, setupSchema, withSap } from './sap.ts';

const [command, ...args] = process.argv.slice(2);
const endpoints = stackEndpoints();
const connectUrl = endpoints.CONNECT_URL ?? 'http://127.0.0.1:19083';

try {
  if (command === 'setup') {
    await setupSchema(endpoints.POSTGRES_SAP_URL);
    console.log('sap: tables SAPSR3.MARD, MKPF, MSEG and publication inventory_sap ready');
  } else if (command === 'register') {
    const connector = connectorConfig(endpoints.POSTGRES_SAP_URL);
    await registerConnector(connectUrl, connector);
    console.log(
      `sap: connector ${connector.name} RUNNING (${connectUrl}/connectors/${connector.name}/status)`,
    );
  } else if (command === 'status') {
    console.log(
      JSON.stringify(
        await connectorStatus(connectUrl, connectorConfig(endpoints.POSTGRES_SAP_URL).name),
        null,
        2,
      ),
    );
  } else if (command === 'post') {
    const count = Number(args[0] ?? 100);
    const perSecond = Number(args[1] ?? 10);
    const plants = loadPlants();
    const started = Date.now();
    await withSap(endpoints.POSTGRES_SAP_URL, async (client) => {
      for (let i = 0; i < count; i++) {
        const place = plants.storageLocations[i % plants.storageLocations.length];
        if (!place) throw new Error('no storage locations in the plant master data');
        const quantity = i % 3 === 0 ? -(1 + (i % 5)) : 10 + (i % 20);
        await postGoodsMovement(client, plants.client, [
          { matnr: `SKU-${1001 + (i % 3)}`, werks: place.werks, lgort: place.lgort, quantity },
        ]);
        // Paced to the rate: wait for the slot of the next posting, if it is in the future.
        const due = started + ((i + 1) * 1000) / perSecond;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
    });
    console.log(`sap: posted ${count} goods movements in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } else {
    console.error('usage: npm run sap -- <setup | register | post [count] [per second] | status>');
    process.exit(2);
  }
} catch (error) {
  console.error(`sap ${command}: ${errorMessage(error)}`);
  process.exit(1);
}
