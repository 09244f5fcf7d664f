import { join } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../../lib/logger.js';
import { closeDataDir, logClosedPaths } from '../../lib/private-files.js';
import type { CliIo } from '../io.js';
import { flagError, parseFlag } from '../flag-error.js';
import { parseDuration } from '../parse/duration.js';
import { resolveDataDir, withClusterCidr } from '../up.js';
import { parseClusterCidr } from '../parse/cluster-cidr.js';
import { parseRetention } from '../parse/retention.js';
import { parseListenAddress } from './listen-address.js';
import { credentialBanner, recordLocalContext } from './local-context.js';
import { waitForInterrupt } from './wait-for-interrupt.js';

interface ManagerFlags {
  listen: string;
  agentListen?: string;
  advertiseAddr?: string;
  certExpiry: string;
  dataDir?: string;
  heartbeatPeriod?: string;
  init?: boolean;
  auditRetention: string;
  clusterCidr?: string;
}

/** `shoal manager`: a manager without a local agent, for clusters whose agents join over the network. */
export function registerManager(program: Command, io: CliIo): void {
  program
    .command('manager')
    .description('run a manager that agents on other hosts join (logs JSON to stdout)')
    .option('--listen <addr:port>', 'address of the REST API, event stream and web UI', '127.0.0.1:7420')
    .option('--agent-listen <addr:port>', 'address of the agent port (mutual TLS: join, certificate renewal, agent sessions) (default: the --listen host, its port + 1)')
    .option('--advertise-addr <host[:port]>', 'address agents use to reach the agent port; printed in the join command and put in the server certificate')
    .option('--cert-expiry <duration>', 'lifetime of node certificates; nodes renew at 2/3 of it', '24h')
    .option('--data-dir <dir>', 'where state is kept (default: $SHOAL_DATA_DIR, else ~/.shoal/data)')
    .option('--heartbeat-period <duration>', 'how often agents report; a node is down after 3 missed periods', '1s')
    .option('--init', 'create the cluster\'s administrator account if the store has none (password shown once) and write an admin credential for this user\'s CLI')
    .option('--audit-retention <duration>', 'how long audit history entries are kept (e.g. 720h, 90d)', '30d')
    .option('--cluster-cidr <cidr>', 'with --init: the block container addresses come from, /8 to /16, fixed once the cluster exists (default: 10.240.0.0/12)')
    .action(async (opts: ManagerFlags) => {
      const { host, port } = parseListenAddress('--listen', opts.listen);
      const agent = opts.agentListen !== undefined ? parseListenAddress('--agent-listen', opts.agentListen) : { host, port: port === 0 ? 0 : port + 1 };
      if (agent.port > 65535) throw flagError('--listen', opts.listen, 'leaves no port for the agent listener: give --agent-listen');
      const heartbeatPeriodMs = parseFlag('--heartbeat-period', opts.heartbeatPeriod ?? '1s', parseDuration);
      const certExpiryMs = parseFlag('--cert-expiry', opts.certExpiry, parseDuration);
      if (certExpiryMs < 1000) throw flagError('--cert-expiry', opts.certExpiry, 'must be at least 1s');
      const auditRetentionMs = parseFlag('--audit-retention', opts.auditRetention, parseRetention);
      if (opts.advertiseAddr !== undefined && !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(opts.advertiseAddr)) {
        throw flagError('--advertise-addr', opts.advertiseAddr, 'must be HOST or HOST:PORT');
      }
      const clusterCidr = opts.clusterCidr === undefined ? undefined : parseFlag('--cluster-cidr', opts.clusterCidr, parseClusterCidr);
      const dataDir = resolveDataDir(opts.dataDir, io);
      const { startManager } = await import('../../manager/manager.js');
      const { SqliteStore } = await import('../../manager/store/sqlite-store.js');
      const logger = createLogger('shoal-manager', { ...(io.env.SHOAL_LOG_LEVEL ? { level: io.env.SHOAL_LOG_LEVEL } : {}) });
      // The manager's own folder (DATA/manager) is closed by startManager, before it reads anything.
      logClosedPaths(logger, closeDataDir(dataDir, []));
      const store = new SqliteStore(join(dataDir, 'manager', 'shoal.db'));
      const manager = await withClusterCidr(opts.clusterCidr, () => startManager({
        store,
        logger,
        dataDir: join(dataDir, 'manager'),
        host,
        port,
        agentHost: agent.host,
        agentPort: agent.port,
        certExpiryMs,
        heartbeatPeriodMs: Math.max(100, heartbeatPeriodMs),
        createAdmin: opts.init === true,
        auditRetentionMs,
        ...(opts.advertiseAddr !== undefined ? { advertiseAddr: opts.advertiseAddr } : {}),
        ...(clusterCidr !== undefined ? { clusterCidr } : {}),
      }));
      io.err(`shoal manager: API on ${manager.url}; agents join ${manager.joinAddress} (data: ${dataDir})\n`);
      if (manager.newTokens) {
        // Shown once, at cluster creation, on the terminal only (never in the JSON log);
        // `shoal token show worker|manager` prints them again.
        io.err(
          [
            'join tokens (shown once; `shoal token show worker|manager` prints them again):',
            `  worker:  ${manager.newTokens.worker}`,
            `  manager: ${manager.newTokens.manager}`,
            'To add a worker to this cluster, run on its host:',
            `  shoal agent --join ${manager.joinAddress} --token ${manager.newTokens.worker}`,
            '',
          ].join('\n'),
        );
      }
      if (opts.init) {
        // Like the join tokens: on the terminal once, never in the JSON log.
        const local = await recordLocalContext(io, manager.url, manager.newAdmin);
        io.err(`${credentialBanner(local, manager.newAdmin).join('\n')}\n`);
      }
      await waitForInterrupt(io.interrupt);
      await manager.stop();
      await store.close();
    });
}
