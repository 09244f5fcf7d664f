import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time used during a measurement, from /proc (Linux): the whole machine and a few processes
 * of interest, so a benchmark can say who was busy while it waited. Clock ticks are 100 Hz.
 */
export interface CpuUse {
  /** Busy CPU time of the whole machine (all cores; idle and iowait excluded), ms. */
  machine: number;
  /** Per process group, ms of user + system time. */
  byName: Record<string, number>;
}

const tickMs = 10;

function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) * tickMs;
}

function processMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * tickMs;
  } catch {
    return 0;
  }
}

/** Processes whose command name or command line matches, grouped by the matcher's key. */
export type Matchers = Record<string, (comm: string, cmdline: string) => boolean>;

function pidsOf(matchers: Matchers): Map<string, number[]> {
  const out = new Map<string, number[]>(Object.keys(matchers).map((k) => [k, []]));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let comm = '';
    let cmdline = '';
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    for (const [key, match] of Object.entries(matchers)) if (match(comm, cmdline)) out.get(key)?.push(Number(entry));
  }
  return out;
}

export const engineMatchers: Matchers = {
  dockerd: (comm) => comm === 'dockerd',
  containerd: (comm) => comm === 'containerd',
};

/**
 * Starts counting; the returned function gives the CPU used since. Short-lived processes
 * (runc, shims that exit) are not counted per name, only in the machine total; the bench
 * process itself is counted as "bench".
 */
export function cpuMeter(matchers: Matchers): () => CpuUse {
  const pids = pidsOf(matchers);
  const start = new Map<number, number>();
  for (const list of pids.values()) for (const pid of list) start.set(pid, processMs(pid));
  const machine0 = machineBusyMs();
  const self0 = process.cpuUsage();
  return () => {
    const byName: Record<string, number> = {};
    for (const [key, list] of pids) byName[key] = list.reduce((sum, pid) => sum + Math.max(0, processMs(pid) - (start.get(pid) ?? 0)), 0);
    const self = process.cpuUsage(self0);
    byName.bench = (self.user + self.system) / 1000;
    return { machine: machineBusyMs() - machine0, byName };
  };
}

/** Share of the machine's CPU (0..1 of all cores) busy over the next `ms`, with nothing of ours running. */
export async function backgroundLoad(ms = 3000): Promise<number> {
  const meter = cpuMeter({});
  await new Promise((r) => setTimeout(r, ms));
  const cores = readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d/.test(l)).length || 1;
  return meter().machine / (ms * cores);
}
