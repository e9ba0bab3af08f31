import { randomUUID } from 'node:crypto';
import type {
  AvroCodec,
  PurchaseOrder,
  ReservationCommand,
  ReservationCommandType,
  ReservationOutcome,
} from '@inventory/codec';
import type { KeyLayout, RedisClient } from '@inventory/read-model';
import { ApiError } from '@inventory/service';
import type { Producer } from 'kafkajs';

export interface ReservationSettings {
  COMMANDS_TOPIC: string;
  PURCHASE_ORDERS_TOPIC: string;
  RESERVATION_TIMEOUT_MS: number;
  RESERVATION_TTL_SECONDS: number;
  RESERVATION_RETENTION_MS: number;
}

export interface ReserveRequest {
  reservationId: string;
  sku: string;
  quantity: number;
  locationId?: string;
  ttlSeconds?: number;
  orderId?: string;
}

export interface OrderRequest {
  orderId: string;
  customerRef?: string;
  ttlSeconds?: number;
  lines: { sku: string; quantity: number; locationId?: string }[];
}

export type Decision = ReservationOutcome | 'timeout';

export interface OrderResult {
  orderId: string;
  status: 'CONFIRMED' | 'REFUSED' | 'UNDECIDED';
  lines: { lineNo: number; decision: Decision }[];
}

/**
 * Turns web-shop requests into commands for the aggregator, the single writer that decides
 * them, and waits for its outcomes. It never decides itself: it only makes reservationIds
 * unique across skus (the first sku an id is used for wins) and matches outcomes to the
 * waiting requests by requestId.
 */
export class Reservations {
  private readonly waiting = new Map<string, (outcome: ReservationOutcome) => void>();

