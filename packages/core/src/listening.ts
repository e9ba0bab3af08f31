import { readFileSync } from 'node:fs';

/** A socket in the LISTEN state, as a /proc/net/tcp table lists it. */
export interface ListeningSocket {
  port: number;
  /** The socket's inode: `/proc/<pid>/fd/*` links to `socket:[<inode>]` for its holders. */
  inode: string;
}

/**
 * The listening sockets of a /proc/net/tcp or tcp6 table: each row's local address ends in
 * the port in hex, state 0A is LISTEN, the tenth column is the inode. Connections (other
 * states) are left out: a port a client connects from is not one a server holds.
 */
export function listeningSockets(table: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const row of table.split('\n').slice(1)) {
    const columns = row.trim().split(/\s+/);
    const [, local, , state] = columns;
    const inode = columns[9];
    const hexPort = local?.split(':').at(-1);
    if (state !== '0A' || hexPort === undefined || inode === undefined) continue;
    sockets.push({ port: Number.parseInt(hexPort, 16), inode });
  }
  return sockets;
}

/** The listening sockets of this machine's IPv4 and IPv6 tables (Linux; none elsewhere). */
export function machineListeningSockets(): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      sockets.push(...listeningSockets(readFileSync(table, 'utf8')));
    } catch {
      // No such table: IPv6 off, or not Linux.
    }
  }
  return sockets;
}
