import type { KafkaMessage } from 'kafkajs';

/** Which input of the partition records come from. */
export type InputKind = 'events' | 'commands';

export interface Fetched {
  input: InputKind;
  messages: KafkaMessage[];
  /** The partition's high watermark when the records were fetched (for the lag gauge). */
  highWatermark: number;
}

/** One step's worth of records of one input, in offset order. */
export interface Work {
  input: InputKind;
  messages: KafkaMessage[];
  highWatermark: number;
}

export interface IntakeLimits {
  /** Most events one step folds: a step's duration, and so freshness, stays bounded under load. */
  maxStepEvents: number;
  /** Records queued at which the partition's fetching pauses (resumed below half of it). */
  highWater: number;
}

/**
 * The records a partition has fetched and not yet stepped, in arrival order. The consumer
 * hands every fetched batch over at once and goes on fetching, so one partition's slow step
 * never holds another's records (kafkajs fetches again only once every batch of a response
 * is handled). A step takes what has arrived since the last one: under load steps grow up
 * to `maxStepEvents`, so their fixed cost is shared by many events; when quiet, a step is
 * one small batch and an event waits for nothing but the step in front of it.
 */
export class Intake {
  private readonly items: Fetched[] = [];
  private queued = 0;

  constructor(private readonly limits: IntakeLimits) {}

  /** Records waiting. */
  get depth(): number {
    return this.queued;
  }

  /** Queues a fetched batch; true when the partition should pause fetching. */
  push(fetched: Fetched): boolean {
    if (fetched.messages.length === 0) return this.full;
    this.items.push(fetched);
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

  /**
   * The next step: a batch of commands as it came, or consecutive batches of events joined
   * up to maxStepEvents (a larger batch is split, its rest stays first in line).
   */
  take(): Work | undefined {
    const head = this.items[0];
    if (!head) return undefined;
    if (head.input === 'commands') {
      this.items.shift();
      this.queued -= head.messages.length;
      return head;
    }
    const messages: KafkaMessage[] = [];
    let highWatermark = head.highWatermark;
    while (this.items[0]?.input === 'events' && messages.length < this.limits.maxStepEvents) {
      const item = this.items[0];
      const room = this.limits.maxStepEvents - messages.length;
      highWatermark = Math.max(highWatermark, item.highWatermark);
      if (item.messages.length <= room) {
        this.items.shift();
        for (const m of item.messages) messages.push(m);
      } else {
        for (const m of item.messages.slice(0, room)) messages.push(m);
        item.messages = item.messages.slice(room);
      }
    }
    this.queued -= messages.length;
    return { input: 'events', messages, highWatermark };
  }

  /** Drops what is queued of an input (after a seek: what was fetched before it is not what comes next). */
  clear(input: InputKind): void {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const item = this.items[i] as Fetched;
      if (item.input !== input) continue;
      this.queued -= item.messages.length;
      this.items.splice(i, 1);
    }
  }
}
