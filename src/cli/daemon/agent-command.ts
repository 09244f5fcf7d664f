import type { Command } from 'commander';
import { ShoalError } from '../../api/errors.js';
import { createLogger } from '../../lib/logger.js';
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
    .requiredOption('--join <addr>', 'the manager\'s agent port (not its API port), e.g. 10.0.0.1:7421')
    .option('--token <token>', 'join token, needed for the first join only (default: $SHOAL_JOIN_TOKEN)')
    .option('--data-dir <dir>', 'where the agent keeps its key, certificate and node id (default: $SHOAL_DATA_DIR, else ~/.shoal/data)')
    .option('--docker-host <url>', 'Docker Engine socket, e.g. unix:///var/run/docker.sock (default: $DOCKER_HOST, then the default socket)')
    .option('--hostname <name>', 'node name to report (default: the engine\'s hostname)')
    .action(async (opts: AgentFlags) => {
      const token = opts.token ?? io.env.SHOAL_JOIN_TOKEN;
      const dockerHost = opts.dockerHost ?? io.env.DOCKER_HOST;
      let socketPath: string | undefined;
      if (dockerHost) {
        if (!dockerHost.startsWith('unix://')) throw flagError('--docker-host', dockerHost, 'must be unix:///path/to/docker.sock');
        socketPath = dockerHost.slice('unix://'.length);
      }
      const { agentPortUrl } = await import('../../agent/join/manager-address.js');
      try {
        agentPortUrl(opts.join);
      } catch {
        throw flagError('--join', opts.join, 'must be HOST:PORT (the manager\'s agent port) or https://HOST:PORT');
      }
      const { startAgent } = await import('../../agent/agent.js');
      const { JoinError } = await import('../../agent/join/join-error.js');
      const { DockerExecutor } = await import('../../agent/executor/docker/docker-executor.js');
      const logger = createLogger('shoal-agent', { ...(io.env.SHOAL_LOG_LEVEL ? { level: io.env.SHOAL_LOG_LEVEL } : {}) });
      io.err(`shoal agent: joining ${opts.join}\n`);
      let agent;
      try {
        agent = await startAgent({
          managerAddress: opts.join,
          ...(token ? { token } : {}),
          dataDir: resolveDataDir(opts.dataDir, io),
          executor: new DockerExecutor(socketPath ? { socketPath } : {}),
          networking: true,
          logger,
          ...(opts.hostname ? { hostname: opts.hostname } : {}),
        });
      } catch (err) {
        if (err instanceof JoinError) throw new ShoalError('failed_precondition', `not joined: ${err.message}`);
        throw err;
      }
      io.err(`shoal agent: node ${agent.nodeId() ?? '?'} running\n`);
      await waitForInterrupt(io.interrupt);
      await agent.stop();
    });
}
