import type { Command } from 'commander';
import { pino } from 'pino';
import { flagError } from '../flag-error.js';
import type { CliIo } from '../io.js';
import { resolveDataDir } from '../up.js';
import { waitForInterrupt } from './wait-for-interrupt.js';

interface AgentFlags {
  join: string;
  token?: string;
  dataDir?: string;
  dockerHost?: string;
  hostname?: string;
}

/** `shoal agent`: runs this host's tasks on its Docker Engine for the manager it joins. */
export function registerAgent(program: Command, io: CliIo): void {
  program
    .command('agent')
    .description('join a manager and run its tasks on this host\'s Docker Engine (logs JSON to stdout)')
    .requiredOption('--join <addr>', 'manager address, e.g. 10.0.0.1:7420')
    .option('--token <token>', 'join token (default: $SHOAL_JOIN_TOKEN)')
    .option('--data-dir <dir>', 'where the agent keeps its identity (default: $SHOAL_DATA_DIR, else ~/.shoal/data)')
    .option('--docker-host <url>', 'Docker Engine socket, e.g. unix:///var/run/docker.sock (default: $DOCKER_HOST, then the default socket)')
    .option('--hostname <name>', 'node name to report (default: the engine\'s hostname)')
    .action(async (opts: AgentFlags) => {
      const token = opts.token ?? io.env.SHOAL_JOIN_TOKEN;
      if (!token) throw flagError('--token', '', 'is required (or set SHOAL_JOIN_TOKEN)');
      const managerUrl = /^https?:\/\//.test(opts.join) ? opts.join : `http://${opts.join}`;
      const dockerHost = opts.dockerHost ?? io.env.DOCKER_HOST;
      let socketPath: string | undefined;
      if (dockerHost) {
        if (!dockerHost.startsWith('unix://')) throw flagError('--docker-host', dockerHost, 'must be unix:///path/to/docker.sock');
        socketPath = dockerHost.slice('unix://'.length);
      }
      const { startAgent } = await import('../../agent/agent.js');
      const { DockerExecutor } = await import('../../agent/executor/docker/docker-executor.js');
      const logger = pino({ name: 'shoal-agent', level: io.env.SHOAL_LOG_LEVEL ?? 'info' });
      const agent = await startAgent({
        managerUrl,
        token,
        dataDir: resolveDataDir(opts.dataDir, io),
        executor: new DockerExecutor(socketPath ? { socketPath } : {}),
        logger,
        ...(opts.hostname ? { hostname: opts.hostname } : {}),
      });
      io.err(`shoal agent: joining ${managerUrl}\n`);
      await waitForInterrupt(io.interrupt);
      await agent.stop();
    });
}
