import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import type { Manifest } from './manifest.ts';
import type { JsonPatchOperation, Patch } from './overlays.ts';

/**
 * What `kustomize build <dir>` gives, for the features deploy/k8s uses: `resources` (files and
 * other kustomizations), `namespace`, `labels` (metadata only), `images` and `patches` (JSON
 * 6902, with a target by group, version, kind and name). Any other field is refused by name, so
 * a kustomization never uses a feature this rendering would silently skip.
 */
export interface Rendered {
  /** The file the object came from, relative to the rendered folder's kustomization. */
  source: string;
  resource: Manifest;
}

const supported = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'patches']);
/** Kinds without a namespace (the namespace transformer leaves them alone). */
const clusterScoped = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { target: Patch['target']; patch?: string; path?: string }[];
}

export function render(dir: string): Rendered[] {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${dir}: no kustomization.yaml`);
  const kustomization = parseYaml(readFileSync(file, 'utf8')) as Kustomization & Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((key) => !supported.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: fields not rendered here: ${unsupported.join(', ')}`);
  let objects: Rendered[] = [];
  for (const entry of kustomization.resources ?? []) {
    const path = resolve(dir, entry);
    if (statSync(path).isDirectory())
      objects.push(...render(path).map((r) => ({ ...r, source: `${entry}/${r.source}` })));
    else
      for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
        if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]?.message}`);
        const resource = doc.toJS() as Manifest | null;
        if (resource) objects.push({ source: entry, resource });
      }
  }
  for (const { target, patch, path } of kustomization.patches ?? []) {
    const operations = parseYaml(
      patch ?? readFileSync(resolve(dir, path ?? ''), 'utf8'),
    ) as JsonPatchOperation[];
    const matched = objects.filter((o) => matches(o.resource, target));
    if (matched.length === 0)
      throw new Error(`${file}: a patch matches no object (${JSON.stringify(target)})`);
    objects = objects.map((o) =>
      matches(o.resource, target) ? { ...o, resource: applyPatch(o.resource, operations) } : o,
    );
  }
  for (const image of kustomization.images ?? [])
    objects = objects.map((o) => ({ ...o, resource: retag(o.resource, image) }));
  for (const { pairs } of kustomization.labels ?? [])
    for (const { resource } of objects) resource.metadata.labels = { ...resource.metadata.labels, ...pairs };
  if (kustomization.namespace)
    for (const { resource } of objects)
      if (!clusterScoped.has(resource.kind)) resource.metadata.namespace = kustomization.namespace;
  const seen = new Set<string>();
  for (const { resource } of objects) {
    const key = `${resource.apiVersion}/${resource.kind}/${resource.metadata.namespace ?? ''}/${resource.metadata.name}`;
    if (seen.has(key)) throw new Error(`${dir}: ${key} is defined twice`);
    seen.add(key);
  }
  return objects;
}

function matches(resource: Manifest, target: Patch['target']): boolean {
  const [group, version] = resource.apiVersion.includes('/')
    ? (resource.apiVersion.split('/') as [string, string])
    : ['', resource.apiVersion];
  return (
    resource.kind === target.kind &&
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.name === undefined || target.name === resource.metadata.name)
  );
}

/** RFC 6902 add, replace and remove; a path that does not resolve fails, naming it. */
export function applyPatch<T>(document: T, operations: JsonPatchOperation[]): T {
  const copy = structuredClone(document);
  for (const { op, path, value } of operations) {
    const keys = path
      .split('/')
      .slice(1)
      .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop();
    if (last === undefined) throw new Error(`patch path ${path}: the document itself cannot be patched`);
    let parent: unknown = copy;
    for (const key of keys) {
      parent = (parent as Record<string, unknown>)?.[key];
      if (parent === undefined || parent === null || typeof parent !== 'object')
        throw new Error(`patch path ${path}: ${key} does not exist`);
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (
        !Number.isInteger(index) ||
        index < 0 ||
        index > parent.length ||
        (op !== 'add' && index >= parent.length)
      )
        throw new Error(`patch path ${path}: no element ${last}`);
      if (op === 'add') parent.splice(index, 0, structuredClone(value));
      else if (op === 'replace') parent[index] = structuredClone(value);
      else parent.splice(index, 1);
    } else {
      const object = parent as Record<string, unknown>;
      if (op !== 'add' && !(last in object)) throw new Error(`patch path ${path}: ${last} does not exist`);
      if (op === 'remove') delete object[last];
      else object[last] = structuredClone(value);
    }
  }
  return copy;
}

/** Kustomize's images transformer: containers (and init containers) of pod templates naming the image. */
function retag(resource: Manifest, image: { name: string; newName?: string; newTag?: string }): Manifest {
  const spec = (resource.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template
    ?.spec;
  if (!spec) return resource;
  for (const list of ['containers', 'initContainers'])
    for (const container of (spec[list] as { image: string }[] | undefined) ?? []) {
      const [name, tag] = splitImage(container.image);
      if (name !== image.name) continue;
      container.image = `${image.newName ?? name}${image.newTag ? `:${image.newTag}` : tag ? `:${tag}` : ''}`;
    }
  return resource;
}

function splitImage(image: string): [string, string | undefined] {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? [image.slice(0, colon), image.slice(colon + 1)] : [image, undefined];
}
