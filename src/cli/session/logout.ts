import type { Command } from 'commander';
import { ShoalError } from '../../api/errors.js';
import { configPath, updateCliConfig } from '../config-file.js';
import { clientFor, resolveFor, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';

/** `shoal logout`: ends the context's session on the manager and forgets its token. */
export function registerLogout(program: Command, io: CliIo): void {
  const cmd = program.command('logout').description('end the session of the current context (or --context NAME) and forget its token');
  withConnectionOptions(cmd, { env: false });
  cmd.action(async (_opts: unknown, command: Command) => {
    const conn = await resolveFor(command, io);
    const name = conn.contextName;
    const token = conn.context?.sessionToken;
    if (name === undefined || !token) {
      io.out(`${name === undefined ? 'No context is in use' : `Context "${name}" holds no session`}; nothing to log out.\n`);
      return;
    }
    try {
      await clientFor(conn, io, { credential: { type: 'session', token, from: 'context' } }).logout();
    } catch (err) {
      // An expired or already ended session is as logged out as it gets; forget it all the same.
      if (!(err instanceof ShoalError && err.code === 'unauthenticated')) throw err;
    }
    await updateCliConfig(configPath(io.env, io.homeDir), (config) => {
      const ctx = config.contexts[name];
      if (!ctx) return;
      delete ctx.sessionToken;
      delete ctx.sessionExpiresAt;
    });
    io.out(`Logged out; context "${name}" holds no session any more.\n`);
  });
}
