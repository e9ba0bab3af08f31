import { randomUUID } from 'node:crypto';
import type {
  AvroCodec,
  PurchaseOrder,
  ReservationCommand,
  ReservationCommandType,
  ReservationOutcome,
} from '@inventory/codec';
import { InventoryError } from '@inventory/core';
import type { KeyLayout, RedisClient } from '@inventory/read-model';
import { ApiError } from '@inventory/service';
import type { Producer } from 'kafkajs';
import { type ReservationHomeCommands, reservationHomeCommands } from './home.lua.ts';

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

/** Where the commands of one data centre go and its outcomes come from. */
export interface ReservationChannel {
  producer: Producer;
  outcomes: { subscribe(listener: (outcome: ReservationOutcome) => void): () => void };
}

export interface OrderResult {
  orderId: string;
  status: 'CONFIRMED' | 'REFUSED' | 'UNDECIDED';
  lines: { lineNo: number; decision: Decision }[];
}

/**
 * Turns web-shop requests into commands for the aggregator, the single writer that decides
 * them, and waits for its outcomes. It never decides itself: it only makes reservationIds
 * unique across skus (the first sku an id is used for wins) and matches outcomes to the
 * waiting requests by requestId. With several data centres, a reservation at a location
 * homed in another is sent to that one's commands topic and its outcome heard there: the
 * home's aggregator is the location's only writer, so it alone can refuse to oversell it;
 * release and commit follow the reservation to where it was decided.
 */
export class Reservations {
  private readonly waiting = new Map<string, (outcome: ReservationOutcome) => void>();
  private readonly home: ReservationHomeCommands;

  constructor(
    private readonly deps: {
      settings: ReservationSettings;
      codec: AvroCodec;
      redis: RedisClient;
      keys: KeyLayout;
      /** This data centre. */
      dataCentre: string;
      /** This data centre's channel, and those of the peers it reaches. */
      channels: ReadonlyMap<string, ReservationChannel>;
      /** A known location's home data centre (master data). */
      homeOf: (locationId: string) => string | undefined;
      /**
       * The data centres to ask for a reservation of `quantity` without a location, in order
       * (candidates.ts, from the network view); none with one data centre.
       */
      candidates?: (sku: string, quantity: number) => Promise<string[]>;
      now?: () => number;
    },
  ) {
    if (!deps.channels.has(deps.dataCentre))
      throw new InventoryError(
        'CONFIG_INVALID',
        `no reservation channel of this data centre ${deps.dataCentre}`,
      );
    this.home = reservationHomeCommands(deps.redis);
    for (const channel of deps.channels.values())
      channel.outcomes.subscribe((outcome) => {
        if (outcome.requestId) this.waiting.get(outcome.requestId)?.(outcome);
      });
  }

  /** The data centre that decides a request: its location's home, this one without a location. */
  private homeFor(locationId: string | null | undefined): string {
    return (locationId ? this.deps.homeOf(locationId) : undefined) ?? this.deps.dataCentre;
  }

