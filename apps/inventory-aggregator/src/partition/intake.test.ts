import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { type Fetched, Intake } from './intake.ts';

const records = (from: number, count: number): KafkaMessage[] =>
  Array.from({ length: count }, (_, i) => ({ offset: String(from + i) }) as KafkaMessage);
const events = (from: number, count: number): Fetched => ({
  input: 'events',
  messages: records(from, count),
});
const offsets = (messages: KafkaMessage[] | undefined) => messages?.map((m) => Number(m.offset));

describe('Intake', () => {
  it('joins consecutive batches of events into one step, up to the step size, splitting a larger one', () => {
    const intake = new Intake({ maxStepEvents: 5, highWater: 100, lingerMs: 0 });
    intake.push(events(0, 2), 0);
    intake.push(events(2, 2), 0);
    intake.push(events(4, 4), 0);
    expect(intake.depth).toBe(8);
    const first = intake.take(0);
    expect(offsets(first?.messages)).toEqual([0, 1, 2, 3, 4]);
    expect(offsets(intake.take(0)?.messages)).toEqual([5, 6, 7]);
    expect(intake.take(0)).toBeUndefined();
    expect(intake.depth).toBe(0);
  });

  it('does not join a batch fetched again from further back to the records before it', () => {
    const intake = new Intake({ maxStepEvents: 100, highWater: 100, lingerMs: 0 });
    intake.push(events(5, 3), 0);
    intake.push(events(3, 4), 0);
    intake.push(events(7, 2), 0);
    expect(offsets(intake.take(0)?.messages)).toEqual([5, 6, 7]);
    expect(offsets(intake.take(0)?.messages)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(intake.take(0)).toBeUndefined();
    expect(intake.depth).toBe(0);
  });

  it('keeps commands and events in arrival order: a batch of commands is a step of its own', () => {
    const intake = new Intake({ maxStepEvents: 100, highWater: 100, lingerMs: 0 });
    intake.push(events(0, 2), 0);
    intake.push({ input: 'commands', messages: records(0, 3) }, 0);
    intake.push(events(2, 2), 0);
    expect(intake.take(0)).toMatchObject({ input: 'events' });
    const commands = intake.take(0);
    expect(commands?.input).toBe('commands');
    expect(offsets(commands?.messages)).toEqual([0, 1, 2]);
    expect(offsets(intake.take(0)?.messages)).toEqual([2, 3]);
  });

  it('asks to pause at the high water mark and to resume below half of it', () => {
    const intake = new Intake({ maxStepEvents: 4, highWater: 8, lingerMs: 0 });
    expect(intake.push(events(0, 4), 0)).toBe(false);
    expect(intake.push(events(4, 4), 0)).toBe(true);
    intake.take(0);
    expect(intake.full).toBe(false);
    expect(intake.drained).toBe(false);
    intake.take(0);
    expect(intake.drained).toBe(true);
  });

  it('drops what is queued of one input after a seek, and keeps the other', () => {
    const intake = new Intake({ maxStepEvents: 100, highWater: 100, lingerMs: 0 });
    intake.push(events(0, 2), 0);
    intake.push({ input: 'commands', messages: records(0, 3) }, 0);
    intake.push(events(2, 2), 0);
    intake.clear('events');
    expect(intake.depth).toBe(3);
    expect(intake.take(0)?.input).toBe('commands');
    expect(intake.take(0)).toBeUndefined();
  });

  it('lets events wait for more up to the linger; a full step or commands behind them go at once', () => {
    const intake = new Intake({ maxStepEvents: 5, highWater: 100, lingerMs: 50 });
    expect(intake.dueIn(1_000)).toBeUndefined();
    intake.push(events(0, 2), 1_000);
    expect(intake.dueIn(1_010)).toBe(40);
    expect(intake.take(1_010)).toBeUndefined();
    intake.push(events(2, 1), 1_030);
    // The linger counts from the first batch waiting.
    expect(intake.dueIn(1_030)).toBe(20);
    expect(offsets(intake.take(1_050)?.messages)).toEqual([0, 1, 2]);

    intake.push(events(3, 3), 2_000);
    intake.push(events(6, 3), 2_001);
    expect(intake.dueIn(2_001)).toBe(0);
    expect(offsets(intake.take(2_001)?.messages)).toEqual([3, 4, 5, 6, 7]);
    // The rest of a split batch waits from when it arrived.
    expect(intake.dueIn(2_002)).toBe(49);

    intake.push({ input: 'commands', messages: records(0, 1) }, 2_002);
    expect(intake.dueIn(2_002)).toBe(0);
    expect(offsets(intake.take(2_002)?.messages)).toEqual([8]);
    expect(intake.take(2_002)?.input).toBe('commands');
    expect(intake.dueIn(2_002)).toBeUndefined();
  });
});
