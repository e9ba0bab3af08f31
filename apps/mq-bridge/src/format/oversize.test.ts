import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { oversize } from './oversize.ts';

describe('an MQ message larger than Kafka is sent', () => {
  it('goes to Kafka as it is up to the bound', () => {
    expect(oversize(Buffer.alloc(1024, 'x'), 1024, 'dlq')).toBeUndefined();
    expect(oversize(Buffer.alloc(0), 1024, 'dlq')).toBeUndefined();
  });

  it('above it, is named by its size and SHA-256, and the dead letter says where it is kept', () => {
    const payload = Buffer.alloc(1025, 'x');
    expect(oversize(payload, 1024, 'mainframe.stock-movements.dlq')).toEqual({
      headers: {
        'mq-payload-bytes': '1025',
        'mq-payload-sha256': createHash('sha256').update(payload).digest('hex'),
      },
      detail:
        'the message has 1025 bytes, more than the 1024 sent to Kafka (MQ_MAX_MESSAGE_BYTES); it is kept whole on mainframe.stock-movements.dlq',
    });
    expect(oversize(Buffer.from('abc'), 2, 'q')?.headers['mq-payload-sha256']).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
