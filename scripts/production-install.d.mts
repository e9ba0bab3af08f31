/** Types of production-install.mjs (plain JavaScript: it runs in the image's build stage without tsx). */
export interface LockEntry {
  name?: string;
  link?: boolean;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
export function lockfilePackages(from?: string): Record<string, LockEntry>;
export function workspaceFolders(appDir: string, packages?: Record<string, LockEntry>): string[];
export function productionInstall(appDir: string, out: string, from?: string): number;
