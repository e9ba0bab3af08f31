import { locationIdSchema, skuSchema } from '@inventory/domain';
import { errorBodySchema } from '@inventory/service';

const locationView = {
  type: 'object',
  properties: {
    locationId: { type: 'string' },
    onHand: { type: 'integer' },
    reserved: { type: 'integer' },
    available: { type: 'integer' },
    inStock: { type: 'boolean' },
    updatedAt: { type: 'string', format: 'date-time' },
    dataCentre: {
      type: 'string',
      description: "With several data centres: the location's home, whose state this is",
    },
  },
} as const;

const dataCentreView = {
  type: 'object',
  properties: {
    dataCentre: { type: 'string' },
    local: { type: 'boolean', description: "This data centre's own state" },
    asOf: {
      type: ['string', 'null'],
      format: 'date-time',
      description: "Newest event time applied for the sku in this data centre's locations",
    },
    replicatedAsOf: {
      type: ['string', 'null'],
      format: 'date-time',
      description: "Another data centre's: the newest MirrorMaker heartbeat from it that arrived here",
    },
    lagMs: { type: ['integer', 'null'], description: 'The answer time minus replicatedAsOf' },
    stale: {
      type: 'boolean',
      description: 'No heartbeat from that data centre within QUERY_PEER_STALE_MS: its part may be behind',
    },
  },
} as const;

export const skuView = {
  type: 'object',
  properties: {
    sku: { type: 'string' },
    onHand: { type: 'integer' },
    reserved: { type: 'integer' },
    available: { type: 'integer' },
    inStock: { type: 'boolean' },
    asOf: { type: 'string', format: 'date-time', description: 'Newest event time applied for the sku' },
    discontinued: {
      type: 'boolean',
      description: 'The ERP calls the sku discontinued (nightly reconciliation)',
    },
    discontinuedAt: { type: 'string', format: 'date-time', description: 'Since when, when discontinued' },
    locations: { type: 'array', items: locationView },
    dataCentres: {
      type: 'array',
      items: dataCentreView,
      description: 'With several data centres: how current each part of the answer is',
    },
  },
} as const;

const error = errorBodySchema;

const errors = { 400: error, 401: error, 403: error, 404: error, 429: error } as const;
const security = [{ bearer: [] }];

export const getSku = {
  summary: 'Availability of a sku across the network, per location',
  security,
  params: { type: 'object', required: ['sku'], properties: { sku: skuSchema } },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      locationId: { type: 'array', items: locationIdSchema, maxItems: 100, description: 'Repeatable' },
      region: { type: 'string', minLength: 1, maxLength: 64 },
    },
  },
  response: { 200: skuView, ...errors },
} as const;

export const getLocationSku = {
  summary: 'Availability of a sku at one location',
  security,
  params: {
    type: 'object',
    required: ['locationId', 'sku'],
    properties: { locationId: locationIdSchema, sku: skuSchema },
  },
  response: {
    200: {
      ...locationView,
      properties: {
        ...locationView.properties,
        sku: { type: 'string' },
        discontinued: skuView.properties.discontinued,
        discontinuedAt: skuView.properties.discontinuedAt,
      },
    },
    ...errors,
  },
} as const;

export const postBatch = {
  summary: 'Availability of up to 1000 skus; unknown skus are marked, not failing the batch',
  security,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['skus'],
    properties: {
      skus: { type: 'array', items: skuSchema, minItems: 1, maxItems: 1000 },
      locationIds: {
        type: 'array',
        items: locationIdSchema,
        maxItems: 100,
        description: 'Only these locations, as ?locationId= on a single sku',
      },
      region: { type: 'string', minLength: 1, maxLength: 64, description: 'Only this region' },
      includeLocations: {
        type: 'boolean',
        default: true,
        description: 'false: only the totals, no per-location array (a listing page needs no more)',
      },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        results: {
          type: 'array',
          items: { type: 'object', properties: { ...skuView.properties, found: { type: 'boolean' } } },
        },
      },
    },
    ...errors,
  },
} as const;

export const getLocations = {
  summary: 'Every location with its master data (kind, name, region, data centre), in locationId order',
  security,
  response: {
    200: {
      type: 'object',
      properties: {
        locations: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              locationId: { type: 'string' },
              kind: { type: 'string', enum: ['STORE', 'WAREHOUSE', 'DISTRIBUTION_CENTRE'] },
              name: { type: 'string' },
              region: { type: 'string' },
              dataCentre: { type: 'string' },
              active: { type: 'boolean' },
            },
          },
        },
      },
    },
    401: error,
    403: error,
    429: error,
  },
} as const;

export const getAssortment = {
  summary: "A location's whole assortment, in sku order, paged with a stable cursor",
  security,
  params: { type: 'object', required: ['locationId'], properties: { locationId: locationIdSchema } },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      cursor: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,200}$' },
      limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        locationId: { type: 'string' },
        items: {
          type: 'array',
          items: { ...locationView, properties: { ...locationView.properties, sku: { type: 'string' } } },
        },
        nextCursor: { type: ['string', 'null'] },
      },
    },
    ...errors,
  },
} as const;

export const getChanges = {
  summary: 'Server-Sent Events: every change of the given skus (network-wide), resumable with Last-Event-ID',
  description:
    'On connect, the current state of each sku (newer than Last-Event-ID, if sent), then each change. ' +
    'Event ids carry the last version of every subscribed sku. Heartbeat comments keep the connection open; ' +
    'a client that stops reading is disconnected.',
  security,
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['sku'],
    properties: {
      sku: { type: 'array', items: skuSchema, minItems: 1, maxItems: 50, description: 'Repeatable' },
    },
  },
} as const;
