import type { CliIo } from '../io.js';

export interface Frame {
  summary: string;
  /** Shown once tasks have waited long enough for the reason to be news. */
  pending: string[];
  /** Per-slot lines; only a terminal shows them, since they change on every poll. */
  slots: string[];
}

const up = (n: number): string => `\x1b[${n}A`;
const clearDown = '\x1b[J';

/**
 * A terminal gets one block redrawn in place; a pipe or file gets a line only when something
 * it would show changed, so logs of CI runs stay short.
 */
export class ProgressDisplay {
  private drawn = 0;
  private lastFrame: string[] = [];
  private lastSummary = '';
  private lastPending = '';

  constructor(private readonly io: CliIo) {}

  show(frame: Frame): void {
    if (this.io.isTTY) {
      this.lastFrame = [frame.summary, ...frame.pending.map((l) => `  ${l}`), ...frame.slots];
      this.redraw();
      return;
    }
    if (frame.summary !== this.lastSummary) {
      this.io.out(`${frame.summary}\n`);
      this.lastSummary = frame.summary;
    }
    const pending = frame.pending.join('\n');
    if (pending !== this.lastPending) {
      if (pending) this.io.out(`${frame.pending.map((l) => `  ${l}`).join('\n')}\n`);
      this.lastPending = pending;
    }
  }

  /** A line that stays (a task error), printed above the redrawn block. */
  log(line: string): void {
    this.clear();
    this.io.out(`${line}\n`);
    if (this.io.isTTY) this.redraw();
  }

  /** Leaves only the summary on screen, then a final line. */
  finish(summary: string, final?: string): void {
    if (this.io.isTTY) {
      this.clear();
      this.io.out(`${this.fit(summary)}\n`);
      this.lastFrame = [];
    } else if (summary !== this.lastSummary) {
      this.io.out(`${summary}\n`);
    }
    if (final) this.io.out(`${final}\n`);
  }

  private redraw(): void {
    this.clear();
    if (this.lastFrame.length === 0) return;
    this.io.out(`${this.lastFrame.map((l) => this.fit(l)).join('\n')}\n`);
    this.drawn = this.lastFrame.length;
  }

  private clear(): void {
    if (this.drawn > 0) this.io.out(`${up(this.drawn)}\r${clearDown}`);
    this.drawn = 0;
  }

  private fit(line: string): string {
    const width = this.io.columns;
    if (!width || [...line].length < width) return line;
    return `${[...line].slice(0, width - 2).join('')}…`;
  }
}
