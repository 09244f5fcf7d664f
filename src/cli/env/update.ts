import type { Command } from 'commander';
import type { UpdateQuotasRequest } from '../../api/quotas.js';
import { ShoalError } from '../../api/errors.js';
import { connect, withConnectionOptions } from '../connection.js';
import { parseFlag } from '../flag-error.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { parsePositiveInt } from '../parse/number.js';
import { environmentText } from './environment-text.js';

interface QuotaFlags {
  maxReplicas?: string;
  maxServices?: string;
  maxTasks?: string;
  format?: string;
}

/** The quotas the flags set; refuses no flag at all (one readable line, exit 1). */
export function quotasFromFlags(opts: QuotaFlags): UpdateQuotasRequest {
  const quotas: UpdateQuotasRequest = {
    ...(opts.maxReplicas !== undefined ? { maxReplicasPerService: parseFlag('--max-replicas', opts.maxReplicas, parsePositiveInt) } : {}),
    ...(opts.maxServices !== undefined ? { maxServices: parseFlag('--max-services', opts.maxServices, parsePositiveInt) } : {}),
    ...(opts.maxTasks !== undefined ? { maxTasks: parseFlag('--max-tasks', opts.maxTasks, parsePositiveInt) } : {}),
  };
  if (Object.keys(quotas).length === 0) throw new ShoalError('invalid_argument', 'nothing to update: give --max-replicas, --max-services or --max-tasks');
  return quotas;
}

/** `env update NAME --max-replicas N ...`: administrators raise (or lower) an environment's quotas. */
export function registerEnvUpdate(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('update')
    .description('change an environment\'s quotas (administrators); lowering one below what is used refuses only growth')
    .argument('<name>', 'environment name')
    .option('--max-replicas <n>', 'replicas of one service')
    .option('--max-services <n>', 'services of the environment')
    .option('--max-tasks <n>', 'replicas of all its services together');
  withFormatOption(cmd);
  withConnectionOptions(cmd, { env: false });
  cmd.action(async (name: string, opts: QuotaFlags, command: Command) => {
    const format = outputFormat(opts.format);
    const quotas = quotasFromFlags(opts);
    const env = await (await connect(command, io)).updateEnvironmentQuotas(name, quotas);
    if (format === 'json') return printJson(io, env);
    io.out(environmentText(env));
  });
}
