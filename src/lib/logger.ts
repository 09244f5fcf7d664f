import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One logger for every component. Fields that could carry secrets are redacted here, once,
 * so no caller has to remember to.
 */
export function createLogger(name: string, level = process.env.SHOAL_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['token', '*.token', 'password', '*.password', 'secret', '*.secret', 'authorization', '*.authorization', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
