import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger } from 'pino';
import { createPrivateFile } from './private-files.js';

export type { Logger };

/** What replaces a redacted value in a log line. */
export const logCensor = '[redacted]';

/**
 * Field names whose values are credentials or material derived from them: request headers,
 * passwords and their hashes, API key secrets and their hashes, join tokens (also sealed),
 * private keys.
 */
export const redactedLogFields = ['token', 'password', 'secret', 'authorization', 'cookie', 'passwordHash', 'secretHash', 'sealed', 'privateKey', 'keyPem', 'signingKey'] as const;

/**
 * Where those names are redacted: at the top of a log object and two levels down (`err.token`,
 * `req.headers.authorization`), which covers every object Shoal logs.
 */
export const redactedLogPaths: readonly string[] = redactedLogFields.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

export interface LoggerOptions {
  /** Default: $SHOAL_LOG_LEVEL, else `info`. */
  level?: string;
  /** Where lines go (default stdout): a file (appended to; `sync` writes each line at once), or a stream. */
  destination?: { file: string; sync?: boolean } | DestinationStream;
  /** Fields on every line, besides pino's pid and hostname. */
  base?: Record<string, unknown>;
}

/**
 * The logger of every Shoal process and component (the manager, `shoal up`, the agent, tests).
 * Fields that could carry secrets are redacted here, once, so no caller has to remember to; lint
 * forbids importing pino anywhere else, so no process can build a logger without it.
 */
export function createLogger(name: string, options: LoggerOptions | string = {}): Logger {
  const opts = typeof options === 'string' ? { level: options } : options;
  const config = {
    name,
    level: opts.level ?? process.env.SHOAL_LOG_LEVEL ?? 'info',
    redact: { paths: [...redactedLogPaths], censor: logCensor },
    ...(opts.base ? { base: { pid: process.pid, hostname: hostname(), ...opts.base } } : {}),
  };
  const dest = opts.destination;
  if (dest === undefined) return pino(config);
  if ('file' in dest) {
    createPrivateFile(dest.file);
    return pino(config, pino.destination({ dest: dest.file, sync: dest.sync ?? false }));
  }
  return pino(config, dest);
}
