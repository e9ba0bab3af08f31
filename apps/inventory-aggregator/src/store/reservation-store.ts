import type { KeyLayout, StoredReservation } from '@inventory/read-model';
import type { Redis } from 'ioredis';
import { isActive } from '../reservations/decide.ts';
import { commandsScript } from './commands.lua.ts';

export interface CommandsCommit {
  partition: number;
  expectedCommandOffset: number | undefined;
  expectedEventOffset: number | undefined;
  nextCommandOffset: number;
  clock: number;
  hashes: Map<string, Record<string, string>>;
  reservations: StoredReservation[];
  outboxEntry: string;
}

/** Reservations and the commands' progress, next to the read model in Redis. */
export class ReservationStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: KeyLayout,
    /** How long a final reservation is kept, so that a late retry still gets its answer. */
    private readonly retentionMs: number,
  ) {
    redis.defineCommand('inventoryCommands', { lua: commandsScript });
  }

  async clock(partition: number): Promise<number> {
    return Number((await this.redis.get(this.keys.clock(partition))) ?? 0);
  }

  /** Confirmed reservations due by `clock`. */
  async due(partition: number, clock: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.expiry(partition), '-inf', clock);
  }

  async load(partition: number, reservationIds: string[]): Promise<Map<string, StoredReservation>> {
    const found = new Map<string, StoredReservation>();
    if (reservationIds.length === 0) return found;
    const values = await this.redis.mget(...reservationIds.map((id) => this.keys.reservation(partition, id)));
    for (const value of values) {
      if (!value) continue;
      const reservation = JSON.parse(value) as StoredReservation;
      found.set(reservation.reservationId, reservation);
    }
    return found;
  }

  async commit(commit: CommandsCommit): Promise<boolean> {
    const { partition } = commit;
    const skus = [...commit.hashes.keys()];
    const keys = [
      this.keys.commandOffset(partition),
      this.keys.offset(partition),
      this.keys.clock(partition),
      this.keys.outbox(partition),
      this.keys.expiry(partition),
      ...skus.map((sku) => this.keys.sku(partition, sku)),
      ...commit.reservations.map((r) => this.keys.reservation(partition, r.reservationId)),
    ];
    const args: (string | number)[] = [
      commit.expectedCommandOffset === undefined ? '' : String(commit.expectedCommandOffset),
      commit.expectedEventOffset === undefined ? '' : String(commit.expectedEventOffset),
      String(commit.nextCommandOffset),
      String(commit.clock),
      commit.outboxEntry,
      skus.length,
      commit.reservations.length,
      Math.ceil(this.retentionMs / 1000),
    ];
    for (const sku of skus) {
      const fields = Object.entries(commit.hashes.get(sku) ?? {});
      args.push(fields.length);
      for (const [field, value] of fields) args.push(field, value);
    }
    for (const r of commit.reservations) {
      const holds = isActive(r) && r.expiresAt !== null;
      args.push(
        JSON.stringify(r),
        r.reservationId,
        holds ? String(r.expiresAt) : '',
        isActive(r) ? '0' : '1',
      );
    }
    const ok = await (
      this.redis as unknown as { inventoryCommands(n: number, a: (string | number)[]): Promise<number> }
    ).inventoryCommands(keys.length, [...keys, ...args]);
    return ok === 1;
  }
}
