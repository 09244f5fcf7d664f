import type { Command } from 'commander';
import { ShoalError } from '../api/errors.js';
import { ShoalClient } from '../client/shoal-client.js';
import { configPath, readCliConfig, type CliConfig, type CliContext } from './config-file.js';
import type { CliIo } from './io.js';

export const defaultHost = 'http://127.0.0.1:7420';

/** Commands whose own `--env` means environment variables, not the Shoal environment. */
const envIsVariables = new WeakSet<Command>();

/** The option keys withConnectionOptions adds: not spec changes for `service update|upgrade`. */
export const connectionOptionKeys: readonly string[] = ['host', 'env', 'context'];

/**
 * Adds `--host`, `--env` and `--context` to a command so they work after the verb too
 * (`shoal service ls --env prod`), not only before it.
 */
export function withConnectionOptions(cmd: Command, opts: { env?: boolean } = {}): Command {
  cmd.option('--host <url>', 'manager URL (default: $SHOAL_HOST, then the current context, then http://127.0.0.1:7420)');
  if (opts.env === false) envIsVariables.add(cmd);
  else cmd.option('--env <name>', 'environment to act in (default: $SHOAL_ENV, then the context\'s, then "default")');
  cmd.option('--context <name>', 'use this context of the config file (default: $SHOAL_CONTEXT, then the current one)');
  return cmd;
}

export type Credential =
  | { type: 'apikey'; accessKey: string; secret: string; from: 'context' | 'environment' }
  | { type: 'session'; token: string; expiresAt?: string; from: 'context' };

export interface ConnectionSources {
  flagHost?: string;
  flagEnv?: string;
  flagContext?: string;
  vars: Record<string, string | undefined>;
  config: CliConfig;
  /** For the session expiry check. */
  now?: number;
}

export interface Connection {
  host: string;
  env?: string;
  /** The context in use: named by --context or $SHOAL_CONTEXT, else the current one. It may not exist yet. */
  contextName?: string;
  context?: CliContext;
  credential?: Credential;
  /** Why the context's credential is not used, for the message of a refused request. */
  note?: string;
}

/**
 * Each setting comes from the first place that has it: flags (--host, --env, and the context
 * --context names), then environment variables (SHOAL_HOST, SHOAL_ENV, SHOAL_ACCESS_KEY with
 * SHOAL_SECRET_KEY), then the context $SHOAL_CONTEXT names or the current one, then defaults.
 * A context's credential is only ever sent to that context's own host, so `--host` pointed at
 * another manager cannot leak it.
 */
export function resolveConnection(src: ConnectionSources): Connection {
  const { config, vars } = src;
  const flagContext = src.flagContext || undefined;
  const named = flagContext ?? (vars.SHOAL_CONTEXT || undefined);
  const contextName = named ?? (config.currentContext && config.contexts[config.currentContext] ? config.currentContext : undefined);
  const context = contextName !== undefined ? config.contexts[contextName] : undefined;
  const fromFlagContext = flagContext !== undefined ? context : undefined;
  const fromLaterContext = flagContext === undefined ? context : undefined;

  const host = withScheme(src.flagHost || fromFlagContext?.host || vars.SHOAL_HOST || fromLaterContext?.host || defaultHost);
  const env = src.flagEnv || fromFlagContext?.env || vars.SHOAL_ENV || fromLaterContext?.env;

  const envKey: Credential | undefined =
    vars.SHOAL_ACCESS_KEY && vars.SHOAL_SECRET_KEY ? { type: 'apikey', accessKey: vars.SHOAL_ACCESS_KEY, secret: vars.SHOAL_SECRET_KEY, from: 'environment' } : undefined;
  const fromContext = context ? contextCredential(context, contextName ?? '', host, src.now ?? Date.now()) : {};
  const credential = fromFlagContext ? (fromContext.credential ?? envKey) : (envKey ?? fromContext.credential);
  return {
    host,
    ...(env ? { env } : {}),
    ...(contextName !== undefined ? { contextName } : {}),
    ...(context ? { context } : {}),
    ...(credential ? { credential } : {}),
    ...(!credential && fromContext.note ? { note: fromContext.note } : {}),
  };
}

