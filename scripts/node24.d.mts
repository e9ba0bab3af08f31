export const imageNodeVersion: string;
export function ensureNode24(say?: (line: string) => void): string;
export function platformNode(say?: (line: string) => void): string;
