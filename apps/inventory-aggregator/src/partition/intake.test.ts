import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { type Fetched, Intake } from './intake.ts';

const records = (from: number, count: number): KafkaMessage[] =>
  Array.from({ length: count }, (_, i) => ({ offset: String(from + i) }) as KafkaMessage);
const events = (from: number, count: number, highWatermark = from + count): Fetched => ({
  input: 'events',
  messages: records(from, count),
  highWatermark,
});
const offsets = (messages: KafkaMessage[] | undefined) => messages?.map((m) => Number(m.offset));

describe('Intake', () => {
  it('joins consecutive batches of events into one step, up to the step size, splitting a larger one', () => {
    const intake = new Intake({ maxStepEvents: 5, highWater: 100 });
    intake.push(events(0, 2));
    intake.push(events(2, 2));
    intake.push(events(4, 4, 20));
    expect(intake.depth).toBe(8);
    const first = intake.take();
    expect(offsets(first?.messages)).toEqual([0, 1, 2, 3, 4]);
    expect(first?.highWatermark).toBe(20);
    expect(offsets(intake.take()?.messages)).toEqual([5, 6, 7]);
    expect(intake.take()).toBeUndefined();
    expect(intake.depth).toBe(0);
  });

  it('keeps commands and events in arrival order: a batch of commands is a step of its own', () => {
    const intake = new Intake({ maxStepEvents: 100, highWater: 100 });
    intake.push(events(0, 2));
    intake.push({ input: 'commands', messages: records(0, 3), highWatermark: 3 });
    intake.push(events(2, 2));
    expect(intake.take()).toMatchObject({ input: 'events' });
    const commands = intake.take();
    expect(commands?.input).toBe('commands');
    expect(offsets(commands?.messages)).toEqual([0, 1, 2]);
    expect(offsets(intake.take()?.messages)).toEqual([2, 3]);
  });

  it('asks to pause at the high water mark and to resume below half of it', () => {
    const intake = new Intake({ maxStepEvents: 4, highWater: 8 });
    expect(intake.push(events(0, 4))).toBe(false);
    expect(intake.push(events(4, 4))).toBe(true);
    intake.take();
    expect(intake.full).toBe(false);
    expect(intake.drained).toBe(false);
    intake.take();
    expect(intake.drained).toBe(true);
  });

  it('drops what is queued of one input after a seek, and keeps the other', () => {
    const intake = new Intake({ maxStepEvents: 100, highWater: 100 });
    intake.push(events(0, 2));
    intake.push({ input: 'commands', messages: records(0, 3), highWatermark: 3 });
    intake.push(events(2, 2));
    intake.clear('events');
    expect(intake.depth).toBe(3);
    expect(intake.take()?.input).toBe('commands');
    expect(intake.take()).toBeUndefined();
  });
});
