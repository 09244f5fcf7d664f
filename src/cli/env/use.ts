import type { Command } from 'commander';
import { ShoalError } from '../../api/errors.js';
import { configPath, legacyContextName, updateCliConfig } from '../config-file.js';
import { clientFor, resolveFor, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';

/** `env use`: makes later commands act in an environment by recording it in the context. */
export function registerEnvUse(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('use')
    .description('act in this environment from now on: recorded in the current context (or --context NAME)')
    .argument('<name>', 'environment name');
  withConnectionOptions(cmd, { env: false });
  cmd.action(async (name: string, _opts: unknown, command: Command) => {
    const conn = await resolveFor(command, io);
    try {
      await clientFor(conn, io).getEnvironment(name);
    } catch (err) {
      // Only a definite "no such environment" stops the switch; a manager that cannot be asked
      // (or a key without the right to look) should not keep the user from choosing.
      if (err instanceof ShoalError && err.code === 'not_found') throw err;
    }
    const contextName = conn.contextName ?? legacyContextName;
    await updateCliConfig(configPath(io.env, io.homeDir), (config) => {
      config.contexts[contextName] = { ...(config.contexts[contextName] ?? { host: conn.host }), env: name };
      config.currentContext ??= contextName;
    });
    io.out(`Context "${contextName}" now acts in environment "${name}".\n`);
    if (io.env.SHOAL_ENV && io.env.SHOAL_ENV !== name) io.err(`shoal: note: SHOAL_ENV=${io.env.SHOAL_ENV} still takes precedence in this shell\n`);
  });
}
