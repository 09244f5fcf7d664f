import type { Command } from 'commander';
import type { UpdateQuotasRequest } from '../../api/quotas.js';
import { ShoalError } from '../../api/errors.js';
import { normalizeHostPath } from '../../api/host-paths.js';
import type { ShoalClient } from '../../client/shoal-client.js';
import type { Environment } from '../../client/types.js';
import { connect, withConnectionOptions } from '../connection.js';
import { parseFlag } from '../flag-error.js';
import type { CliIo } from '../io.js';
import { repeatable } from '../options.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { parsePositiveInt } from '../parse/number.js';
import { environmentText } from './environment-text.js';

interface QuotaFlags {
  maxReplicas?: string;
  maxServices?: string;
  maxTasks?: string;
  format?: string;
}

interface HostPathFlags {
  allowBindPath?: string[];
  removeBindPath?: string[];
  clearBindPaths?: boolean;
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

/**
 * `env update NAME --max-replicas N ... --allow-bind-path P ...`: administrators change an
 * environment's quotas and the host paths every role that writes services may bind (other binds
 * need the owner role).
 */
export function registerEnvUpdate(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('update')
    .description('change an environment\'s quotas and allowed host paths (administrators); lowering a quota below what is used refuses only growth')
    .argument('<name>', 'environment name')
    .option('--max-replicas <n>', 'replicas of one service')
    .option('--max-services <n>', 'services of the environment')
    .option('--max-tasks <n>', 'replicas of all its services together');
  repeatable(cmd, '--allow-bind-path <path>', 'let every role that writes services bind this host path and what is below it (repeatable)');
  repeatable(cmd, '--remove-bind-path <path>', 'take an allowed host path off the list (repeatable)');
  cmd.option('--clear-bind-paths', 'empty the list first: only owners bind host paths');
  withFormatOption(cmd);
  withConnectionOptions(cmd, { env: false });
  cmd.action(async (name: string, opts: QuotaFlags & HostPathFlags, command: Command) => {
    const format = outputFormat(opts.format);
    const hostPaths = (opts.allowBindPath ?? []).length > 0 || (opts.removeBindPath ?? []).length > 0 || opts.clearBindPaths === true;
    const quotaGiven = opts.maxReplicas !== undefined || opts.maxServices !== undefined || opts.maxTasks !== undefined;
    if (!quotaGiven && !hostPaths) {
      throw new ShoalError('invalid_argument', 'nothing to update: give --max-replicas, --max-services or --max-tasks, or --allow-bind-path, --remove-bind-path or --clear-bind-paths');
    }
    const quotas = quotaGiven ? quotasFromFlags(opts) : undefined;
    const client = await connect(command, io);
    let env = quotas ? await client.updateEnvironmentQuotas(name, quotas) : undefined;
    if (hostPaths) env = await updateHostPaths(client, name, opts);
    if (!env) return;
    if (format === 'json') return printJson(io, env);
    io.out(environmentText(env));
  });
}

/**
 * Edits the allowed host paths: read the list, change it, write it back with the version read,
 * so a concurrent change is a 409 rather than lost. The server checks and normalizes added paths.
 */
async function updateHostPaths(client: ShoalClient, name: string, opts: HostPathFlags): Promise<Environment> {
  const current = await client.getEnvironment(name);
  const kept = opts.clearBindPaths ? [] : (current.allowedHostPaths ?? []);
  const removed = new Set((opts.removeBindPath ?? []).map((p) => normalizeHostPath(p) ?? p));
  for (const p of removed) {
    if (!opts.clearBindPaths && !kept.includes(p)) throw new ShoalError('invalid_argument', `--remove-bind-path "${p}": not an allowed host path of environment "${name}"`, '--remove-bind-path');
  }
  return client.setEnvironmentHostPaths(name, { paths: [...kept.filter((p) => !removed.has(p)), ...(opts.allowBindPath ?? [])], version: current.version });
}
