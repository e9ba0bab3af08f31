import { codePattern, codeRule } from './identifiers.ts';
import { eventIdProblem } from './identity.ts';
import { type InventoryEvent, quantityProblem } from './movements.ts';

export interface EventProblem {
  /** IMPOSSIBLE_VALUE: no stock movement has these values; FOREIGN_EVENT_ID: identity rule broken. */
  code: 'IMPOSSIBLE_VALUE' | 'FOREIGN_EVENT_ID';
  message: string;
}

/**
 * Why an event (already decoded) can never be folded, or undefined when it can. The
 * aggregator dead-letters such events; the ERP's sold quantities leave them out by the same
 * rule, so both count the same events.
 */
export function eventProblem(event: InventoryEvent): EventProblem | undefined {
  const impossible = (message: string): EventProblem => ({ code: 'IMPOSSIBLE_VALUE', message });
  if (!codePattern.test(event.sku))
    return impossible(`sku ${JSON.stringify(event.sku.slice(0, 80))} is not ${codeRule}`);
  if (!codePattern.test(event.locationId))
    return impossible(`locationId ${JSON.stringify(event.locationId.slice(0, 80))} is not ${codeRule}`);
  const quantity = quantityProblem(event.type, event.quantity);
  if (quantity) return impossible(`quantity ${event.quantity} ${quantity}`);
  if (event.occurredAt <= 0) return impossible('occurredAt is not a real time');
  const identity = eventIdProblem(event.source, event.eventId);
  if (identity) return { code: 'FOREIGN_EVENT_ID', message: identity };
  return undefined;
}
