import type { CliConfig, CliContext } from '../config-file.js';
import { isExpired } from '../connection.js';
import { humanDuration } from '../output/relative-time.js';

/** What `context ls|show` may print of a context: never a secret or a session token. */
export interface ContextSummary {
  name: string;
  current: boolean;
  host?: string;
  env?: string;
  credential: { type: 'apikey'; accessKey: string } | { type: 'session'; username?: string; expiresAt?: string; expired: boolean } | { type: 'none' };
}

export function summarize(name: string, ctx: CliContext, config: CliConfig, now: number): ContextSummary {
  const credential: ContextSummary['credential'] =
    ctx.accessKey && ctx.secretKey
      ? { type: 'apikey', accessKey: ctx.accessKey }
      : ctx.sessionToken
        ? { type: 'session', ...(ctx.username ? { username: ctx.username } : {}), ...(ctx.sessionExpiresAt ? { expiresAt: ctx.sessionExpiresAt } : {}), expired: isExpired(ctx.sessionExpiresAt, now) }
        : { type: 'none' };
  return { name, current: config.currentContext === name, ...(ctx.host ? { host: ctx.host } : {}), ...(ctx.env ? { env: ctx.env } : {}), credential };
}

/** "API key AK...", "session of alice (11 hours left)", "none". */
export function credentialText(c: ContextSummary['credential'], now: number): string {
  if (c.type === 'apikey') return `API key ${c.accessKey}`;
  if (c.type === 'none') return 'none';
  const who = c.username ? ` of ${c.username}` : '';
  if (c.expired) return `session${who} (expired; shoal login)`;
  const left = c.expiresAt ? ` (${humanDuration(Date.parse(c.expiresAt) - now).toLowerCase()} left)` : '';
  return `session${who}${left}`;
}
