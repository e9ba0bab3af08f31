import kafkajs, { type AclEntry, type Admin } from 'kafkajs';
import type { KafkaAccess } from './access.ts';

// kafkajs is CommonJS; Node's ESM loader does not see its enums as named exports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/**
 * The ACLs of the access table (access.ts) in the two forms that provision them: Strimzi's
 * KafkaUser rules (tools/deploy) and the broker's own bindings, created by the local stack
 * through the Admin API. One derivation for both, so the cluster and the local broker grant
 * exactly the same.
 */
export type AclOperation =
  | 'Read'
  | 'Write'
  | 'Create'
  | 'Delete'
  | 'Describe'
  | 'DescribeConfigs'
  | 'AlterConfigs';

const operationOrder: AclOperation[] = [
  'Read',
  'Write',
  'Create',
  'Delete',
  'Describe',
  'DescribeConfigs',
  'AlterConfigs',
];

export interface AclRule {
  resource: { type: 'topic' | 'group' | 'transactionalId'; name: string; patternType: 'literal' | 'prefix' };
  operations: AclOperation[];
}

/** The ACLs of one access entry, one rule per resource, operations in a fixed order. */
export function aclRules(access: KafkaAccess): AclRule[] {
  const rules = new Map<string, AclRule>();
  const grant = (
    type: AclRule['resource']['type'],
    name: string,
    prefix: boolean,
    operations: AclOperation[],
  ) => {
    const key = `${type}:${prefix ? 'prefix' : 'literal'}:${name}`;
    const rule = rules.get(key) ?? {
      resource: { type, name, patternType: prefix ? 'prefix' : 'literal' },
      operations: [],
    };
    rule.operations = operationOrder.filter((op) => rule.operations.includes(op) || operations.includes(op));
    rules.set(key, rule);
  };
  for (const topic of access.reads) grant('topic', topic, false, ['Read', 'Describe']);
  for (const topic of access.writes) grant('topic', topic, false, ['Write', 'Describe']);
  for (const topic of access.inspects) grant('topic', topic, false, ['Describe', 'DescribeConfigs']);
  for (const prefix of access.ownedTopicPrefixes ?? [])
    grant('topic', prefix, true, ['Read', 'Write', 'Create', 'Describe', 'DescribeConfigs']);
  for (const group of access.groups) grant('group', group, true, ['Read', 'Describe', 'Delete']);
  for (const id of access.transactionalIds) grant('transactionalId', id, true, ['Write', 'Describe']);
  return [...rules.values()];
}

const resourceTypes = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  transactionalId: AclResourceTypes.TRANSACTIONAL_ID,
} as const;

const operations: Record<AclOperation, number> = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Create: AclOperationTypes.CREATE,
  Delete: AclOperationTypes.DELETE,
  Describe: AclOperationTypes.DESCRIBE,
  DescribeConfigs: AclOperationTypes.DESCRIBE_CONFIGS,
  AlterConfigs: AclOperationTypes.ALTER_CONFIGS,
};

/** Kafka's name of a SCRAM user as a principal. */
export const userPrincipal = (name: string): string => `User:${name}`;

/** The broker's bindings of one access entry: allow, from any host, one per operation and resource. */
export function aclBindings(access: KafkaAccess): AclEntry[] {
  return aclRules(access).flatMap((rule) =>
    rule.operations.map(
      (operation): AclEntry => ({
        resourceType: resourceTypes[rule.resource.type],
        resourceName: rule.resource.name,
        resourcePatternType:
          rule.resource.patternType === 'prefix'
            ? ResourcePatternTypes.PREFIXED
            : ResourcePatternTypes.LITERAL,
        principal: userPrincipal(access.principal),
        host: '*',
        operation: operations[operation] as AclEntry['operation'],
        permissionType: AclPermissionTypes.ALLOW,
      }),
    ),
  );
}

const bindingKey = (b: AclEntry): string =>
  [
    b.principal,
    b.resourceType,
    b.resourcePatternType,
    b.resourceName,
    b.host,
    b.operation,
    b.permissionType,
  ].join('\u0000');

export interface AclProvisioning {
  created: number;
  deleted: number;
}

/**
 * Makes the broker's ACLs of the given principals exactly those of their access entries:
 * missing bindings are created, bindings of these principals that the table no longer grants
 * are deleted, others' are left alone. Idempotent: a second run changes nothing.
 */
export async function provisionAcls(
  admin: Admin,
  accesses: readonly KafkaAccess[],
): Promise<AclProvisioning> {
  const wanted = new Map(accesses.flatMap(aclBindings).map((b) => [bindingKey(b), b]));
  const present: AclEntry[] = [];
  for (const access of accesses) {
    const described = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal: userPrincipal(access.principal),
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    for (const resource of described.resources)
      for (const acl of resource.acls)
        present.push({
          resourceType: resource.resourceType,
          resourceName: resource.resourceName,
          resourcePatternType: resource.resourcePatternType,
          ...acl,
        });
  }
  const presentKeys = new Set(present.map(bindingKey));
  const missing = [...wanted.values()].filter((b) => !presentKeys.has(bindingKey(b)));
  const stale = present.filter((b) => !wanted.has(bindingKey(b)));
  if (missing.length > 0) await admin.createAcls({ acl: missing });
  if (stale.length > 0) await admin.deleteAcls({ filters: stale });
  return { created: missing.length, deleted: stale.length };
}
