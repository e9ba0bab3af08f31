import kafkajs, { type PartitionAssigner } from 'kafkajs';

const { AssignerProtocol } = kafkajs;

export interface MemberAssignment {
  memberId: string;
  assignment: Record<string, number[]>;
}

/**
 * Partition p of every subscribed topic goes to the same member: sorted members, p modulo
 * their count. Topics keyed alike with the same partition count (the events and the
 * reservation commands) thus meet in one instance, which can serialise a sku's events and
 * commands without any coordination. kafkajs' round-robin assigner gives no such guarantee.
 */
export function coPartitionedAssignment(
  memberIds: string[],
  partitionsByTopic: Record<string, number[]>,
): MemberAssignment[] {
  const members = [...memberIds].sort();
  const result = new Map<string, Record<string, number[]>>(members.map((m) => [m, {}]));
  for (const [topic, partitions] of Object.entries(partitionsByTopic)) {
    for (const partition of partitions) {
      const owner = result.get(members[partition % members.length] as string) as Record<string, number[]>;
      owner[topic] = [...(owner[topic] ?? []), partition];
    }
  }
  return [...result].map(([memberId, assignment]) => ({ memberId, assignment }));
}

export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'CoPartitionedAssigner',
  version: 0,
  async assign({ members, topics }) {
    const partitionsByTopic: Record<string, number[]> = {};
    for (const topic of topics) {
      partitionsByTopic[topic] = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId);
    }
    return coPartitionedAssignment(
      members.map((m) => m.memberId),
      partitionsByTopic,
    ).map(({ memberId, assignment }) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment,
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: 'CoPartitionedAssigner',
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});
