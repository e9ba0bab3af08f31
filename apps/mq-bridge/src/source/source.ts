/** One message taken from the queue and not yet acknowledged. */
export interface SourceMessage {
  payload: Buffer;
  contentType: string | undefined;
  messageId: string | undefined;
  redelivered: boolean;
  /** Which connection delivered it: an acknowledgement is only valid on that one. */
  generation: number;
  /** The adapter's handle for acknowledging it (a delivery tag for AMQP). */
  tag: number;
}

/**
 * The queue the mainframe publishes movements to. RabbitMQ (AMQP 0-9-1) implements it
 * here; IBM MQ, through its AMQP channel or an MQ client library, implements the same few
 * calls and nothing else in the bridge changes.
 */
export interface MovementSource {
  /**
   * Starts delivering messages, at most `prefetch` unacknowledged at a time, and keeps
   * doing so across lost connections (reconnecting with backoff and jitter). Messages not
   * acknowledged when a connection is lost are delivered again by the broker.
   */
  start(onMessage: (message: SourceMessage) => void): Promise<void>;
  /** Acknowledges every message up to and including `last` (same generation only). */
  ackThrough(last: SourceMessage): Promise<boolean>;
  /** Publishes a copy to the dead-letter queue with the reason, confirmed by the broker. */
  deadLetter(message: SourceMessage, reason: string, detail: string): Promise<void>;
  /** Messages waiting in the queue, when the broker can tell. */
  depth(): Promise<number | undefined>;
  readonly connected: boolean;
  /** The current connection's generation (SourceMessage.generation of what it delivers). */
  readonly generation: number;
  /** Stops delivering new messages; those delivered can still be acknowledged. */
  pause(): Promise<void>;
  close(): Promise<void>;
}
