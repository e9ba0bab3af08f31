import type { SkuAvailability } from '@inventory/codec';
import { totalsView } from '../views.ts';

/** Where a session writes: an HTTP response, or any Node writable stream in tests. */
export interface EventSink {
  write(chunk: string): boolean;
  readonly writableLength: number;
  destroy(): void;
}

/** Last-Event-ID: the last version sent of every subscribed sku, so one id resumes them all. */
export function encodeEventId(versions: Map<string, number>): string {
  return Buffer.from([...versions].map(([sku, v]) => `${sku}:${v}`).join(','), 'utf8').toString('base64url');
}

export function decodeEventId(id: string | undefined): Map<string, number> {
  const versions = new Map<string, number>();
  if (!id) return versions;
  for (const pair of Buffer.from(id, 'base64url').toString('utf8').split(',')) {
    const at = pair.lastIndexOf(':');
    const version = Number(pair.slice(at + 1));
    if (at > 0 && Number.isInteger(version)) versions.set(pair.slice(0, at), version);
  }
  return versions;
}

/**
 * One Server-Sent Events subscriber. A change is sent only when its version is newer than
 * the last one sent for that sku, so the snapshot on (re)connect and the live feed can
 * overlap without duplicates or regressions. A client that stops reading is cut off once
 * more than `maxBufferBytes` wait unsent, instead of growing memory.
 */
export class SseSession {
  private readonly sent: Map<string, number>;
  closed = false;

  constructor(
    private readonly sink: EventSink,
    readonly skus: ReadonlySet<string>,
    resumeFrom: Map<string, number>,
    private readonly maxBufferBytes: number,
    private readonly onDrop: () => void,
  ) {
    this.sent = new Map([...resumeFrom].filter(([sku]) => skus.has(sku)));
  }

  send(change: SkuAvailability): void {
    if (this.closed || !this.skus.has(change.sku)) return;
    if ((this.sent.get(change.sku) ?? -1) >= change.version) return;
    this.sent.set(change.sku, change.version);
    const data = { ...totalsView(change), version: change.version };
    this.write(`id: ${encodeEventId(this.sent)}\nevent: availability\ndata: ${JSON.stringify(data)}\n\n`);
  }

  heartbeat(): void {
    if (!this.closed) this.write(': heartbeat\n\n');
  }

  close(): void {
    this.closed = true;
  }

  private write(chunk: string): void {
    this.sink.write(chunk);
    if (this.sink.writableLength > this.maxBufferBytes) {
      this.closed = true;
      this.sink.destroy();
      this.onDrop();
    }
  }
}
