import {
  codePattern,
  codeRule,
  instantPattern,
  maxClientEventIdLength,
  maxReferenceLength,
  orderIdPattern,
  reservationIdPattern,
  reservationIdRule,
} from './identifiers.ts';
import { inventoryEventTypes, maxAbsoluteQuantity } from './movements.ts';

/**
 * The identifier rules as JSON-schema fragments, for the HTTP apps' route schemas and
 * OpenAPI documents: built from the same patterns and limits the platform checks with, so a
 * documented rule and an enforced one cannot drift apart.
 */
const code = (description: string) =>
  ({ type: 'string', pattern: codePattern.source, description: `${description}: ${codeRule}` }) as const;

export const skuSchema = code('The article');
export const locationIdSchema = code('A store, warehouse or distribution centre');

export const clientEventIdSchema = {
  type: 'string',
  minLength: 1,
  maxLength: maxClientEventIdLength,
} as const;

export const referenceSchema = { type: 'string', minLength: 1, maxLength: maxReferenceLength } as const;

export const eventTypeSchema = { type: 'string', enum: [...inventoryEventTypes] } as const;

export const instantSchema = { type: 'string', pattern: instantPattern.source, format: 'date-time' } as const;

/** A movement's quantity as an API takes it; the per-type sign rules are checked beyond the schema. */
export const movementQuantitySchema = {
  type: 'integer',
  minimum: -maxAbsoluteQuantity,
  maximum: maxAbsoluteQuantity,
} as const;

export const reservationIdSchema = {
  type: 'string',
  pattern: reservationIdPattern.source,
  description: reservationIdRule,
} as const;

export const orderIdSchema = { type: 'string', pattern: orderIdPattern.source } as const;