function contextCredential(ctx: CliContext, name: string, host: string, now: number): { credential?: Credential; note?: string } {
  const hasCredential = Boolean((ctx.accessKey && ctx.secretKey) || ctx.sessionToken);
  if (!hasCredential) return {};
  if (!sameHost(ctx.host ?? defaultHost, host)) {
    return { note: `the credential of context "${name}" is for ${withScheme(ctx.host ?? defaultHost)}, not ${host}` };
  }
  if (ctx.accessKey && ctx.secretKey) return { credential: { type: 'apikey', accessKey: ctx.accessKey, secret: ctx.secretKey, from: 'context' } };
  if (ctx.sessionToken) {
    if (isExpired(ctx.sessionExpiresAt, now)) return { note: `the session of context "${name}" expired at ${ctx.sessionExpiresAt ?? ''}; run \`shoal login\`` };
    return { credential: { type: 'session', token: ctx.sessionToken, ...(ctx.sessionExpiresAt ? { expiresAt: ctx.sessionExpiresAt } : {}), from: 'context' } };
  }
  return {};
}

export function isExpired(expiresAt: string | undefined, now: number): boolean {
  if (!expiresAt) return false;
  const t = Date.parse(expiresAt);
  return !Number.isNaN(t) && t <= now;
}

/** "10.0.0.5:7420" is accepted as http://10.0.0.5:7420. */
export const withScheme = (host: string): string => (/^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `http://${host}`);

/** Compares origins, so "http://h:1/" and "h:1" are the same manager. */
export function sameHost(a: string, b: string): boolean {
  try {
    return new URL(withScheme(a)).origin === new URL(withScheme(b)).origin;
  } catch {
    return a === b;
  }
}

/** The --host, --env and --context a command was given, nearest command first. */
export function connectionFlags(cmd: Command): { host?: string; env?: string; context?: string } {
  let host: string | undefined;
  let env: string | undefined;
  let context: string | undefined;
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.opts<{ host?: unknown; env?: unknown; context?: unknown }>();
    if (host === undefined && typeof o.host === 'string') host = o.host;
    if (env === undefined && !envIsVariables.has(c) && typeof o.env === 'string') env = o.env;
    if (context === undefined && typeof o.context === 'string') context = o.context;
  }
  return { ...(host !== undefined ? { host } : {}), ...(env !== undefined ? { env } : {}), ...(context !== undefined ? { context } : {}) };
}

/** Notes for the error report of this run (keyed by the run's io, so parallel test runs stay apart). */
const notes = new WeakMap<CliIo, string>();

/** Why no credential was sent, if the context had one; reportError adds it to a 401. */
export function connectionNote(io: CliIo): string | undefined {
  return notes.get(io);
}

export const contextNotFound = (name: string): ShoalError => new ShoalError('not_found', `context "${name}" not found; \`shoal context ls\` lists them`, 'context');

/** Resolves flags, environment variables and the config file for a command. */
export async function resolveFor(cmd: Command, io: CliIo, opts: { contextMayBeMissing?: boolean } = {}): Promise<Connection> {
  const flags = connectionFlags(cmd);
  const config = await readCliConfig(configPath(io.env, io.homeDir));
  const conn = resolveConnection({
    ...(flags.host !== undefined ? { flagHost: flags.host } : {}),
    ...(flags.env !== undefined ? { flagEnv: flags.env } : {}),
    ...(flags.context !== undefined ? { flagContext: flags.context } : {}),
    vars: io.env,
    config,
    now: io.now(),
  });
  if (!opts.contextMayBeMissing && conn.contextName !== undefined && !conn.context) {
    throw contextNotFound(conn.contextName);
  }
  if (conn.note) notes.set(io, conn.note);
  return conn;
}

export function clientFor(conn: Connection, io: CliIo, over: { env?: string; credential?: Credential | null } = {}): ShoalClient {
  const env = over.env ?? conn.env;
  const credential = over.credential === null ? undefined : (over.credential ?? conn.credential);
  return new ShoalClient({
    baseUrl: conn.host,
    ...(env ? { env } : {}),
    ...(credential?.type === 'apikey' ? { apiKey: { accessKey: credential.accessKey, secret: credential.secret } } : {}),
    ...(credential?.type === 'session' ? { sessionToken: credential.token } : {}),
    signal: io.interrupt,
  });
}

export async function connect(cmd: Command, io: CliIo): Promise<ShoalClient> {
  return clientFor(await resolveFor(cmd, io), io);
}
