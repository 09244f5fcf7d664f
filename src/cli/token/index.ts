import type { Command } from 'commander';
import type { JoinTokenRole } from '../../client/types.js';
import { connect, withConnectionOptions } from '../connection.js';
import { flagError } from '../flag-error.js';
import type { CliIo } from '../io.js';

function parseRole(text: string): JoinTokenRole {
  if (text === 'worker' || text === 'manager') return text;
  throw flagError('role', text, 'must be worker or manager');
}

/** `shoal token show|rotate worker|manager` (docker: `swarm join-token [--rotate]`). */
export function registerTokenCommands(program: Command, io: CliIo): void {
  const token = program.command('token').description('show or rotate the join tokens');
  const show = token.command('show').description('print the join token of a role').argument('<role>', 'worker or manager').option('-q, --quiet', 'print only the token');
  withConnectionOptions(show);
  show.action(async (role: string, opts: { quiet?: boolean }, command: Command) => {
    const r = parseRole(role);
    const client = await connect(command, io);
    const { token: value } = await client.showJoinToken(r);
    io.out(opts.quiet ? `${value}\n` : `${r} join token:\n  ${value}\nJoin with: shoal agent --join MANAGER-AGENT-ADDRESS --token ${value}\n`);
  });
  const rotate = token.command('rotate').description('replace the join token of a role; joined nodes keep working').argument('<role>', 'worker or manager').option('-q, --quiet', 'print only the new token');
  withConnectionOptions(rotate);
  rotate.action(async (role: string, opts: { quiet?: boolean }, command: Command) => {
    const r = parseRole(role);
    const client = await connect(command, io);
    const { token: value } = await client.rotateJoinToken(r);
    io.out(opts.quiet ? `${value}\n` : `${r} join token rotated; the old one no longer joins. New token:\n  ${value}\n`);
  });
}
