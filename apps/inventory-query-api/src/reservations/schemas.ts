import { locationIdSchema, orderIdSchema, reservationIdSchema, skuSchema } from '@inventory/domain';
import { errorBodySchema } from '@inventory/service';

const quantity = { type: 'integer', minimum: 1, maximum: 100_000 } as const;
const ttlSeconds = { type: 'integer', minimum: 1, maximum: 86_400 } as const;
const security = [{ bearer: [] }];

const reservation = {
  type: 'object',
  properties: {
    reservationId: { type: 'string' },
    sku: { type: 'string' },
    status: { type: 'string', enum: ['CONFIRMED', 'REFUSED', 'RELEASED', 'COMMITTED', 'EXPIRED', 'UNKNOWN'] },
    locationId: { type: ['string', 'null'] },
    quantity: { type: 'integer' },
    available: { type: 'integer', description: 'Available when decided, at the location' },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
    orderId: { type: ['string', 'null'] },
  },
} as const;

const error = errorBodySchema;
const errors = {
  400: error,
  401: error,
  403: error,
  404: error,
  409: error,
  429: error,
  504: error,
} as const;

export const postReservation = {
  summary: 'Reserve stock: 201 confirmed, 409 INSUFFICIENT_STOCK, 504 undecided (retry with the same id)',
  security,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['reservationId', 'sku', 'quantity'],
    properties: {
      reservationId: reservationIdSchema,
      sku: skuSchema,
      quantity,
      locationId: locationIdSchema,
      ttlSeconds,
    },
  },
  response: { 200: reservation, 201: reservation, ...errors },
} as const;

export const reservationAction = {
  security,
  params: { type: 'object', required: ['reservationId'], properties: { reservationId: reservationIdSchema } },
  response: { 200: reservation, ...errors },
} as const;

export const postOrder = {
  summary: 'Reserve every line or none; a confirmed order is published for the ERP',
  security,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['orderId', 'lines'],
    properties: {
      orderId: orderIdSchema,
      customerRef: { type: 'string', minLength: 1, maxLength: 100 },
      ttlSeconds,
      lines: {
        type: 'array',
        minItems: 1,
        maxItems: 100,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['sku', 'quantity'],
          properties: { sku: skuSchema, quantity, locationId: locationIdSchema },
        },
      },
    },
  },
  response: {
    201: {
      type: 'object',
      properties: {
        orderId: { type: 'string' },
        status: { type: 'string' },
        lines: { type: 'array', items: { type: 'object', additionalProperties: true } },
      },
    },
    ...errors,
  },
} as const;
