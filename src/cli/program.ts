import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { reportError } from './errors.js';
import { registerEvents } from './events.js';
import type { CliIo } from './io.js';
import { registerNodeCommands } from './node/index.js';
import { registerServiceCommands } from './service/index.js';
import { registerStackCommands } from './stack/index.js';
import { registerTokenCommands } from './token/index.js';
import { registerUp } from './up.js';
import { registerAgent } from './daemon/agent-command.js';
import { registerAccountCommands } from './account/index.js';
import { registerApiKeyCommands } from './apikey/index.js';
import { registerAuditCommands } from './audit/index.js';
import { registerContextCommands } from './context/index.js';
import { registerEnvCommands } from './env/index.js';
import { registerSessionCommands } from './session/index.js';
import { registerManager } from './daemon/manager-command.js';
import { registerSecretCommands } from './secret/index.js';
import { registerConfigCommands } from './config/index.js';
import { registerNetworkCommands } from './network/index.js';
import { registerDnsCommands } from './dns/index.js';

function packageVersion(): string {
  try {
    // The same relative path from src/cli and from dist/cli.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('shoal')
    .description('Shoal: keep a cluster of container hosts converged on declared services')
    .version(packageVersion(), '-v, --version')
    // Options after a verb belong to it: `service create --env K=V` sets a variable, while
    // `shoal --env prod service create ...` picks the environment.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => undefined })
    .showSuggestionAfterError(true)
    .option('--host <url>', 'manager URL (default: $SHOAL_HOST, then the current context of ~/.shoal/config.json, then http://127.0.0.1:7420)')
    .option('--env <name>', 'environment to act in (default: $SHOAL_ENV, then the context\'s, then "default")')
    .option('--context <name>', 'use this context of the config file (default: $SHOAL_CONTEXT, then the current one)');
  registerUp(program, io);
  registerManager(program, io);
  registerAgent(program, io);
  registerServiceCommands(program, io);
  registerStackCommands(program, io);
  registerNodeCommands(program, io);
  registerTokenCommands(program, io);
  registerEvents(program, io);
  registerSessionCommands(program, io);
  registerContextCommands(program, io);
  registerAccountCommands(program, io);
  registerApiKeyCommands(program, io);
  registerEnvCommands(program, io);
  registerAuditCommands(program, io);
  registerSecretCommands(program, io);
  registerConfigCommands(program, io);
  registerNetworkCommands(program, io);
  registerDnsCommands(program, io);
  return program;
}

/** Runs one command line (argv as process.argv gives it) and returns the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv]);
    return 0;
  } catch (err) {
    return reportError(err, io);
  }
}
