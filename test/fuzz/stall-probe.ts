import { readFileSync } from 'node:fs';

/**
 * Finds event-loop stalls and tells those the process caused from those the machine caused. A
 * 10 ms timer notes the gap between its turns (wall time) and how much CPU the main thread used
 * in that gap (from /proc, in 10 ms ticks). A request that computes 300 ms holds the loop with
 * ~300 ms of the main thread's CPU; a loop that waited 300 ms because the machine's other work
 * had both cores shows a long gap with little CPU. Only the first is the manager's fault.
 */
export class StallProbe {
  private readonly statPath = `/proc/self/task/${process.pid}/stat`;
  private timer: NodeJS.Timeout | undefined;
  private lastWall = 0;
  private lastCpu = 0;
  /** The longest gap between turns, whatever its cause. */
  maxGapMs = 0;
  /** The most CPU the main thread used within one gap: how long the loop was busy with its own work. */
  maxBusyMs = 0;

  start(): void {
    this.reset();
    this.timer = setInterval(() => this.sample(), 10);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  reset(): void {
    this.lastWall = performance.now();
    this.lastCpu = this.mainThreadCpuMs();
    this.maxGapMs = 0;
    this.maxBusyMs = 0;
  }

  private sample(): void {
    const wall = performance.now();
    const cpu = this.mainThreadCpuMs();
    this.maxGapMs = Math.max(this.maxGapMs, wall - this.lastWall);
    this.maxBusyMs = Math.max(this.maxBusyMs, cpu - this.lastCpu);
    this.lastWall = wall;
    this.lastCpu = cpu;
  }

  /** utime + stime of the main thread (fields 14 and 15 of stat, in clock ticks of 10 ms). */
  private mainThreadCpuMs(): number {
    const stat = readFileSync(this.statPath, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  }
}
