import type { LogLine } from '../../../api/agent-protocol.js';

/**
 * Splits Docker's multiplexed log stream (8-byte frame headers: stream type, 3 zero bytes,
 * big-endian payload size) into lines. Containers are created without a TTY, so every log
 * stream the engine returns is multiplexed. Requested with `timestamps: true`, each line
 * starts with an RFC 3339 time and a space.
 */
export class LogDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial: Record<LogLine['stream'], string> = { stdout: '', stderr: '' };

  /** Feeds raw bytes; returns the complete lines they finish. */
  push(chunk: Buffer): LogLine[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const lines: LogLine[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const stream = this.pending[0] === 2 ? 'stderr' : 'stdout';
      const text = this.partial[stream] + this.pending.subarray(8, 8 + size).toString('utf8');
      this.pending = this.pending.subarray(8 + size);
      const parts = text.split('\n');
      this.partial[stream] = parts.pop() ?? '';
      for (const raw of parts) lines.push(parseLine(stream, raw));
    }
    return lines;
  }

  /** Lines left without a final newline when the stream ends. */
  flush(): LogLine[] {
    const lines: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') lines.push(parseLine(stream, this.partial[stream]));
      this.partial[stream] = '';
    }
    return lines;
  }
}

function parseLine(stream: LogLine['stream'], raw: string): LogLine {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const space = line.indexOf(' ');
  const stamp = space > 0 ? line.slice(0, space) : '';
  if (stamp !== '' && !Number.isNaN(Date.parse(stamp))) {
    return { stream, time: stamp, text: line.slice(space + 1) };
  }
  return { stream, time: new Date().toISOString(), text: line };
}
