import type { Figures } from './stock.ts';

/** One sku of a location's assortment page (GET /v1/locations/{id}/availability). */
export interface AssortmentItem extends Figures {
  sku: string;
  inStock: boolean;
  updatedAt: string;
}

export type StockLevel = 'out' | 'low' | 'ok';
export type LevelFilter = 'all' | 'low' | 'out';

/** Out: nothing available; low: at most `lowAt` available; otherwise ok. */
export function levelOf(item: Figures, lowAt: number): StockLevel {
  if (item.available <= 0) return 'out';
  return item.available <= lowAt ? 'low' : 'ok';
}

/** Low-stock shows the low and the out-of-stock items (both need replenishing). */
export function filterItems(
  items: readonly AssortmentItem[],
  filter: LevelFilter,
  lowAt: number,
): AssortmentItem[] {
  if (filter === 'all') return [...items];
  return items.filter((item) => {
    const level = levelOf(item, lowAt);
    return filter === 'out' ? level === 'out' : level !== 'ok';
  });
}

/**
 * The cursors of the pages seen, so Previous goes back without the API having one: the
 * query API's cursor only goes forward (it is the last sku of a page).
 */
export class PageTrail {
  private cursors: (string | undefined)[] = [undefined];

  get page(): number {
    return this.cursors.length;
  }

  get current(): string | undefined {
    return this.cursors.at(-1);
  }

  forward(next: string): string {
    this.cursors.push(next);
    return next;
  }

  back(): string | undefined {
    if (this.cursors.length > 1) this.cursors.pop();
    return this.current;
  }
}
