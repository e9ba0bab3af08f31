import {
  clientEventIdSchema,
  eventTypeSchema,
  instantSchema,
  locationIdSchema,
  referenceSchema,
  skuSchema,
} from '@inventory/domain';
import { errorBodySchema } from '@inventory/service';

/**
 * OpenAPI description of the contract, served at /docs. Validation itself is done by
 * events/validate.ts (all or nothing, every problem named), so these schemas document the
 * routes but are not used to validate requests.
 */
export const storeEventSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['eventId', 'type', 'sku', 'locationId', 'quantity', 'occurredAt'],
  properties: {
    eventId: {
      ...clientEventIdSchema,
      description:
        "The client's idempotency key, unique per client (another client may use the same ids: the platform's eventId is store:<clientId>:<this>). Resending an event with it is safe for the deduplication horizon (7 days after occurredAt): the aggregator applies it once.",
    },
    type: eventTypeSchema,
    sku: skuSchema,
    locationId: {
      ...locationIdSchema,
      description: `${locationIdSchema.description}; one the token may write.`,
    },
    quantity: {
      type: 'integer',
      description:
        '> 0 for SALE, RETURN, RECEIPT, TRANSFER_OUT, TRANSFER_IN; non-zero for ADJUSTMENT; >= 0 for COUNT.',
    },
    occurredAt: {
      ...instantSchema,
      description:
        'ISO-8601 with an offset; at most 5 minutes ahead of the server, at most the deduplication horizon (7 days) back (422 BEYOND_DEDUP_HORIZON otherwise).',
    },
    reference: { ...referenceSchema, description: 'Till receipt, delivery note, ...' },
  },
} as const;

const error = (description: string) => ({ description, ...errorBodySchema });

export const postEventsSchema = {
  summary: 'Record stock movements of a store',
  description:
    'One event, `{"events": [...]}` (at most 1000 events, 1 MiB), or application/x-ndjson with one event per line (bulk replays). ' +
    'All or nothing: one invalid event refuses the request. 202 means every event is acknowledged by Kafka.',
  security: [{ bearer: [] }],
  body: {
    oneOf: [
      storeEventSchema,
      {
        type: 'object',
        additionalProperties: false,
        required: ['events'],
        properties: { events: { type: 'array', minItems: 1, maxItems: 1000, items: storeEventSchema } },
      },
    ],
  },
  response: {
    202: {
      description: 'Every event is durably in Kafka',
      type: 'object',
      properties: { accepted: { type: 'integer' } },
    },
    400: error('Invalid events (every bad field in details), malformed JSON or NDJSON (with the line)'),
    401: error('Missing or unknown bearer token'),
    403: error('An event names a location this token may not write'),
    413: error('Body or number of events too large'),
    415: error('Content-Type other than application/json or application/x-ndjson'),
    422: error('BEYOND_DEDUP_HORIZON: events older than the deduplication horizon (listed in details)'),
    429: error('Rate limit of this token exceeded; see Retry-After'),
    503: error('Kafka did not acknowledge in time; retry with the same eventIds after Retry-After'),
  },
} as const;
