import { redisAppUsers } from '@inventory/read-model';
import { keysMatching, testKafka, testRedis } from '@inventory/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createWorld, forgetWorld, type World } from './support.ts';

/**
 * What a benchmark leaves in the dev stack is removed at its end: a world's keys, its Redis
 * users, its consumer groups and its topics, and nothing of another world.
 */
describe('forgetWorld', () => {
  const redis = testRedis();
  let admin = testKafka().admin();
  afterAll(async () => {
    await admin.disconnect();
    await redis.quit();
  });

  const usersOf = async (world: World) =>
    ((await redis.call('ACL', 'USERS')) as string[])
      .filter((user) => user.endsWith(`.${world.prefix}`))
      .sort();
  const leave = async (world: World) => {
    await redis.set(`${world.prefix}:bench-a`, '1');
    await redis.set(`${world.prefix}:bench-b`, '2');
    await admin.setOffsets({
      groupId: world.groupId,
      topic: world.input,
      partitions: [{ partition: 0, offset: '0' }],
    });
    await admin.setOffsets({
      groupId: `${world.groupId}-single`,
      topic: world.input,
      partitions: [{ partition: 1, offset: '0' }],
    });
  };

  it("removes a world's keys, Redis users, consumer groups and topics, and nothing of another world", async () => {
    await admin.connect();
    const [world, other] = [await createWorld(3), await createWorld(3)];
    await leave(world);
    await leave(other);
    expect(await usersOf(world)).toEqual(redisAppUsers.map((app) => `${app}.${world.prefix}`).sort());

    const forgotten = await forgetWorld(world, [redis]);
    // A fresh admin: this one's metadata still names the topics just deleted.
    await admin.disconnect();
    admin = testKafka().admin();
    await admin.connect();

    expect(forgotten).toEqual({ keys: 2, redisUsers: redisAppUsers.length, groups: 2, groupsLeft: [] });
    expect(await keysMatching(redis, `${world.prefix}:*`)).toEqual([]);
    expect(await usersOf(world)).toEqual([]);
    const groups = (await admin.listGroups()).groups.map((group) => group.groupId);
    expect(groups.filter((groupId) => groupId.startsWith(world.groupId))).toEqual([]);
    const topics = await admin.listTopics();
    expect(topics.filter((topic) => topic.includes(world.input))).toEqual([]);

    expect((await keysMatching(redis, `${other.prefix}:*`)).sort()).toEqual([
      `${other.prefix}:bench-a`,
      `${other.prefix}:bench-b`,
    ]);
    expect(await usersOf(other)).toHaveLength(redisAppUsers.length);
    expect(groups.filter((groupId) => groupId.startsWith(other.groupId)).sort()).toEqual([
      other.groupId,
      `${other.groupId}-single`,
    ]);
    expect(topics).toContain(other.input);
    await forgetWorld(other, [redis]);
  });
});
