import { describe, expect, it } from 'vitest';
import { Timeline } from './timeline.ts';

describe('Timeline', () => {
  it('takes each rate over the time that passed, so a late timer or a late answer makes no burst', () => {
    const timeline = new Timeline(10_000, 500);
    // A timer that fired 3 s after the one before it: 30 000 events in 3 s are 10 000/s.
    const first = timeline.sample(11_000, 10_000, []);
    const late = timeline.sample(14_000, 40_000, [300, 100, 200]);
    const next = timeline.sample(15_000, 50_000, []);
    expect(first).toMatchObject({ second: 1, acceptedPerSecond: 10_000, freshnessP99Ms: null });
    expect(late).toMatchObject({ second: 4, acceptedPerSecond: 10_000, freshnessP99Ms: 300 });
    expect(next).toMatchObject({ second: 5, acceptedPerSecond: 10_000 });
    // The aggregator answers for the first sample 2.5 s late, then in time for the next.
    timeline.read(first, 13_500, { applied: 35_500, lag: 4_000, loopDelayMaxMs: 1_200 });
    timeline.read(next, 15_000, { applied: 50_500, lag: 0, loopDelayMaxMs: 300 });
    expect(first).toMatchObject({ appliedPerSecond: 10_000, lag: 4_000 });
    expect(late).toMatchObject({ appliedPerSecond: null, lag: null });
    expect(next).toMatchObject({ appliedPerSecond: 10_000, lag: 0 });
    expect(timeline.lag).toBe(0);
    expect(timeline.points).toEqual([first, late, next]);
    expect(timeline.readings).toEqual({ read: 2, slowestMs: 2_500, loopDelayMaxMs: 1_200 });
  });

  it('counts as active only the time between readings in which the applied count rose', () => {
    const timeline = new Timeline(0, 0);
    const points = [1, 2, 3, 4].map((s) => timeline.sample(s * 1_000, s * 100, []));
    timeline.read(points[0] as never, 1_000, { applied: 100, lag: 0, loopDelayMaxMs: 0 });
    timeline.read(points[1] as never, 2_000, { applied: 100, lag: 0, loopDelayMaxMs: 0 });
    timeline.read(points[3] as never, 4_500, { applied: 400, lag: 0, loopDelayMaxMs: 0 });
    expect(timeline.activeSeconds).toBe(3.5);
    expect(points.map((p) => p.appliedPerSecond)).toEqual([100, 0, null, 120]);
  });

  it('without a reading at the start, the first reading sets where applied counts from', () => {
    const timeline = new Timeline(0, null);
    const point = timeline.sample(1_000, 0, []);
    timeline.read(point, 1_000, { applied: 7, lag: 3, loopDelayMaxMs: 0 });
    expect(point).toMatchObject({ appliedPerSecond: null, lag: 3 });
    expect(timeline.activeSeconds).toBe(1);
    // An aggregator that reports no partition (a rebalance) has no lag, not a lag of 0.
    const next = timeline.sample(2_000, 0, []);
    timeline.read(next, 2_000, { applied: 7, lag: null, loopDelayMaxMs: 0 });
    expect(next).toMatchObject({ appliedPerSecond: 0, lag: null });
    expect(timeline.lag).toBeNull();
  });
});
