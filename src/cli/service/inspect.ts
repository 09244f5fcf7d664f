import type { Command } from 'commander';
import { dockerNetworkName } from '../../api/networks.js';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { serviceInspectText } from './inspect-text.js';

export function registerServiceInspect(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('inspect')
    .description('show services as JSON, with their update status; --format table: a summary with each task\'s node and addresses')
    .argument('<service...>', 'service names or ids');
  withFormatOption(cmd, 'json');
  withConnectionOptions(cmd);
  cmd.action(async (refs: string[], opts: { format?: string }, command: Command) => {
    const format = outputFormat(opts.format, 'json');
    const client = await connect(command, io);
    const services = await Promise.all(refs.map((ref) => client.getService(ref)));
    // An array even for one service, as `docker service inspect` prints.
    if (format === 'json') return printJson(io, services);
    const [tasks, nodeList, networks] = await Promise.all([Promise.all(services.map((s) => client.listTasks({ service: s.id }))), client.listNodes(), client.listNetworks()]);
    const nodes = new Map(nodeList.map((n) => [n.id, n]));
    const networkNames = new Map(networks.map((n) => [dockerNetworkName(n.id), n.name]));
    io.out(services.map((s, i) => serviceInspectText(s, tasks[i] ?? [], nodes, io.now(), networkNames)).join('\n'));
  });
}
