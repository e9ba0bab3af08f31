import { maxEventIdLength } from './identifiers.ts';
import type { InventoryEvent, InventoryEventSource } from './movements.ts';

/**
 * Event identity. An event is identified by where it came from: (source, client, the
 * client's own id). The canonical eventId spells that out as `<namespace>:<...>`, and it is
 * the deduplication key everywhere. Each source has its own namespace and only that source
 * writes it:
 *
 *   store:<clientId>:<client's id>      store systems through the ingest API (the clientId is
 *                                       the authenticated token's, never taken from the body)
 *   mainframe:<transaction id>          the warehouse system through the MQ bridge
 *   sap:<lsn>:<client>:<mard key>       SAP stock changes through change-data capture
 *   reservation-sale:<reservationId>    a committed web-shop reservation (the aggregator)
 *   reconciliation:<job>:<sku>@<loc>    corrections of the nightly ERP reconciliation
 *   loadgen:<run>:<n>                   the load generator writing straight into Kafka
 *
 * So two stores that both number their receipts from 1 are two streams of events, never
 * duplicates of each other, and no client can pre-empt an id the platform makes itself.
 * The aggregator dead-letters an event whose eventId is not in its source's namespace.
 */
export const eventIdNamespaces: Readonly<Record<InventoryEventSource, string | undefined>> = {
  UNKNOWN: undefined,
  STORE: 'store',
  MAINFRAME: 'mainframe',
  SAP: 'sap',
  WEBSHOP: 'reservation-sale',
  RECONCILIATION: 'reconciliation',
  LOADGEN: 'loadgen',
};

/** The canonical eventId of an event a client sent: namespaced by source and client. */
export function clientEventIdentity(clientId: string, clientEventId: string): string {
  return `${eventIdNamespaces.STORE}:${clientId}:${clientEventId}`;
}

/** The canonical eventId of an event the platform derives from a source: `<namespace>:<parts>`. */
export function platformEventId(source: PlatformSource, ...parts: (string | number)[]): string {
  return `${eventIdNamespaces[source]}:${parts.join(':')}`;
}

export type PlatformSource = Exclude<InventoryEventSource, 'UNKNOWN' | 'STORE'>;

/**
 * An event the platform derives from a source of its own (the mainframe, SAP, a reservation,
 * the reconciliation, the load generator): its identity is the source's (platformEventId),
 * it has no client, and it was recorded when it happened unless said otherwise.
 */
export function platformEvent(
  source: PlatformSource,
  id: string | (string | number)[],
  fields: Pick<InventoryEvent, 'type' | 'sku' | 'locationId' | 'quantity' | 'occurredAt'> &
    Partial<Pick<InventoryEvent, 'recordedAt' | 'sourceRef'>>,
): InventoryEvent {
  return {
    eventId: platformEventId(source, ...(Array.isArray(id) ? id : [id])),
    ...fields,
    recordedAt: fields.recordedAt ?? fields.occurredAt,
    source,
    sourceRef: fields.sourceRef ?? null,
    clientId: null,
    clientEventId: null,
  };
}

/** Why an eventId cannot be the id of an event of `source`, or undefined. */
export function eventIdProblem(source: InventoryEventSource, eventId: string): string | undefined {
  if (eventId.length === 0 || eventId.length > maxEventIdLength)
    return `eventId must have 1-${maxEventIdLength} characters`;
  const namespace = eventIdNamespaces[source];
  if (namespace === undefined) return `source ${source} has no eventId namespace`;
  if (!eventId.startsWith(`${namespace}:`) || eventId.length === namespace.length + 1)
    return `eventId ${JSON.stringify(eventId.slice(0, 80))} is not in the ${namespace}: namespace of source ${source}`;
  return undefined;
}
