import { shoalZone } from '../../api/dns-view.js';

/**
 * The resolv.conf a task's container gets: the agent's resolver on its primary network's
 * gateway, and search domains so `db` finds the stack's own service first, then the
 * environment's. ndots:1 sends `db.web` and `tasks.db` as they are, which the resolver answers
 * directly, instead of trying every search domain first.
 */
export function resolvConf(nameserver: string, env: string, stack: string | undefined): string {
  const search = [...(stack ? [`${stack}.${env}.${shoalZone}`] : []), `${env}.${shoalZone}`];
  return `# written by the Shoal agent\nnameserver ${nameserver}\nsearch ${search.join(' ')}\noptions ndots:1 timeout:2 attempts:2\n`;
}