  private channel(dataCentre: string, locationId?: string | null): ReservationChannel {
    const channel = this.deps.channels.get(dataCentre);
    if (!channel)
      throw new ApiError(
        'LOCATION_HOMED_ELSEWHERE',
        `location ${locationId} is homed in ${dataCentre}, which decides its reservations and which this data centre does not reach: reserve through ${dataCentre}'s API`,
        { extra: { dataCentre } },
      );
    return channel;
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

  /** The data centre that decided a reservation (noted when it is not this one). */
  private async decidedIn(reservationId: string): Promise<string> {
    return (await this.deps.redis.get(this.deps.keys.reservationHome(reservationId))) ?? this.deps.dataCentre;
  }

  /** Sends one command to the data centre that decides it and waits for its outcome, at most RESERVATION_TIMEOUT_MS. */
  private async send(
    type: ReservationCommandType,
    fields: Pick<ReservationCommand, 'reservationId' | 'sku'> & Partial<ReservationCommand>,
    dataCentre: string,
  ): Promise<Decision> {
    const { settings, codec } = this.deps;
    const { producer } = this.channel(dataCentre, fields.locationId);
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
    if (!request.locationId && this.deps.candidates && this.deps.channels.size > 1)
      return this.reserveAnywhere(request, this.deps.candidates);
    const home = this.homeFor(request.locationId);
    // Refused before anything is claimed when the home cannot be reached from here.
    this.channel(home, request.locationId);
    await this.claim(request.reservationId, request.sku);
    if (home !== this.deps.dataCentre)
      await this.deps.redis.set(
        this.deps.keys.reservationHome(request.reservationId),
        home,
        'PX',
        this.deps.settings.RESERVATION_RETENTION_MS,
      );
    return this.send(
      'RESERVE',
      {
        reservationId: request.reservationId,
        sku: request.sku,
        quantity: request.quantity,
        locationId: request.locationId ?? null,
        ttlMs: (request.ttlSeconds ?? this.deps.settings.RESERVATION_TTL_SECONDS) * 1000,
        orderId: request.orderId ?? null,
      },
      home,
    );
  }

  /**
   * A reservation without a location over several data centres, one data centre at a time
   * (home.lua.ts): where the id is noted (this data centre for a new id), then, while the
   * one asked refuses, the next of the data centres the network view says can cover it
   * (candidates), noted before it is asked. Only a refusal moves the note, and only the
   * request that saw it does; a request that finds the note moved by another asks where it
   * went. So at most one data centre ever holds the reservation, and release and commit find
   * it. An undecided answer (timeout) ends the round.
   */
  private async reserveAnywhere(
    request: ReserveRequest,
    candidates: (sku: string, quantity: number) => Promise<string[]>,
  ): Promise<Decision> {
    const { keys, settings } = this.deps;
    await this.claim(request.reservationId, request.sku);
    const homeKey = keys.reservationHome(request.reservationId);
    const step = (refusedBy: string, next: string) =>
      this.home.inventoryReservationHomeStep(homeKey, refusedBy, next, settings.RESERVATION_RETENTION_MS);
    const ask = (dataCentre: string) =>
      this.send(
        'RESERVE',
        {
          reservationId: request.reservationId,
          sku: request.sku,
          quantity: request.quantity,
          locationId: null,
          ttlMs: (request.ttlSeconds ?? settings.RESERVATION_TTL_SECONDS) * 1000,
          orderId: request.orderId ?? null,
        },
        dataCentre,
      );
    const asked = new Set<string>();
    let order: string[] | undefined;
    let current = await step('', this.deps.dataCentre);
    // Each round asks one data centre; a request that keeps following others' moves still
    // ends, as every move leaves a data centre that refused for good.
    for (let round = 0; round <= 2 * this.deps.channels.size; round++) {
      if (!this.deps.channels.has(current))
        throw new ApiError(
          'LOCATION_HOMED_ELSEWHERE',
          `reservation ${request.reservationId} is being decided in ${current}, which this data centre does not reach: reserve through ${current}'s API`,
          { extra: { dataCentre: current } },
        );
      asked.add(current);
      const decision = await ask(current);
      if (decision === 'timeout' || decision.status !== 'REFUSED') return decision;
      order ??= await candidates(request.sku, request.quantity);
      const next = order.find((dc) => !asked.has(dc) && this.deps.channels.has(dc));
      if (next === undefined) return decision;
      current = await step(current, next);
    }
    return 'timeout';
  }

  async release(reservationId: string): Promise<Decision> {
    const [sku, home] = await Promise.all([this.skuOf(reservationId), this.decidedIn(reservationId)]);
    return this.send('RELEASE', { reservationId, sku }, home);
  }

  async commit(reservationId: string): Promise<Decision> {
    const [sku, home] = await Promise.all([this.skuOf(reservationId), this.decidedIn(reservationId)]);
    return this.send('COMMIT', { reservationId, sku }, home);
  }

  /**
   * All lines or none: each line is a reservation `<orderId>:<lineNo>`. When one is refused,
   * every line is released; a release is ordered after its reservation in the sku's
   * partition, so even a line still undecided cannot stay held. Only a fully confirmed
   * order is published for the ERP, keyed by orderId (its idempotency key there).
   */
  async order(request: OrderRequest): Promise<OrderResult> {
    for (const line of request.lines) this.channel(this.homeFor(line.locationId), line.locationId);
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
      // Each line where it was decided (a line without a location may be in another data centre).
      await Promise.all(
        ids.map(async (id, i) =>
          this.send(
            'RELEASE',
            { reservationId: id, sku: request.lines[i]?.sku as string },
            await this.decidedIn(id),
          ),
        ),
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
    const { settings, codec } = this.deps;
    // The order is this data centre's, whichever decided its lines: its ERP delivery sends it.
    const { producer } = this.channel(this.deps.dataCentre);
    const value = await codec.encode(`${settings.PURCHASE_ORDERS_TOPIC}-value`, 'PurchaseOrder', order);
    await producer.send({
      topic: settings.PURCHASE_ORDERS_TOPIC,
      acks: -1,
      messages: [{ key: order.orderId, value }],
    });
    return { orderId: request.orderId, status: 'CONFIRMED', lines };
  }
}
