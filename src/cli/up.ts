import { isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ShoalError } from '../api/errors.js';
import { ShoalClient } from '../client/shoal-client.js';
import { deployDemo } from './demo.js';
import { credentialBanner, recordLocalContext, type NewAdminCredential } from './daemon/local-context.js';
import { flagError, parseFlag } from './flag-error.js';
import type { CliIo } from './io.js';
import { parseClusterCidr } from './parse/cluster-cidr.js';
import { parseNonNegativeInt } from './parse/number.js';
import { parseRetention } from './parse/retention.js';

interface EmbeddedManager {
  url: string;
  newAdmin?: NewAdminCredential;
  stop(): Promise<void>;
}
type StartEmbedded = (opts: { dataDir: string; port: number; host?: string; auditRetentionMs?: number; clusterCidr?: string }) => Promise<EmbeddedManager>;

/**
 * Loaded at run time so that every other command starts without loading the manager, and so
 * that the client side builds and type-checks on its own.
 */
async function loadStartEmbedded(): Promise<StartEmbedded> {
  const modulePath = '../manager/embedded.js';
  let mod: unknown;
  try {
    mod = await import(modulePath);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') throw new ShoalError('internal', 'this build of shoal has no embedded manager');
    throw err;
  }
  const start = (mod as { startEmbedded?: unknown }).startEmbedded;
  if (typeof start !== 'function') throw new ShoalError('internal', 'this build of shoal has no embedded manager');
  return start as StartEmbedded;
}

/**
 * Starts a manager with `--cluster-cidr`: a cluster created with another block refuses it,
 * and that is said about the flag.
 */
export async function withClusterCidr<T>(cidr: string | undefined, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (cidr !== undefined && err instanceof ShoalError && err.field === 'ipam.clusterCidr') {
      throw flagError('--cluster-cidr', cidr, err.message.replace(/^ipam\.clusterCidr: /, ''));
    }
    throw err;
  }
}

export function resolveDataDir(flag: string | undefined, io: CliIo): string {
  const raw = flag ?? io.env.SHOAL_DATA_DIR ?? join(io.homeDir, '.shoal', 'data');
  const expanded = raw === '~' || raw.startsWith('~/') ? join(io.homeDir, raw.slice(1)) : raw;
  return isAbsolute(expanded) ? expanded : resolve(expanded);
}

export function registerUp(program: Command, io: CliIo): void {
  program
    .command('up')
    .description('run a manager and an agent on this machine, and point the CLI at them')
    .option('--data-dir <dir>', 'where state is kept (default: $SHOAL_DATA_DIR, else ~/.shoal/data)')
    .option('--port <port>', 'API port (default: 7420)')
    .option('--demo', 'deploy the demo services (hello, workers) unless they exist')
    .option('--audit-retention <duration>', 'how long audit history entries are kept (e.g. 720h, 90d)', '30d')
    .option('--cluster-cidr <cidr>', 'the block container addresses come from, /8 to /16, set when the cluster is created (default: 10.240.0.0/12)')
    .action(async (opts: { dataDir?: string; port?: string; demo?: boolean; auditRetention: string; clusterCidr?: string }) => {
      const port = opts.port === undefined ? 7420 : parseFlag('--port', opts.port, parseNonNegativeInt);
      if (port < 1 || port > 65535) throw flagError('--port', String(opts.port), 'must be 1-65535');
      const auditRetentionMs = parseFlag('--audit-retention', opts.auditRetention, parseRetention);
      const clusterCidr = opts.clusterCidr === undefined ? undefined : parseFlag('--cluster-cidr', opts.clusterCidr, parseClusterCidr);
      const dataDir = resolveDataDir(opts.dataDir, io);
      const startEmbedded = await loadStartEmbedded();
      const manager = await withClusterCidr(opts.clusterCidr, () => startEmbedded({ dataDir, port, auditRetentionMs, ...(clusterCidr !== undefined ? { clusterCidr } : {}) }));
      const local = await recordLocalContext(io, manager.url, manager.newAdmin);
      io.out(
        [
          `Shoal is running. API: ${manager.url}  (data: ${dataDir})`,
          ...credentialBanner(local, manager.newAdmin),
          `The CLI now talks to it (context "local" of ${local.path}). Try:`,
          '  shoal node ls',
          '  shoal service ls',
          '  shoal service create --name web --replicas 3 -p 8090:80 --stop-signal KILL shoal-test/busybox:1',
          '  shoal service ps web',
          `Web UI: ${manager.url}/   Log: ${join(dataDir, 'shoal.log')}`,
          'Press Ctrl-C to stop (containers keep running; the next start adopts them).',
          '',
        ].join('\n'),
      );
      if (opts.demo) {
        const { accessKey, secretKey } = local.context;
        if (accessKey && secretKey) await deployDemo(new ShoalClient({ baseUrl: manager.url, apiKey: { accessKey, secret: secretKey } }), (line) => io.out(`${line}\n`));
        else io.out('demo: not deployed, the local context holds no API key\n');
      }
      await new Promise<void>((done) => {
        if (io.interrupt.aborted) done();
        else io.interrupt.addEventListener('abort', () => done(), { once: true });
      });
      io.out('\nstopping Shoal...\n');
      await manager.stop();
      io.out('stopped\n');
    });
}
