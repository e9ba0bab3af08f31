import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { machineListeningSockets } from '@inventory/core';

/**
 * Whether a part's port is free before the part starts. A port held by another program (a
 * stack of another folder, a leftover of an interrupted run, a service of the machine's own)
 * would otherwise show as a part that exits, or worse, as a health check answered by the
 * wrong server; `up` refuses at once instead, naming the port, its setting and its holder.
 */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The processes holding a listening socket on `port`, as `pid <n>: <command line>`, read from /proc. */
export function portHolders(port: number): string[] {
  const inodes = new Set(
    machineListeningSockets()
      .filter((s) => s.port === port)
      .map((s) => `socket:[${s.inode}]`),
  );
  const holders: string[] = [];
  if (inodes.size === 0) return holders;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const held = readdirSync(`/proc/${entry}/fd`).some((fd) =>
        inodes.has(readlinkSync(`/proc/${entry}/fd/${fd}`)),
      );
      if (!held) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      holders.push(`pid ${entry}: ${args.length > 160 ? `${args.slice(0, 160)}...` : args}`);
    } catch {
      // Ended while we looked, or another user's process we may not read.
    }
  }
  return holders;
}

/** A port one part of one stack is set to listen on. */
export interface PortClaim {
  /** The stack's home folder. */
  stack: string;
  part: string;
  port: number;
  /** The stack setting, without its INVENTORY_STACK_ prefix. */
  setting: string;
}

/**
 * Every port more than one part is set to, with each part that claims it, in the order
 * claimed: `<port>: <part> of <stack> (<setting>), <part> of <stack> (<setting>)`. Settings
 * of their own can give two parts one port, and so can a DC_PORT_STEP smaller than the
 * distance between a stack's ports (the second data centre's Kafka on the first's Redis):
 * the second part would then find the port taken by the first of the same `up`, which no
 * check before the start can see.
 */
export function portClashes(claims: readonly PortClaim[]): string[] {
  const byPort = new Map<number, PortClaim[]>();
  for (const claim of claims) byPort.set(claim.port, [...(byPort.get(claim.port) ?? []), claim]);
  return [...byPort]
    .filter(([, claimed]) => claimed.length > 1)
    .map(
      ([port, claimed]) =>
        `${port}: ${claimed.map((c) => `${c.part} of ${c.stack} (${c.setting})`).join(', ')}`,
    );
}
