import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ShoalError } from '../api/errors.js';

/** What `shoal up` records so that later commands find the manager without flags. */
export interface LocalConfig {
  host?: string;
  env?: string;
}

export function configPath(env: Record<string, string | undefined> = process.env, home = homedir()): string {
  return env.SHOAL_CONFIG || join(home, '.shoal', 'config.json');
}

/** The config file's contents; an absent file is an empty config, a broken one an error. */
export async function readLocalConfig(path: string): Promise<LocalConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ShoalError('failed_precondition', `cannot read ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new ShoalError('failed_precondition', `${path} is not valid JSON; fix or remove it`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ShoalError('failed_precondition', `${path} must hold a JSON object`);
  }
  const record = value as Record<string, unknown>;
  return {
    ...(typeof record.host === 'string' ? { host: record.host } : {}),
    ...(typeof record.env === 'string' ? { env: record.env } : {}),
  };
}

/**
 * Records the local manager's address, keeping other keys of an existing file. Written to a
 * temporary file and renamed so a crash never leaves half a file; mode 0600 because the file
 * is where credentials will live too.
 */
export async function writeLocalConfig(update: LocalConfig, path = configPath()): Promise<string> {
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) existing = {};
  } catch {
    existing = {};
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ ...existing, ...update }, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return path;
}
