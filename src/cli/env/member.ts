import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { formatTable } from '../output/table.js';
import { parseRole } from '../parse/role.js';

/** `env member add|rm|ls`: the member list is where accounts get their role in an environment. */
export function registerEnvMemberCommands(parent: Command, io: CliIo): void {
  const member = parent.command('member').description('give accounts a role in an environment, change or take it away');

  const add = member
    .command('add')
    .description('give an account a role in an environment (replacing the one it had)')
    .argument('<env>', 'environment name')
    .argument('<account>', 'username')
    .argument('<role>', 'owner, member, restricted or readonly');
  withConnectionOptions(add, { env: false });
  add.action(async (env: string, account: string, role: string, _opts: unknown, command: Command) => {
    const r = parseRole('role', role);
    const m = await (await connect(command, io)).setMember(env, account, r);
    io.out(`${m.username} is ${m.role} in environment "${env}".\n`);
  });

  const rm = member
    .command('rm')
    .alias('remove')
    .description('take an account\'s role in an environment away')
    .argument('<env>', 'environment name')
    .argument('<account>', 'username');
  withConnectionOptions(rm, { env: false });
  rm.action(async (env: string, account: string, _opts: unknown, command: Command) => {
    const m = await (await connect(command, io)).removeMember(env, account);
    io.out(`${m.username} has no role in environment "${env}" any more.\n`);
  });

  const ls = member.command('ls').alias('list').description('list the members of an environment and their roles').argument('<env>', 'environment name');
  withFormatOption(ls);
  withConnectionOptions(ls, { env: false });
  ls.action(async (env: string, opts: { format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const members = await (await connect(command, io)).listMembers(env);
    if (format === 'json') return printJson(io, members);
    io.out(formatTable(['USERNAME', 'ROLE'], members.map((m) => [m.username, m.role])));
  });
}
