// A manager in a process of its own for the API fuzz test: the fuzzing client's work must not
// count as the manager's event-loop lag, and a crash must show as a dead process, not a failed
// assertion somewhere else. Talks to its parent over IPC.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { startManager } from '../../src/manager/manager.js';
import { SqliteStore } from '../../src/manager/store/sqlite-store.js';
import { createLogger } from '../../src/lib/logger.js';
import { StallProbe } from './stall-probe.js';

const dataDir = process.argv[2];
if (!dataDir || !process.send) throw new Error('usage: fork(fuzz-manager-process.ts, [DATA_DIR])');
const send = (message: unknown): void => void process.send?.(message);

const store = new SqliteStore(join(dataDir, 'shoal.db'));
const manager = await startManager({ store, logger: createLogger('fuzz-manager', 'error'), dataDir: join(dataDir, 'manager'), host: '127.0.0.1', port: 0, agentPort: 0 });
const admin = manager.newAdmin;
if (!admin) throw new Error('the first start made no administrator');
// 10 ms resolution: fine enough to see a 200 ms stall, coarse enough to cost nothing.
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const stalls = new StallProbe();
stalls.start();

process.on('message', (message: unknown) => {
  if (message === 'lag') {
    send({ lag: { maxMs: lag.max / 1e6, p99Ms: lag.percentile(99) / 1e6, busyMs: stalls.maxBusyMs, heapMiB: process.memoryUsage().heapUsed / 2 ** 20 } });
  } else if (message === 'lag-reset') {
    send({ lagReset: { maxMs: lag.max / 1e6, busyMs: stalls.maxBusyMs } });
    lag.reset();
    stalls.reset();
  } else if (message === 'stop') {
    lag.disable();
    stalls.stop();
    void manager
      .stop()
      .then(() => store.close())
      .finally(() => process.exit(0));
  }
});
send({ ready: { url: manager.url, accessKey: admin.accessKey, secret: admin.secret } });
