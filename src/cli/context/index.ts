import type { Command } from 'commander';
import { configPath, readCliConfig, updateCliConfig } from '../config-file.js';
import { contextNotFound as notFound, defaultHost, resolveFor, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { formatTable } from '../output/table.js';
import { credentialText, summarize } from './describe.js';

/** `shoal context ls|use|rm|show`: the managers and credentials of the config file. */
export function registerContextCommands(program: Command, io: CliIo): void {
  const context = program.command('context').description('list, switch and remove the contexts of the CLI config (manager, environment, credential)');
  const path = (): string => configPath(io.env, io.homeDir);

  const ls = context.command('ls').alias('list').description('list contexts; * marks the current one (secrets are never shown)');
  withFormatOption(ls);
  ls.action(async (opts: { format?: string }) => {
    const format = outputFormat(opts.format);
    const config = await readCliConfig(path());
    const now = io.now();
    const all = Object.entries(config.contexts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, ctx]) => summarize(name, ctx, config, now));
    if (format === 'json') return printJson(io, all);
    const rows = all.map((c) => [c.current ? '*' : '', c.name, c.host ?? defaultHost, c.env ?? 'default', credentialText(c.credential, now)]);
    io.out(formatTable(['CURRENT', 'NAME', 'HOST', 'ENV', 'CREDENTIAL'], rows));
  });

  context
    .command('use')
    .description('make a context the current one')
    .argument('<name>', 'context name')
    .action(async (name: string) => {
      await updateCliConfig(path(), (config) => {
        if (!config.contexts[name]) throw notFound(name);
        config.currentContext = name;
      });
      io.out(`Switched to context "${name}".\n`);
    });

  context
    .command('rm')
    .alias('remove')
    .description('forget contexts and their credentials (sessions stay valid until they expire; `shoal logout` ends one)')
    .argument('<name...>', 'context names')
    .action(async (names: string[]) => {
      await updateCliConfig(path(), (config) => {
        for (const name of names) {
          if (!config.contexts[name]) throw notFound(name);
          delete config.contexts[name];
          if (config.currentContext === name) delete config.currentContext;
        }
      });
      io.out(names.map((n) => `${n}\n`).join(''));
    });

  const show = context.command('show').description('show the connection commands would use now: context, host, environment and credential');
  withFormatOption(show);
  withConnectionOptions(show);
  show.action(async (opts: { format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const conn = await resolveFor(command, io);
    const credential =
      conn.credential?.type === 'apikey'
        ? { type: 'apikey' as const, accessKey: conn.credential.accessKey, from: conn.credential.from }
        : conn.credential?.type === 'session'
          ? { type: 'session' as const, ...(conn.context?.username ? { username: conn.context.username } : {}), ...(conn.credential.expiresAt ? { expiresAt: conn.credential.expiresAt } : {}), from: conn.credential.from }
          : { type: 'none' as const };
    const value = { context: conn.contextName ?? null, host: conn.host, env: conn.env ?? 'default', credential, ...(conn.note ? { note: conn.note } : {}) };
    if (format === 'json') return printJson(io, value);
    // resolveFor never returns an expired session as the credential.
    const described = credentialText(credential.type === 'session' ? { ...credential, expired: false } : credential, io.now());
    const credText = credential.type === 'none' ? described : `${described} (from ${credential.from === 'environment' ? 'SHOAL_ACCESS_KEY/SHOAL_SECRET_KEY' : 'the context'})`;
    const lines = [
      ['context', conn.contextName ?? '(none)'],
      ['host', conn.host],
      ['environment', conn.env ?? 'default'],
      ['credential', credText],
      ...(conn.note ? [['note', conn.note]] : []),
    ];
    io.out(lines.map(([k, v]) => `${`${k}:`.padEnd(13)}${v}\n`).join(''));
  });
}
