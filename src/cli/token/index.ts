import type { Command } from 'commander';
import type { JoinTokenResponse, JoinTokenRole } from '../../client/types.js';
import { connect, withConnectionOptions } from '../connection.js';
import { flagError } from '../flag-error.js';
import type { CliIo } from '../io.js';

function parseRole(text: string): JoinTokenRole {
  if (text === 'worker' || text === 'manager') return text;
  throw flagError('role', text, 'must be worker or manager');
}

/** "worker join token of environment "prod"": a worker token adds nodes to one environment only. */
const describe = (t: JoinTokenResponse): string => (t.role === 'worker' && t.env ? `worker join token of environment "${t.env}"` : `${t.role} join token`);

/**
 * `shoal token show|rotate worker|manager [--env E]` (docker: `swarm join-token [--rotate]`).
 * Each environment has its own worker token (`--env` picks it, as for every command); the
 * manager token is cluster-wide.
 */
export function registerTokenCommands(program: Command, io: CliIo): void {
  const token = program.command('token').description('show or rotate the join tokens (worker tokens are per environment: --env)');
  const show = token.command('show').description('print the join token of a role').argument('<role>', 'worker or manager').option('-q, --quiet', 'print only the token');
  withConnectionOptions(show);
  show.action(async (role: string, opts: { quiet?: boolean }, command: Command) => {
    const r = parseRole(role);
    const client = await connect(command, io);
    const shown = await client.showJoinToken(r);
    io.out(opts.quiet ? `${shown.token}\n` : `${describe(shown)}:\n  ${shown.token}\nJoin with: shoal agent --join MANAGER-AGENT-ADDRESS --token ${shown.token}\n`);
  });
  const rotate = token.command('rotate').description('replace the join token of a role; joined nodes keep working').argument('<role>', 'worker or manager').option('-q, --quiet', 'print only the new token');
  withConnectionOptions(rotate);
  rotate.action(async (role: string, opts: { quiet?: boolean }, command: Command) => {
    const r = parseRole(role);
    const client = await connect(command, io);
    const rotated = await client.rotateJoinToken(r);
    io.out(opts.quiet ? `${rotated.token}\n` : `${describe(rotated)} rotated; the old one no longer joins. New token:\n  ${rotated.token}\n`);
  });
}
