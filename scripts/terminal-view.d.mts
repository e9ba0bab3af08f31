export const warnLevel: number;
export const infoLevel: number;
export function clockTime(ms: number): string;
export function prettyLogLine(
  app: string,
  line: string,
  options?: { minLevel?: number; color?: boolean; now?: number },
): string | undefined;
export function formatRate(perSecond: number | undefined): string;
export function vectorSum(body: unknown): number | undefined;
export interface AppState {
  name: string;
  state: string;
}
export interface Flow {
  in?: number;
  applied?: number;
  lag?: number;
}
export function statusLine(view: {
  apps: AppState[];
  flow?: Flow;
  warnings?: number;
  now?: number;
  width?: number;
}): string;
export function plainLevel(text: string): number;
