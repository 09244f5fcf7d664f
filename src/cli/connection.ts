import type { Command } from 'commander';
import { ShoalClient } from '../client/shoal-client.js';
import { configPath, readLocalConfig, type LocalConfig } from './config-file.js';
import type { CliIo } from './io.js';

export const defaultHost = 'http://127.0.0.1:7420';

/** Commands whose own `--env` means environment variables, not the Shoal environment. */
const envIsVariables = new WeakSet<Command>();

/**
 * Adds `--host` and `--env` to a command so they work after the verb too
 * (`shoal service ls --env prod`), not only before it.
 */
export function withConnectionOptions(cmd: Command, opts: { env?: boolean } = {}): Command {
  cmd.option('--host <url>', 'manager URL (default: $SHOAL_HOST, then the config file, then http://127.0.0.1:7420)');
  if (opts.env === false) envIsVariables.add(cmd);
  else cmd.option('--env <name>', 'environment to act in (default: $SHOAL_ENV, then "default")');
  return cmd;
}

export interface ConnectionSources {
  flagHost?: string;
  flagEnv?: string;
  vars: Record<string, string | undefined>;
  config: LocalConfig;
}

/** Precedence: flag, then environment variable, then the config file `shoal up` wrote, then default. */
export function resolveConnection(src: ConnectionSources): { host: string; env?: string } {
  const host = src.flagHost || src.vars.SHOAL_HOST || src.config.host || defaultHost;
  const env = src.flagEnv || src.vars.SHOAL_ENV || src.config.env;
  return { host: withScheme(host), ...(env ? { env } : {}) };
}

/** "10.0.0.5:7420" is accepted as http://10.0.0.5:7420. */
const withScheme = (host: string): string => (/^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `http://${host}`);

/** The --host and --env a command was given, nearest command first. */
export function connectionFlags(cmd: Command): { host?: string; env?: string } {
  let host: string | undefined;
  let env: string | undefined;
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.opts<{ host?: unknown; env?: unknown }>();
    if (host === undefined && typeof o.host === 'string') host = o.host;
    if (env === undefined && !envIsVariables.has(c) && typeof o.env === 'string') env = o.env;
  }
  return { ...(host !== undefined ? { host } : {}), ...(env !== undefined ? { env } : {}) };
}

export async function connect(cmd: Command, io: CliIo): Promise<ShoalClient> {
  const flags = connectionFlags(cmd);
  const config = await readLocalConfig(configPath(io.env, io.homeDir));
  const { host, env } = resolveConnection({
    ...(flags.host !== undefined ? { flagHost: flags.host } : {}),
    ...(flags.env !== undefined ? { flagEnv: flags.env } : {}),
    vars: io.env,
    config,
  });
  const accessKey = io.env.SHOAL_ACCESS_KEY;
  const secret = io.env.SHOAL_SECRET_KEY;
  return new ShoalClient({
    baseUrl: host,
    ...(env ? { env } : {}),
    ...(accessKey && secret ? { apiKey: { accessKey, secret } } : {}),
    signal: io.interrupt,
  });
}
