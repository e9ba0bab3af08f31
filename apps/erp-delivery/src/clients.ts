import { readFileSync } from 'node:fs';
import type { AvroCodec } from '@inventory/codec';
import { readSecret } from '@inventory/config';
import { type ClientsOpener, codecOf, kafkaOf, openProducer } from '@inventory/service';
import type { Kafka, Producer } from 'kafkajs';
import pg from 'pg';
import type { DeliveryConfig } from './config.ts';
import { httpSender, type Send } from './delivery/client.ts';
import { parseSuppliers, supplierLookup } from './sold/suppliers.ts';

export interface DeliveryClients {
  kafka: Kafka;
  producer: Producer;
  codec: AvroCodec;
  send: Send;
  /** The summarizer's PostgreSQL (absent when it is turned off). */
  pool: pg.Pool | undefined;
  supplierOf: (sku: string) => string;
}

/** Opens every client the service needs from its settings (main and the tests alike). */
export const connectDelivery: ClientsOpener<DeliveryConfig, DeliveryClients> = async (
  config,
  { logger, resources },
) => {
  const suppliers = config.SUPPLIERS_FILE
    ? parseSuppliers(JSON.parse(readFileSync(config.SUPPLIERS_FILE, 'utf8')), config.SUPPLIERS_FILE)
    : undefined;
  const send = httpSender({
    tokens: {
      erp: readSecret(config, 'ERP_TOKEN'),
      supplier: readSecret(config, 'SUPPLIER_TOKEN'),
    },
    timeoutMs: config.REQUEST_TIMEOUT_MS,
  });
  const kafka = kafkaOf(config, logger);
  const producer = await openProducer(kafka, resources);
  const pool = config.SUMMARIZE
    ? resources.add('postgres', new pg.Pool({ connectionString: config.POSTGRES_URL, max: 4 }), (p) =>
        p.end(),
      )
    : undefined;
  return { kafka, producer, codec: codecOf(config), send, pool, supplierOf: supplierLookup(suppliers) };
};
