import type { Metafile } from 'esbuild';

export const nodeTarget: string;
export function buildApp(appDir: string, entries: string[], outdir?: string): Promise<Metafile>;
