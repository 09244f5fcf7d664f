import { join } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import type { CliIo } from '../io.js';
import { parseFlag } from '../flag-error.js';
import { parseDuration } from '../parse/duration.js';
import { resolveDataDir } from '../up.js';
import { parseListenAddress } from './listen-address.js';
import { waitForInterrupt } from './wait-for-interrupt.js';

interface ManagerFlags {
  listen: string;
  dataDir?: string;
  heartbeatPeriod?: string;
}

/** `shoal manager`: a manager without a local agent, for clusters whose agents join over the network. */
export function registerManager(program: Command, io: CliIo): void {
  program
    .command('manager')
    .description('run a manager that agents on other hosts join (logs JSON to stdout)')
    .option('--listen <addr:port>', 'address for the API and agent sessions', '127.0.0.1:7420')
    .option('--data-dir <dir>', 'where state is kept (default: $SHOAL_DATA_DIR, else ~/.shoal/data)')
    .option('--heartbeat-period <duration>', 'how often agents report; a node is down after 3 missed periods', '1s')
    .action(async (opts: ManagerFlags) => {
      const { host, port } = parseListenAddress('--listen', opts.listen);
      const heartbeatPeriodMs = parseFlag('--heartbeat-period', opts.heartbeatPeriod ?? '1s', parseDuration);
      const dataDir = resolveDataDir(opts.dataDir, io);
      const { startManager } = await import('../../manager/manager.js');
      const { SqliteStore } = await import('../../manager/store/sqlite-store.js');
      const logger = pino({ name: 'shoal-manager', level: io.env.SHOAL_LOG_LEVEL ?? 'info' });
      const store = new SqliteStore(join(dataDir, 'manager', 'shoal.db'));
      const manager = await startManager({ store, logger, host, port, heartbeatPeriodMs: Math.max(100, heartbeatPeriodMs) });
      io.err(`shoal manager: API and agent sessions on ${manager.url} (data: ${dataDir})\n`);
      if (manager.newTokens) {
        // Shown once, at cluster creation; only hashes are stored.
        io.err(`join tokens (shown once):\n  worker:  ${manager.newTokens.worker}\n  manager: ${manager.newTokens.manager}\n`);
      }
      await waitForInterrupt(io.interrupt);
      await manager.stop();
      await store.close();
    });
}
