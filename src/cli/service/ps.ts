import type { Command } from 'commander';
import type { NodeObject, TaskObject } from '../../api/objects.js';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { ago, capitalize } from '../output/relative-time.js';
import { formatTable, shortId, truncate } from '../output/table.js';

export interface PsOptions {
  trunc: boolean;
  now: number;
}

/**
 * Tasks grouped by slot (or node for a global service), newest first, older ones indented
 * under it with `\_` as docker shows the history of a slot.
 */
export function taskRows(tasks: readonly TaskObject[], nodes: ReadonlyMap<string, NodeObject>, opts: PsOptions): string[][] {
  const groups = new Map<string, TaskObject[]>();
  for (const t of tasks) {
    const key = `${t.serviceName}\0${t.slot !== undefined ? String(t.slot).padStart(6, '0') : (t.nodeId ?? t.id)}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const rows: string[][] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = (groups.get(key) ?? []).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    group.forEach((t, i) => rows.push(taskRow(t, nodes, opts, i > 0)));
  }
  return rows;
}

function taskRow(t: TaskObject, nodes: ReadonlyMap<string, NodeObject>, opts: PsOptions, history: boolean): string[] {
  const name = `${t.serviceName}.${t.slot ?? (t.nodeId ? shortId(t.nodeId, opts.trunc) : '')}`;
  const node = t.nodeId ? (nodes.get(t.nodeId)?.hostname ?? shortId(t.nodeId, opts.trunc)) : '';
  const since = t.status.state === 'running' ? (t.status.runningSince ?? t.status.timestamp) : t.status.timestamp;
  const error = t.status.state === 'pending' ? (t.status.pendingReason ?? '') : (t.status.error ?? '');
  return [
    shortId(t.id, opts.trunc),
    `${history ? ' \\_ ' : ''}${name}`,
    truncate(t.spec.image, 40, opts.trunc),
    node,
    capitalize(t.desiredState),
    `${capitalize(t.status.state)}${healthNote(t)} ${ago(since, opts.now)}`.trim(),
    truncate(error, 60, opts.trunc),
  ];
}

/** As `docker ps` shows it: `Running (healthy) 5 seconds ago`; health means something only while running. */
function healthNote(t: TaskObject): string {
  return t.status.state === 'running' && t.status.health ? ` (${t.status.health})` : '';
}

export function registerServicePs(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('ps')
    .description('list the tasks of a service, with their history')
    .argument('<service>', 'service name or id')
    .option('--no-trunc', 'do not shorten ids, images and errors')
    .option('-q, --quiet', 'print task ids only');
  withFormatOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (ref: string, opts: { trunc: boolean; quiet?: boolean; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const client = await connect(command, io);
    const [tasks, nodeList] = await Promise.all([client.listTasks({ service: ref }), client.listNodes()]);
    if (format === 'json') return printJson(io, tasks);
    if (opts.quiet) return io.out(tasks.map((t) => `${t.id}\n`).join(''));
    const nodes = new Map(nodeList.map((n) => [n.id, n]));
    const rows = taskRows(tasks, nodes, { trunc: opts.trunc, now: io.now() });
    io.out(formatTable(['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR'], rows));
  });
}
