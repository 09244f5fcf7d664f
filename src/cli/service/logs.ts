import type { Command } from 'commander';
import type { NodeObject } from '../../api/objects.js';
import type { LogLine } from '../../client/types.js';
import { connect, withConnectionOptions } from '../connection.js';
import { parseFlag } from '../flag-error.js';
import type { CliIo } from '../io.js';
import { parseNonNegativeInt } from '../parse/number.js';

/** `web.2@node-1 | text`, the prefix docker puts on each service log line. */
export function logPrefix(service: string, line: LogLine, nodes: ReadonlyMap<string, NodeObject>): string {
  const where = line.slot !== undefined ? String(line.slot) : line.task.slice(0, 12);
  const node = nodes.get(line.nodeId)?.hostname ?? line.nodeId.slice(0, 12);
  return `${service}.${where}@${node}`;
}

export function registerServiceLogs(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('logs')
    .description('print the output of the tasks of a service')
    .argument('<service>', 'service name or id')
    .option('-f, --follow', 'keep printing new output until Ctrl-C')
    .option('-n, --tail <lines>', 'only the last N lines of each task')
    .option('--no-prefix', 'print the lines only')
    .option('-t, --timestamps', 'show the time of each line');
  withConnectionOptions(cmd);
  type LogsFlags = { follow?: boolean; tail?: string; prefix: boolean; timestamps?: boolean };
  cmd.action(async (ref: string, opts: LogsFlags, command: Command) => {
    const tail = opts.tail === undefined ? undefined : parseFlag('--tail', opts.tail, parseNonNegativeInt);
    const client = await connect(command, io);
    const [service, nodeList] = await Promise.all([client.getService(ref), client.listNodes()]);
    const nodes = new Map(nodeList.map((n) => [n.id, n]));
    const lines = client.logs(service.id, { follow: opts.follow ?? false, ...(tail !== undefined ? { tail } : {}), signal: io.interrupt });
    // Pad prefixes to the widest seen so far, so the text column mostly lines up.
    let width = 0;
    for await (const line of lines) {
      let head = '';
      if (opts.prefix) {
        const prefix = logPrefix(service.name, line, nodes);
        width = Math.max(width, prefix.length);
        head = `${prefix.padEnd(width)} | `;
      }
      if (opts.timestamps) head += `${line.time} `;
      const text = line.text.endsWith('\n') ? line.text : `${line.text}\n`;
      if (line.stream === 'stderr') io.err(`${head}${text}`);
      else io.out(`${head}${text}`);
    }
  });
}
