import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLine, runDirPrefix } from './run-state.js';
import { runSync } from './run-command.js';
import { isRunning } from './teardown.js';

/** Whatever of a run is still on the machine, by its run id; empty after a complete teardown. */
export function leftovers(runId: string): string[] {
  const out: string[] = [];
  const dir = join(tmpdir(), `${runDirPrefix}${runId}`);
  if (existsSync(dir)) out.push(`directory ${dir}`);
  for (const ns of runSync('ip', ['netns', 'list']).stdout.split('\n')) if (ns.startsWith(`shoal-${runId}-`)) out.push(`namespace ${ns.split(' ')[0]}`);
  for (const m of runSync('ip', ['-o', 'link', 'show']).stdout.matchAll(new RegExp(`\\b(sm${runId}h\\d+)\\b`, 'g'))) out.push(`link ${m[1]}`);
  for (const table of ['filter', 'nat']) {
    for (const rule of runSync('iptables', ['-t', table, '-S']).stdout.split('\n')) if (rule.includes(`${runDirPrefix}${runId}`)) out.push(`iptables -t ${table} ${rule}`);
  }
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (Number.isInteger(pid) && isRunning(pid) && commandLine(pid).includes(dir)) out.push(`process ${pid}: ${commandLine(pid).slice(0, 100)}`);
  }
  return out;
}
