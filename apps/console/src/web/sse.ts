/** One Server-Sent Event as the change feed sends it. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Server-Sent Events from a fetch body: EventSource cannot send the Authorization header the
 * query API needs, so the page reads the stream itself. Feed it text as it arrives; it
 * returns the events completed by that text (the format of the HTML standard: fields per
 * line, an empty line ends an event, `:` starts a comment, LF, CRLF or CR end lines).
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  /** The last event id received: sent back as Last-Event-ID on a reconnect. */
  lastEventId: string | undefined;

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    // A CR at the end may be the first half of CRLF: kept until the next chunk.
    const lines = this.buffer.split(/\r\n|\n|\r(?!$)/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (this.data.length > 0) {
          const event: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
          if (this.id !== undefined) event.id = this.id;
          out.push(event);
        }
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
      else if (field === 'id' && !value.includes('\0')) {
        this.id = value;
        this.lastEventId = value;
      }
    }
    return out;
  }
}
