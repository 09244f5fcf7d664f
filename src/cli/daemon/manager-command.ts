import { join } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import type { CliIo } from '../io.js';
import { flagError, parseFlag } from '../flag-error.js';
import { parseDuration } from '../parse/duration.js';
import { resolveDataDir } from '../up.js';
import { parseListenAddress } from './listen-address.js';
import { waitForInterrupt } from './wait-for-interrupt.js';

interface ManagerFlags {
  listen: string;
  agentListen?: string;
  advertiseAddr?: string;
  certExpiry: string;
  dataDir?: string;
  heartbeatPeriod?: string;
  auth: string;
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
    // `open` stays the default until the CLI can log in; see docs/SECURITY.md.
    .option('--auth <mode>', 'required: every API call but /healthz and login needs an API key or session; open: no checks (loopback only)', 'open')
    .action(async (opts: ManagerFlags) => {
      const { host, port } = parseListenAddress('--listen', opts.listen);
      const agent = opts.agentListen !== undefined ? parseListenAddress('--agent-listen', opts.agentListen) : { host, port: port === 0 ? 0 : port + 1 };
      if (agent.port > 65535) throw flagError('--listen', opts.listen, 'leaves no port for the agent listener: give --agent-listen');
      const heartbeatPeriodMs = parseFlag('--heartbeat-period', opts.heartbeatPeriod ?? '1s', parseDuration);
      const certExpiryMs = parseFlag('--cert-expiry', opts.certExpiry, parseDuration);
      if (certExpiryMs < 1000) throw flagError('--cert-expiry', opts.certExpiry, 'must be at least 1s');
      if (opts.advertiseAddr !== undefined && !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(opts.advertiseAddr)) {
        throw flagError('--advertise-addr', opts.advertiseAddr, 'must be HOST or HOST:PORT');
      }
      if (opts.auth !== 'open' && opts.auth !== 'required') throw flagError('--auth', opts.auth, 'must be "open" or "required"');
      const dataDir = resolveDataDir(opts.dataDir, io);
      const { startManager } = await import('../../manager/manager.js');
      const { SqliteStore } = await import('../../manager/store/sqlite-store.js');
      const logger = pino({ name: 'shoal-manager', level: io.env.SHOAL_LOG_LEVEL ?? 'info', redact: { paths: ['token', '*.token', 'password', '*.password', 'secret', '*.secret', 'authorization', '*.authorization', 'req.headers.authorization'], censor: '[redacted]' } });
      const store = new SqliteStore(join(dataDir, 'manager', 'shoal.db'));
      const manager = await startManager({
        store,
        logger,
        dataDir: join(dataDir, 'manager'),
        host,
        port,
        agentHost: agent.host,
        agentPort: agent.port,
        certExpiryMs,
        heartbeatPeriodMs: Math.max(100, heartbeatPeriodMs),
        auth: opts.auth,
        ...(opts.advertiseAddr !== undefined ? { advertiseAddr: opts.advertiseAddr } : {}),
      });
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
      if (manager.newAdmin) {
        // Like the join tokens: on the terminal once, never in the JSON log.
        io.err(`administrator account (password shown once): ${manager.newAdmin.username} / ${manager.newAdmin.password}\n`);
      }
      await waitForInterrupt(io.interrupt);
      await manager.stop();
      await store.close();
    });
}
