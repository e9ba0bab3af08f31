import { describe, expect, it } from 'vitest';
import { coPartitionedAssignment } from './assigner.ts';

describe('coPartitionedAssignment', () => {
  it('gives partition p of every topic to one member, for any member count', () => {
    const topics = {
      events: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      commands: [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    };
    for (const count of [1, 2, 5, 7, 12, 13]) {
      const members = Array.from({ length: count }, (_, i) => `m-${(i * 7919) % 101}`);
      const assignment = coPartitionedAssignment(members, topics);
      const owners = new Map<string, string>();
      for (const { memberId, assignment: byTopic } of assignment) {
        for (const [topic, partitions] of Object.entries(byTopic))
          for (const p of partitions) owners.set(`${topic}/${p}`, memberId);
      }
      for (let p = 0; p < 12; p++) {
        expect(owners.get(`events/${p}`)).toBeDefined();
        expect(owners.get(`commands/${p}`)).toBe(owners.get(`events/${p}`));
      }
      const loads = assignment.map((a) => (a.assignment.events ?? []).length);
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    }
  });
});
