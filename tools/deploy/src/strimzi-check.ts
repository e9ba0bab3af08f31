import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError } from '@inventory/core';
import { fetchJars, parseStackSettings, repoRoot } from '@inventory/local-stack';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { Rendered } from './kustomize.ts';
import type { Problem } from './validate.ts';

const checkDir = join(repoRoot, 'tools/deploy/strimzi');

/** Strimzi's kinds deploy/k8s uses, with their classes in Strimzi's API model. */
export const strimziModels: Record<string, string> = {
  Kafka: 'io.strimzi.api.kafka.model.kafka.Kafka',
  KafkaNodePool: 'io.strimzi.api.kafka.model.nodepool.KafkaNodePool',
  KafkaTopic: 'io.strimzi.api.kafka.model.topic.KafkaTopic',
  KafkaUser: 'io.strimzi.api.kafka.model.user.KafkaUser',
  KafkaConnect: 'io.strimzi.api.kafka.model.connect.KafkaConnect',
  KafkaConnector: 'io.strimzi.api.kafka.model.connector.KafkaConnector',
  KafkaMirrorMaker2: 'io.strimzi.api.kafka.model.mirrormaker2.KafkaMirrorMaker2',
};

/** Strimzi 1.2.0's model is built for Java 21: a JDK of at least that (JAVA_HOME, PATH, /usr/lib/jvm). */
export function findJava(minimum = 21): string {
  const candidates = [
    ...(process.env.JAVA_HOME ? [join(process.env.JAVA_HOME, 'bin', 'java')] : []),
    'java',
    ...(existsSync('/usr/lib/jvm')
      ? readdirSync('/usr/lib/jvm').map((jdk) => join('/usr/lib/jvm', jdk, 'bin', 'java'))
      : []),
  ];
  const versions = candidates.map((java) => {
    const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
    const major = Number(/version "(\d+)/.exec(`${result.stderr}`)?.[1] ?? 0);
    return { java, major };
  });
  const found = versions.filter((v) => v.major >= minimum).sort((a, b) => b.major - a.major)[0];
  if (!found)
    throw new InventoryError(
      'STACK_PREREQUISITE_MISSING',
      `checking the Strimzi resources needs a JDK >= ${minimum} (Strimzi's API model is built for it); found ${versions
        .filter((v) => v.major > 0)
        .map((v) => `${v.java} (${v.major})`)
        .join(', ')}. Set JAVA_HOME to one, e.g. Temurin 21 or 25.`,
    );
  return found.java;
}

/** The jars of tools/deploy/strimzi/pom.xml, in the stack's folder (fetched once per pom). */
export function strimziJars(say: (line: string) => void = () => {}): string {
  const home = parseStackSettings().dirs.home;
  return fetchJars({
    name: 'Strimzi API',
    pom: join(checkDir, 'pom.xml'),
    target: join(home, 'deploy', 'strimzi-lib'),
    goals: ['dependency:copy-dependencies', '-DincludeScope=runtime'],
    build: join(home, 'build', 'strimzi-check'),
    say,
  });
}

/**
 * The CRDs of Strimzi's kinds, generated from its API model by its own CRD generator (the
 * way Strimzi produces the CRDs it installs), once per set of jars.
 */
export function strimziCrds(java: string, lib: string): Map<string, unknown> {
  const dir = join(lib, '..', 'strimzi-crds');
  const marker = join(dir, '.from');
  const from = readFileSync(join(lib, '.complete'), 'utf8');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== from) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync(
      java,
      [
        '-cp',
        `${lib}/*`,
        'io.strimzi.crdgenerator.CrdGenerator',
        '--yaml',
        '--crd-api-version',
        'v1',
        '--api-versions',
        'v1',
        '--storage-version',
        'v1',
        ...Object.entries(strimziModels).map(([kind, model]) => `${model}=${join(dir, `${kind}.yaml`)}`),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    writeFileSync(marker, from);
  }
  return new Map(
    Object.keys(strimziModels).map((kind) => {
      const crd = parseYaml(readFileSync(join(dir, `${kind}.yaml`), 'utf8')) as {
        spec: { versions: { name: string; schema: { openAPIV3Schema: unknown } }[] };
      };
      const v1 = crd.spec.versions.find((v) => v.name === 'v1');
      if (!v1) throw new Error(`the generated ${kind} CRD has no v1`);
      return [kind, v1.schema.openAPIV3Schema];
    }),
  );
}

/** Ajv for Kubernetes' structural schemas: OpenAPI's `nullable`, the x-kubernetes-* markers as annotations. */
function schemaValidators(crds: Map<string, unknown>): Map<string, ValidateFunction> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addVocabulary([
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-int-or-string',
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    // CEL rules (10 in Strimzi 1.2.0's CRDs) need the API server; they are not evaluated here.
    'x-kubernetes-validations',
  ]);
  return new Map([...crds].map(([kind, schema]) => [kind, ajv.compile(schema as object)]));
}

export interface StrimziCheck {
  problems: Problem[];
  /** How many objects each check covered. */
  checked: { model: number; schema: number };
}

/**
 * Every Strimzi object (and, through fabric8's model, every built-in kind) read strictly into
 * the Java model: an unknown field, a wrong type or an unknown enum value fails. Then the
 * Strimzi objects against the schema of the CRD generated from the same model (required
 * fields, enums, patterns, minimums).
 */
export function checkWithStrimziModel(
  rendered: Rendered[],
  say: (line: string) => void = () => {},
): StrimziCheck {
  const java = findJava();
  const lib = strimziJars(say);
  const work = mkdtempSync(join(tmpdir(), 'strimzi-check-'));
  try {
    const input = join(work, 'resources.json');
    writeFileSync(input, JSON.stringify(rendered));
    const run = spawnSync(java, ['-cp', `${lib}/*`, join(checkDir, 'ManifestCheck.java'), input], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0)
      throw new InventoryError(
        'MANIFEST_INVALID',
        `ManifestCheck failed (${run.status}): ${run.stderr.slice(-3000)}`,
      );
    const results = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { index: number; checked: boolean; errors: string[] });
    const problems: Problem[] = [];
    const at = (index: number) => {
      const { source, resource } = rendered[index] as Rendered;
      return { source, object: `${resource.kind}/${resource.metadata.name}` };
    };
    for (const result of results)
      for (const message of result.errors) problems.push({ ...at(result.index), message });
    const validators = schemaValidators(strimziCrds(java, lib));
    let schema = 0;
    rendered.forEach(({ resource }, index) => {
      if (!resource.apiVersion.startsWith('kafka.strimzi.io/')) return;
      const validate = validators.get(resource.kind);
      if (!validate) {
        problems.push({ ...at(index), message: `no Strimzi model for ${resource.kind}` });
        return;
      }
      schema++;
      if (!validate(resource))
        for (const error of validate.errors ?? [])
          problems.push({ ...at(index), message: `${error.instancePath || '/'} ${error.message}` });
    });
    return { problems, checked: { model: results.filter((r) => r.checked).length, schema } };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
