import type { Command } from 'commander';
import { ShoalError } from '../../api/errors.js';
import { configPath, legacyContextName, updateCliConfig, type CliContext } from '../config-file.js';
import { clientFor, connectionFlags, resolveFor, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { askHidden, askVisible, readStdinLines } from '../prompt/password-input.js';

/**
 * `shoal login`: exchanges a username and password for a session token and stores it in the
 * current context, or in the one --context names (created, with --host, when it is new).
 */
export function registerLogin(program: Command, io: CliIo): void {
  const cmd = program
    .command('login')
    .description('log in to a manager and keep the session (12 hours) in the current context, or the one --context names')
    .option('-u, --username <name>', 'account to log in as (default: the last one of the context, else asked)')
    .option('--password-stdin', 'read the password from standard input (required when it is not a terminal)');
  withConnectionOptions(cmd);
  cmd.action(async (opts: { username?: string; passwordStdin?: boolean }, command: Command) => {
    const conn = await resolveFor(command, io, { contextMayBeMissing: true });
    const name = conn.contextName ?? legacyContextName;
    const flags = connectionFlags(command);
    // An API key's secret cannot be shown again: overwriting it unasked (say the admin key
    // `shoal up` stored) would lose it. Naming the context with --context is asking.
    if (conn.context?.accessKey && flags.context === undefined) {
      throw new ShoalError('failed_precondition', `context "${name}" holds API key ${conn.context.accessKey}; log in to another context (shoal login --context NAME --host URL), or name this one with --context to replace the key`, 'context');
    }
    const username = opts.username ?? conn.context?.username ?? (await askVisible(io, 'Username: ', '--username'));
    const password = opts.passwordStdin ? ((await readStdinLines(io, 1))[0] ?? '') : await askHidden(io, `Password for ${username}: `);
    // No stored credential goes along: the login route needs none, and it may be for another account.
    const session = await clientFor(conn, io, { credential: null }).login(username, password);
    const flagEnv = flags.env;
    let madeCurrent = false;
    await updateCliConfig(configPath(io.env, io.homeDir), (config) => {
      const before = config.contexts[name];
      // The session replaces the context's API key: otherwise the key, which wins, would hide it.
      const next: CliContext = {
        host: conn.host,
        ...((flagEnv ?? before?.env) ? { env: flagEnv ?? before?.env } : {}),
        sessionToken: session.token,
        sessionExpiresAt: session.expiresAt,
        username: session.username,
      };
      config.contexts[name] = next;
      if (config.currentContext === undefined || !config.contexts[config.currentContext]) {
        config.currentContext = name;
        madeCurrent = true;
      }
    });
    const admin = session.admin ? ' (administrator)' : '';
    io.out(`Logged in to ${conn.host} as ${session.username}${admin}; the session lasts until ${session.expiresAt}.\n`);
    io.out(`It is stored in context "${name}"${madeCurrent ? ', now the current context' : ''}.\n`);
    if (conn.context?.accessKey) io.out(`It replaces API key ${conn.context.accessKey} there (the key stays valid until revoked).\n`);
  });
}
