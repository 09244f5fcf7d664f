import type { Command } from 'commander';
import type { NetworkView } from '../../api/networks.js';
import { connect, withConnectionOptions } from '../connection.js';
import { parseFlag } from '../flag-error.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { ago } from '../output/relative-time.js';
import { formatTable } from '../output/table.js';
import { parseKeyValue } from '../parse/key-value.js';
import { removeEach } from '../remove-each.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `shoal network create|ls|inspect|rm`: the environment's networks (the wiring is the agents'). */
export function registerNetworkCommands(program: Command, io: CliIo): void {
  const noun = program.command('network').description('manage networks: tasks on a network reach each other directly, on any node');

  const create = noun
    .command('create')
    .description('create a network in the environment')
    .argument('<name>', 'network name, unique in the environment')
    .option('-l, --label <key=value>', 'label (repeatable)', collect);
  withConnectionOptions(create);
  create.action(async (name: string, opts: { label?: string[] }, command: Command) => {
    const labels = Object.fromEntries((opts.label ?? []).map((l) => parseFlag('--label', l, (t) => parseKeyValue(t, 'empty'))));
    const view = await (await connect(command, io)).createNetwork({ name, labels });
    io.out(`${view.name}\n`);
  });

  const ls = noun.command('ls').alias('list').description('list the networks of the environment').option('-q, --quiet', 'print names only');
  withFormatOption(ls);
  withConnectionOptions(ls);
  ls.action(async (opts: { quiet?: boolean; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const views = await (await connect(command, io)).listNetworks();
    if (format === 'json') return printJson(io, views);
    if (opts.quiet) return io.out(views.map((v) => `${v.name}\n`).join(''));
    const now = io.now();
    const rows = views.map((v) => [v.id.slice(0, 12), v.name, v.stack ?? '-', servicesColumn(v), ago(v.createdAt, now)]);
    io.out(formatTable(['ID', 'NAME', 'STACK', 'SERVICES', 'CREATED'], rows));
  });

  const inspect = noun.command('inspect').description('show networks with their services and address ranges').argument('<name...>', 'network names or ids');
  withFormatOption(inspect, 'json');
  withConnectionOptions(inspect);
  inspect.action(async (refs: string[], opts: { format?: string }, command: Command) => {
    const format = outputFormat(opts.format, 'json');
    const client = await connect(command, io);
    const views = await Promise.all(refs.map((ref) => client.getNetwork(ref)));
    if (format === 'json') return printJson(io, views);
    io.out(views.map(inspectTable).join('\n'));
  });

  const rm = noun.command('rm').alias('remove').description('remove networks (refused while a service uses one, and for "default")').argument('<name...>', 'network names or ids');
  withConnectionOptions(rm);
  rm.action(async (refs: string[], _opts: unknown, command: Command) => {
    const client = await connect(command, io);
    await removeEach(refs, io, (ref) => client.removeNetwork(ref));
  });
}

/** The built-in network is every service's: a count says so without listing the whole environment. */
function servicesColumn(v: NetworkView): string {
  if (v.builtIn) return v.services.length === 0 ? '-' : `all (${v.services.length})`;
  return v.services.join(',') || '-';
}

function inspectTable(v: NetworkView): string {
  const fields: [string, string][] = [
    ['ID', v.id],
    ['Name', v.name],
    ['Environment', v.env],
    ['Stack', v.stack ?? '-'],
    ['Built in', v.builtIn ? 'yes' : 'no'],
    ['Created', v.createdAt],
    ['Labels', Object.entries(v.labels).map(([k, val]) => `${k}=${val}`).join(', ') || '-'],
    ['Services', v.services.join(', ') || '-'],
  ];
  const head = formatTable(['FIELD', 'VALUE'], fields);
  const ranges = v.ranges ?? [];
  return ranges.length === 0 ? head : `${head}\n${formatTable(['NODE', 'RANGE', 'GATEWAY'], ranges.map((r) => [r.nodeId, r.range, r.gateway]))}`;
}
