import type { Command } from 'commander';
import { ShoalError } from '../../api/errors.js';
import type { CreatedApiKey } from '../../client/types.js';
import { checkContextName, configPath, saveContext } from '../config-file.js';
import { clientFor, resolveFor, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { parseRole } from '../parse/role.js';

interface CreateFlags {
  name?: string;
  role?: string;
  personal?: boolean;
  saveContext?: string;
  format?: string;
}

/**
 * `apikey create`: prints the access key and the secret once (the manager keeps only a hash),
 * and with --save-context stores them as a context so this CLI can use the key.
 */
export function registerApiKeyCreate(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('create')
    .description('create an API key; its secret is printed this once')
    .option('--name <name>', 'name of the key, unique in its environment (or among your personal keys)')
    .option('--role <role>', 'role of an environment key in --env: owner, member, restricted or readonly')
    .option('--personal', 'a personal key: acts as your account, with its roles in every environment')
    .option('--save-context <context>', 'also store the key as this context of the CLI config');
  withFormatOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (opts: CreateFlags, command: Command) => {
    const format = outputFormat(opts.format);
    if (!opts.name) throw new ShoalError('invalid_argument', '--name is required', '--name');
    if (opts.saveContext !== undefined) checkContextName(opts.saveContext, '--save-context');
    if (opts.personal && opts.role !== undefined) throw new ShoalError('invalid_argument', '--role: a personal key acts with its account\'s roles; leave --role out', '--role');
    if (!opts.personal && opts.role === undefined) throw new ShoalError('invalid_argument', '--role is required for an environment key (or give --personal)', '--role');
    const role = opts.role === undefined ? undefined : parseRole('--role', opts.role);
    const conn = await resolveFor(command, io);
    const client = clientFor(conn, io);
    const key: CreatedApiKey = role ? await client.createApiKey({ name: opts.name, role }) : await client.createMyApiKey(opts.name);
    const env = key.env || conn.env || 'default';
    if (opts.saveContext !== undefined) {
      await saveContext(configPath(io.env, io.homeDir), opts.saveContext, { host: conn.host, env, accessKey: key.accessKey, secretKey: key.secret }, { makeCurrent: false });
    }
    if (format === 'json') return printJson(io, key);
    const what = key.env ? `in environment "${key.env}" with role ${key.role ?? '?'}` : 'acting as your account';
    io.out(
      [
        `API key "${key.name}" created ${what}. The secret is shown only now:`,
        `  access key: ${key.accessKey}`,
        `  secret:     ${key.secret}`,
        'Use it with curl:',
        `  curl -u ${key.accessKey}:${key.secret} "${conn.host}/v1/services?env=${env}"`,
        'or with the CLI:',
        opts.saveContext !== undefined
          ? `  shoal --context ${opts.saveContext} service ls   (stored as context "${opts.saveContext}")`
          : `  SHOAL_ACCESS_KEY=${key.accessKey} SHOAL_SECRET_KEY=${key.secret} shoal service ls --env ${env}`,
        '',
      ].join('\n'),
    );
  });
}
