/** Types of patch-dependencies.mjs (plain JavaScript: it runs after `npm install`, before tsx is there). */
export interface DependencyPatch {
  name: string;
  version: string;
  files: { file: string; replacements: [from: string, to: string][] }[];
}
export const patches: DependencyPatch[];
export function pendingPatches(folder: string): { file: string; path: string; text: string }[];
export function patchedText(text: string, replacements: [string, string][], where: string): string;
export function patchDependencies(folder: string): string[];