  constructor(
    private readonly deps: {
      settings: ReservationSettings;
      producer: Producer;
      codec: AvroCodec;
      redis: RedisClient;
      keys: KeyLayout;
      outcomes: { subscribe(listener: (outcome: ReservationOutcome) => void): () => void };
      now?: () => number;
    },
  ) {
    deps.outcomes.subscribe((outcome) => {
      if (outcome.requestId) this.waiting.get(outcome.requestId)?.(outcome);
    });
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Binds the id to the sku on first use; refuses an id already used for another sku. */
  private async claim(reservationId: string, sku: string): Promise<void> {
    const key = this.deps.keys.reservationSku(reservationId);
    const ttl = this.deps.settings.RESERVATION_RETENTION_MS;
    const claimed = await this.deps.redis.set(key, sku, 'PX', ttl, 'NX');
    if (claimed === 'OK') return;
    const owner = await this.deps.redis.get(key);
    if (owner !== null && owner !== sku)
      throw new ApiError(
        'IDEMPOTENCY_KEY_REUSED',
        `reservationId ${reservationId} was already used for sku ${owner}; use a new id for another sku`,
      );
  }

  async skuOf(reservationId: string): Promise<string> {
    const sku = await this.deps.redis.get(this.deps.keys.reservationSku(reservationId));
    if (sku === null) throw new ApiError('UNKNOWN_RESERVATION', `no reservation ${reservationId}`);
    return sku;
  }

  /** Sends one command and waits for its outcome, at most RESERVATION_TIMEOUT_MS. */
  private async send(
    type: ReservationCommandType,
    fields: Pick<ReservationCommand, 'reservationId' | 'sku'> & Partial<ReservationCommand>,
  ): Promise<Decision> {
    const { settings, codec, producer } = this.deps;
    const command: ReservationCommand = {
      type,
      locationId: null,
      quantity: 0,
      ttlMs: settings.RESERVATION_TTL_SECONDS * 1000,
      issuedAt: this.now(),
      orderId: null,
      requestId: randomUUID(),
      ...fields,
    };
    let timer: NodeJS.Timeout | undefined;
    // Registered before sending: the outcome can arrive before send() returns.
    const decided = new Promise<ReservationOutcome>((resolve) =>
      this.waiting.set(command.requestId, resolve),
    );
    try {
      const value = await codec.encode(`${settings.COMMANDS_TOPIC}-value`, 'ReservationCommand', command);
      await producer.send({
        topic: settings.COMMANDS_TOPIC,
        acks: -1,
        messages: [{ key: command.sku, value }],
      });
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), settings.RESERVATION_TIMEOUT_MS);
      });
      return await Promise.race([decided, timeout]);
    } finally {
      clearTimeout(timer);
      this.waiting.delete(command.requestId);
    }
  }

  async reserve(request: ReserveRequest): Promise<Decision> {
    await this.claim(request.reservationId, request.sku);
    return this.send('RESERVE', {
      reservationId: request.reservationId,
      sku: request.sku,
      quantity: request.quantity,
      locationId: request.locationId ?? null,
      ttlMs: (request.ttlSeconds ?? this.deps.settings.RESERVATION_TTL_SECONDS) * 1000,
      orderId: request.orderId ?? null,
    });
  }

  async release(reservationId: string): Promise<Decision> {
    return this.send('RELEASE', { reservationId, sku: await this.skuOf(reservationId) });
  }

  async commit(reservationId: string): Promise<Decision> {
    return this.send('COMMIT', { reservationId, sku: await this.skuOf(reservationId) });
  }

  /**
   * All lines or none: each line is a reservation `<orderId>:<lineNo>`. When one is refused,
   * every line is released; a release is ordered after its reservation in the sku's
   * partition, so even a line still undecided cannot stay held. Only a fully confirmed
   * order is published for the ERP, keyed by orderId (its idempotency key there).
   */
  async order(request: OrderRequest): Promise<OrderResult> {
    const ids = request.lines.map((_, i) => `${request.orderId}:${i + 1}`);
    for (const [i, line] of request.lines.entries()) await this.claim(ids[i] as string, line.sku);
    const decisions = await Promise.all(
      request.lines.map((line, i) =>
        this.reserve({
          reservationId: ids[i] as string,
          sku: line.sku,
          quantity: line.quantity,
          orderId: request.orderId,
          ...(line.locationId ? { locationId: line.locationId } : {}),
          ...(request.ttlSeconds ? { ttlSeconds: request.ttlSeconds } : {}),
        }),
      ),
    );
    const lines = decisions.map((decision, i) => ({ lineNo: i + 1, decision }));
    if (decisions.some((d) => d !== 'timeout' && d.status !== 'CONFIRMED')) {
      await Promise.all(
        ids.map((id, i) => this.send('RELEASE', { reservationId: id, sku: request.lines[i]?.sku as string })),
      );
      return { orderId: request.orderId, status: 'REFUSED', lines };
    }
    // Undecided lines are not released: a retry of the order gets their decisions and can
    // still complete it; an abandoned order's lines expire after their ttl.
    if (decisions.includes('timeout')) return { orderId: request.orderId, status: 'UNDECIDED', lines };
    const outcomes = decisions as ReservationOutcome[];
    const order: PurchaseOrder = {
      orderId: request.orderId,
      customerRef: request.customerRef ?? null,
      lines: outcomes.map((o, i) => ({
        lineNo: i + 1,
        sku: o.sku,
        locationId: o.locationId as string,
        quantity: o.quantity,
        reservationId: o.reservationId,
      })),
      // From the aggregator's clock, so that a retried order publishes the identical record.
      confirmedAt: Math.max(...outcomes.map((o) => o.decidedAt)),
    };
    const { settings, codec, producer } = this.deps;
    const value = await codec.encode(`${settings.PURCHASE_ORDERS_TOPIC}-value`, 'PurchaseOrder', order);
    await producer.send({
      topic: settings.PURCHASE_ORDERS_TOPIC,
      acks: -1,
      messages: [{ key: order.orderId, value }],
    });
    return { orderId: request.orderId, status: 'CONFIRMED', lines };
  }
}
