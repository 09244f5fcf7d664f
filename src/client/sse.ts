import { readText } from './text-stream.js';

/** One dispatched server-sent event. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Incremental parser for the text/event-stream format (WHATWG HTML §9.2). It is fed decoded
 * text in arbitrary chunks, because network reads split lines and even `\r\n` pairs anywhere.
 */
export class SseParser {
  private buffer = '';
  private pendingCr = false;
  private id: string | undefined;
  private event = '';
  private data: string[] = [];
  private hasData = false;

  /** Feeds a chunk and returns the events it completed. */
  push(chunk: string): SseMessage[] {
    let text = chunk;
    // A chunk that starts with "\n" right after a "\r" is the second half of one line ending.
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      this.line(this.buffer.slice(start, i), out);
      if (c === '\r') {
        if (i + 1 < this.buffer.length) {
          if (this.buffer[i + 1] === '\n') i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  /** The stream ended: an event without its closing blank line is discarded, as the spec says. */
  end(): void {
    this.buffer = '';
    this.reset();
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.hasData) {
        out.push({ ...(this.id !== undefined ? { id: this.id } : {}), event: this.event || 'message', data: this.data.join('\n') });
      }
      this.reset();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      default:
        // "retry" and unknown fields do not matter to a client that does not reconnect itself.
        break;
    }
  }

  private reset(): void {
    this.event = '';
    this.data = [];
    this.hasData = false;
  }
}

/** Reads a byte stream as server-sent events. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const parser = new SseParser();
  for await (const text of readText(body)) {
    yield* parser.push(text);
  }
  parser.end();
}
