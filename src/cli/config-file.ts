import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ShoalError } from '../api/errors.js';

/**
 * One manager the CLI talks to, and how: its address, the environment commands act in, and a
 * credential (an API key pair, else a session token from `shoal login`).
 */
export interface CliContext {
  host?: string;
  env?: string;
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  sessionExpiresAt?: string;
  /** Who logged in, for `context ls`; not a credential. */
  username?: string;
}

/** `~/.shoal/config.json`: named contexts and the one commands use when none is named. */
export interface CliConfig {
  currentContext?: string;
  contexts: Record<string, CliContext>;
}

/** Name given to the context read from the flat `{host, env}` file older versions wrote. */
export const legacyContextName = 'default';

/** The host and env of the current context: what `shoal up` recorded before contexts existed. */
export interface LocalConfig {
  host?: string;
  env?: string;
}

const contextFields = ['host', 'env', 'accessKey', 'secretKey', 'sessionToken', 'sessionExpiresAt', 'username'] as const;
const contextNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,62}$/;

export function configPath(env: Record<string, string | undefined> = process.env, home = homedir()): string {
  return env.SHOAL_CONFIG || join(home, '.shoal', 'config.json');
}

export function checkContextName(name: string, field = 'context'): string {
  if (!contextNamePattern.test(name)) {
    throw new ShoalError('invalid_argument', `${field} "${name}": must be 1-63 letters, digits, "_", ".", "@", ":" or "-", starting with a letter or digit`, field);
  }
  return name;
}

/** The config file's contents; an absent file is an empty config, a broken one an error. */
export async function readCliConfig(path: string): Promise<CliConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
    throw new ShoalError('failed_precondition', `cannot read ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new ShoalError('failed_precondition', `${path} is not valid JSON; fix or remove it`);
  }
  if (!isRecord(value)) throw new ShoalError('failed_precondition', `${path} must hold a JSON object`);
  return normalize(value, path);
}

function normalize(record: Record<string, unknown>, path: string): CliConfig {
  if (record.contexts === undefined) {
    // The flat file older versions wrote: its host and env become the current context.
    const legacy = pickContext(record);
    return Object.keys(legacy).length > 0 ? { currentContext: legacyContextName, contexts: { [legacyContextName]: legacy } } : { contexts: {} };
  }
  if (!isRecord(record.contexts)) throw new ShoalError('failed_precondition', `${path}: "contexts" must be an object`);
  const contexts: Record<string, CliContext> = {};
  for (const [name, ctx] of Object.entries(record.contexts)) {
    if (!isRecord(ctx)) throw new ShoalError('failed_precondition', `${path}: context "${name}" must be an object`);
    contexts[name] = pickContext(ctx);
  }
  return { ...(typeof record.currentContext === 'string' ? { currentContext: record.currentContext } : {}), contexts };
}

function pickContext(record: Record<string, unknown>): CliContext {
  const ctx: CliContext = {};
  for (const field of contextFields) {
    const v = record[field];
    if (typeof v === 'string' && v !== '') ctx[field] = v;
  }
  return ctx;
}

/** The host and env of the current context, for callers that know nothing of contexts. */
export async function readLocalConfig(path: string): Promise<LocalConfig> {
  const config = await readCliConfig(path);
  const ctx = config.currentContext !== undefined ? config.contexts[config.currentContext] : undefined;
  return { ...(ctx?.host ? { host: ctx.host } : {}), ...(ctx?.env ? { env: ctx.env } : {}) };
}

/**
 * Reads, changes and writes the file as one step. Concurrent CLI runs can still lose each
 * other's change, but never leave a half-written file: the new content is written to a
 * temporary file with mode 0600 (the file holds credentials) and renamed over the old one.
 */
export async function updateCliConfig(path: string, change: (config: CliConfig) => void): Promise<CliConfig> {
  const config = await readCliConfig(path);
  change(config);
  await writeCliConfig(path, config);
  return config;
}

export async function writeCliConfig(path: string, config: CliConfig): Promise<void> {
  // 0700 applies only to folders created here: an existing one (say /tmp for $SHOAL_CONFIG) is not ours to change.
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const body = { ...(config.currentContext !== undefined ? { currentContext: config.currentContext } : {}), contexts: config.contexts };
  try {
    await writeFile(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    // writeFile's mode is filtered by the umask; the file must not be readable by others whatever it is.
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new ShoalError('failed_precondition', `cannot write ${path}: ${(err as Error).message}`);
  }
}

/**
 * Stores a context under `name`, replacing one of that name entirely (so a new credential
 * never mixes with an old one), and makes it the current context when asked.
 * `shoal up` and `shoal manager --init` call it with the admin credential they create.
 */
export async function saveContext(path: string, name: string, context: CliContext, opts: { makeCurrent: boolean }): Promise<string> {
  checkContextName(name);
  await updateCliConfig(path, (config) => {
    config.contexts[name] = pickContext({ ...context });
    if (opts.makeCurrent) config.currentContext = name;
  });
  return path;
}

/**
 * Records the local manager's address (and env) in the current context, creating the context
 * `default` when there is none. Kept for callers written before contexts existed.
 */
export async function writeLocalConfig(update: LocalConfig, path = configPath()): Promise<string> {
  await updateCliConfig(path, (config) => {
    const name = config.currentContext ?? legacyContextName;
    config.contexts[name] = { ...config.contexts[name], ...pickContext({ ...update }) };
    config.currentContext = name;
  });
  return path;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
