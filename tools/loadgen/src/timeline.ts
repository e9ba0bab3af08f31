/** One sample of a run, about a second after the one before it. */
export interface TimelinePoint {
  /** Seconds since the run started, when the sample was taken. */
  second: number;
  /** Events accepted since the sample before, per second of the time that really passed. */
  acceptedPerSecond: number;
  /** Events applied per second from the aggregator's reading before this sample's to this one's (null: not read). */
  appliedPerSecond: number | null;
  /** The aggregator's lag when read for this sample (null: not read). */
  lag: number | null;
  freshnessP99Ms: number | null;
}

/** The aggregator's counters as one reading of its /metrics gave them. */
export interface AggregatorReading {
  applied: number;
  /** Null while it reports no partition's lag (in a rebalance, or before it owns any). */
  lag: number | null;
  /** The longest its event loop was held since the reading before (any scrape resets it), ms. */
  loopDelayMaxMs: number;
}

const perSecond = (count: number, ms: number): number => (ms > 0 ? Math.round((count * 1000) / ms) : 0);

/**
 * A run's samples over time. Each rate is taken over the time that passed between two
 * readings, as the clock says, not over the count of samples: on saturated cores a timer
 * fires late and an answer of the aggregator (whose event loop is busy with a step) comes
 * late, and a rate per sample would show that as a second of nothing followed by a burst.
 * A sample is taken at once; the aggregator's reading for it is filled in when it comes.
 */
export class Timeline {
  readonly points: TimelinePoint[] = [];
  private last: { at: number; accepted: number };
  private lastReading: { at: number; applied: number } | undefined;
  private activeMs = 0;
  private readonly sampledAt = new Map<TimelinePoint, number>();
  /** The newest lag read (null until one is). */
  lag: number | null = null;
  /**
   * Samples given the aggregator's reading, the longest it took to answer one, and the
   * longest its event loop was held as the readings reported it (ms).
   */
  readonly readings = { read: 0, slowestMs: 0, loopDelayMaxMs: 0 };

  constructor(
    private readonly started: number,
    appliedAtStart: number | null,
  ) {
    this.last = { at: started, accepted: 0 };
    if (appliedAtStart !== null) this.lastReading = { at: started, applied: appliedAtStart };
  }

  /** A sample at `at`: `accepted` events so far, and the freshness measured since the sample before. */
  sample(at: number, accepted: number, freshness: number[]): TimelinePoint {
    const window = [...freshness].sort((a, b) => a - b);
    const point: TimelinePoint = {
      second: Math.round((at - this.started) / 1000),
      acceptedPerSecond: perSecond(accepted - this.last.accepted, at - this.last.at),
      appliedPerSecond: null,
      lag: null,
      freshnessP99Ms: window.length > 0 ? (window[Math.floor(window.length * 0.99)] as number) : null,
    };
    this.last = { at, accepted };
    this.points.push(point);
    this.sampledAt.set(point, at);
    return point;
  }

  /** The aggregator's counters for `point`, as read at `at`. */
  read(point: TimelinePoint, at: number, reading: AggregatorReading): void {
    point.lag = reading.lag;
    this.lag = reading.lag;
    this.readings.read++;
    this.readings.slowestMs = Math.max(this.readings.slowestMs, at - (this.sampledAt.get(point) ?? at));
    this.readings.loopDelayMaxMs = Math.max(this.readings.loopDelayMaxMs, reading.loopDelayMaxMs);
    const before = this.lastReading;
    this.lastReading = { at, applied: reading.applied };
    if (!before) return;
    point.appliedPerSecond = perSecond(reading.applied - before.applied, at - before.at);
    if (reading.applied > before.applied) this.activeMs += at - before.at;
  }

  /** Seconds between readings in which the aggregator applied events (at least one). */
  get activeSeconds(): number {
    return Math.max(1, this.activeMs / 1000);
  }
}
