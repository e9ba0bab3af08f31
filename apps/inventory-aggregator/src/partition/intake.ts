import type { KafkaMessage } from 'kafkajs';

/** Which input of the partition records come from. */
export type InputKind = 'events' | 'commands';

export interface Fetched {
  input: InputKind;
  messages: KafkaMessage[];
}

/** One step's worth of records of one input, in offset order. */
export interface Work {
  input: InputKind;
  messages: KafkaMessage[];
}

export interface IntakeLimits {
  /** Most events one step folds: a step's duration, and so freshness, stays bounded under load. */
  maxStepEvents: number;
  /** Records queued at which the partition's fetching pauses (resumed below half of it). */
  highWater: number;
  /**
   * How long the first batch of events queued waits for more before it is a step (0: it is
   * one as soon as the step before it ended). A step's Redis round trips cost the same for
   * 5 events as for 500: under live traffic, waiting a little makes fewer, larger steps.
   */
  lingerMs: number;
}

interface Queued extends Fetched {
  /** When the batch was queued (the runner's clock, ms). */
  arrivedAt: number;
}

/**
 * The records a partition has fetched and not yet stepped, in arrival order. The consumer
 * hands every fetched batch over at once and goes on fetching, so one partition's slow step
 * never holds another's records (kafkajs fetches again only once every batch of a response
 * is handled). A step takes what has arrived since the last one: under load steps grow up
 * to `maxStepEvents`, so their fixed cost is shared by many events. Events wait at most
 * `lingerMs` from their arrival for others to join them; a step is due at once when it is
 * full, or when a batch of commands waits behind the events (a reservation is answered
 * without lingering).
 */
export class Intake {
  private readonly items: Queued[] = [];
  private queued = 0;

  constructor(private readonly limits: IntakeLimits) {}

  /** Records waiting. */
  get depth(): number {
    return this.queued;
  }

  /** Queues a fetched batch; true when the partition should pause fetching. */
  push(fetched: Fetched, now: number): boolean {
    if (fetched.messages.length === 0) return this.full;
    this.items.push({ ...fetched, arrivedAt: now });
    this.queued += fetched.messages.length;
    return this.full;
  }

  get full(): boolean {
    return this.queued >= this.limits.highWater;
  }

  /** True once a paused partition may fetch again. */
  get drained(): boolean {
    return this.queued < this.limits.highWater / 2;
  }

  /** How long until the next step is due: 0 now, undefined when nothing is queued. */
  dueIn(now: number): number | undefined {
    const head = this.items[0];
    if (!head) return undefined;
    if (head.input === 'commands' || this.queued >= this.limits.maxStepEvents) return 0;
    if (this.items.some((item) => item.input === 'commands')) return 0;
    return Math.max(0, head.arrivedAt + this.limits.lingerMs - now);
  }

  /**
   * The next step, once due: a batch of commands as it came, or consecutive batches of events
   * joined up to maxStepEvents (a larger batch is split, its rest stays first in line). A
   * batch that does not go on past the offsets before it (fetched again from further back) is
   * not joined to them: a step's records ascend, so its last offset is where the next begins.
   */
  take(now: number): Work | undefined {
    const head = this.items[0];
    if (!head || this.dueIn(now) !== 0) return undefined;
    if (head.input === 'commands') {
      this.items.shift();
      this.queued -= head.messages.length;
      return { input: head.input, messages: head.messages };
    }
    const messages: KafkaMessage[] = [];
    while (this.items[0]?.input === 'events' && messages.length < this.limits.maxStepEvents) {
      const item = this.items[0];
      const last = messages.at(-1);
      if (last && Number(item.messages[0]?.offset) <= Number(last.offset)) break;
      const room = this.limits.maxStepEvents - messages.length;
      if (item.messages.length <= room) {
        this.items.shift();
        for (const m of item.messages) messages.push(m);
      } else {
        for (const m of item.messages.slice(0, room)) messages.push(m);
        item.messages = item.messages.slice(room);
      }
    }
    this.queued -= messages.length;
    return { input: 'events', messages };
  }

  /** Drops what is queued of an input (after a seek: what was fetched before it is not what comes next). */
  clear(input: InputKind): void {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const item = this.items[i] as Queued;
      if (item.input !== input) continue;
      this.queued -= item.messages.length;
      this.items.splice(i, 1);
    }
  }
}
