import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listeningSockets, machineListeningSockets } from './listening.ts';

const table = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:4A94 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 81234 1 0000000000000000 100 0 0 10 0
   1: 0100007F:4A94 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 81240 1 0000000000000000 20 4 30 10 -1
   2: 00000000:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   108        0 17001 1 0000000000000000 100 0 0 10 0
`;

const table6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:6460 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 90001 1 0000000000000000 100 0 0 10 0
`;

describe('listening sockets', () => {
  it('reads the listening sockets of a /proc/net/tcp table, not its connections', () => {
    // 0x4A94 = 19092, 0x18EB = 6379; row 1 is a connection from 0xD2F0 to 19092.
    expect(listeningSockets(table)).toEqual([
      { port: 19092, inode: '81234' },
      { port: 6379, inode: '17001' },
    ]);
  });

  it('reads a tcp6 table the same way', () => {
    // 0x6460 = 25696.
    expect(listeningSockets(table6)).toEqual([{ port: 25696, inode: '90001' }]);
  });

  it("finds a port this process listens on among the machine's, and not once it is closed", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(machineListeningSockets().some((s) => s.port === port)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(machineListeningSockets().some((s) => s.port === port)).toBe(false);
  });
});
