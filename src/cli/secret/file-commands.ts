import type { Command } from 'commander';
import { ShoalError } from '../../api/errors.js';
import type { FileKind, FileView } from '../../api/secrets.js';
import type { ShoalClient } from '../../client/shoal-client.js';
import { connect, withConnectionOptions } from '../connection.js';
import { parseFlag } from '../flag-error.js';
import type { CliIo } from '../io.js';
import { removeEach } from '../remove-each.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { ago } from '../output/relative-time.js';
import { formatTable } from '../output/table.js';
import { parseKeyValue } from '../parse/key-value.js';
import { readContent } from './read-content.js';

/** What differs between `shoal secret` and `shoal config`: the routes, and whether content may be read back. */
interface FileClient {
  list(c: ShoalClient): Promise<FileView[]>;
  create(c: ShoalClient, name: string, data: string, labels: Record<string, string>): Promise<FileView>;
  get(c: ShoalClient, ref: string, content: boolean): Promise<FileView>;
  rotate(c: ShoalClient, ref: string, data: string): Promise<FileView>;
  remove(c: ShoalClient, ref: string): Promise<unknown>;
}

const clients: Record<FileKind, FileClient> = {
  secret: {
    list: (c) => c.listSecrets(),
    create: (c, name, data, labels) => c.createSecret({ name, data, labels }),
    get: (c, ref) => c.getSecret(ref),
    rotate: (c, ref, data) => c.rotateSecret(ref, data),
    remove: (c, ref) => c.removeSecret(ref),
  },
  config: {
    list: (c) => c.listConfigs(),
    create: (c, name, data, labels) => c.createConfig({ name, data, labels }),
    get: (c, ref, content) => c.getConfig(ref, { content }),
    rotate: (c, ref, data) => c.rotateConfig(ref, data),
    remove: (c, ref) => c.removeConfig(ref),
  },
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * `shoal secret|config create|ls|inspect|rotate|rm`. Secrets are never printed: the manager
 * does not send their content back, and `create`/`rotate` echo only the name and version.
 */
export function registerFileCommands(program: Command, io: CliIo, kind: FileKind): void {
  const api = clients[kind];
  const noun = program
    .command(kind)
    .description(kind === 'secret'
      ? 'manage secrets: versioned, encrypted at rest, mounted read-only at /run/secrets/NAME; never shown again'
      : 'manage configs: versioned files mounted read-only into containers');

  const create = noun
    .command('create')
    .description(`create a ${kind} from a file, or from stdin with "-"`)
    .argument('<name>', `${kind} name, unique in the environment`)
    .argument('<file>', 'file to read, or "-" for stdin')
    .option('-l, --label <key=value>', 'label (repeatable)', collect);
  withConnectionOptions(create);
  create.action(async (name: string, file: string, opts: { label?: string[] }, command: Command) => {
    const labels = Object.fromEntries((opts.label ?? []).map((l) => parseFlag('--label', l, (t) => parseKeyValue(t, 'empty'))));
    const data = await readContent(file, io);
    const view = await api.create(await connect(command, io), name, data, labels);
    io.out(`${view.name} (version ${view.currentVersion})\n`);
  });

  const ls = noun.command('ls').alias('list').description(`list the ${kind}s of the environment`).option('-q, --quiet', 'print names only');
  withFormatOption(ls);
  withConnectionOptions(ls);
  ls.action(async (opts: { quiet?: boolean; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const views = await api.list(await connect(command, io));
    if (format === 'json') return printJson(io, views);
    if (opts.quiet) return io.out(views.map((v) => `${v.name}\n`).join(''));
    const now = io.now();
    const rows = views.map((v) => [v.id.slice(0, 12), v.name, String(v.currentVersion), v.usedBy.map((s) => s.name).join(',') || '-', ago(v.createdAt, now), ago(v.updatedAt, now)]);
    io.out(formatTable(['ID', 'NAME', 'VERSION', 'USED BY', 'CREATED', 'UPDATED'], rows));
  });

  const inspect = noun.command('inspect').description(`show ${kind}s as JSON${kind === 'secret' ? ' (never their content)' : ''}`).argument('<name...>', `${kind} names or ids`);
  if (kind === 'config') inspect.option('--content', 'print the content of the current version instead (one config)');
  withFormatOption(inspect, 'json');
  withConnectionOptions(inspect);
  inspect.action(async (refs: string[], opts: { format?: string; content?: boolean }, command: Command) => {
    outputFormat(opts.format, 'json');
    const client = await connect(command, io);
    if (opts.content) {
      if (refs.length !== 1) throw new ShoalError('invalid_argument', '--content prints one config: name only one', '--content');
      const view = await api.get(client, refs[0] ?? '', true);
      return io.out(Buffer.from(view.data ?? '', 'base64').toString('utf8'));
    }
    printJson(io, await Promise.all(refs.map((ref) => api.get(client, ref, false))));
  });

  const rotate = noun
    .command('rotate')
    .description(`add a new version of a ${kind}; every service that mounts it rolls to it through its update config`)
    .argument('<name>', `${kind} name or id`)
    .argument('<file>', 'file to read, or "-" for stdin');
  withConnectionOptions(rotate);
  rotate.action(async (ref: string, file: string, _opts: unknown, command: Command) => {
    const data = await readContent(file, io);
    const view = await api.rotate(await connect(command, io), ref, data);
    const rolled = view.usedBy.map((s) => s.name);
    io.out(`${view.name} (version ${view.currentVersion})${rolled.length > 0 ? `; updating ${rolled.join(', ')}` : ''}\n`);
  });

  const rm = noun.command('rm').alias('remove').description(`remove ${kind}s (refused while a service uses one)`).argument(`<name...>`, `${kind} names or ids`);
  withConnectionOptions(rm);
  rm.action(async (refs: string[], _opts: unknown, command: Command) => {
    const client = await connect(command, io);
    await removeEach(refs, io, (ref) => api.remove(client, ref));
  });
}
