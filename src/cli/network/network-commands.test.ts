import { DnsLookup } from '../../manager/networks/dns-lookup.js';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { NetworkView } from '../../api/networks.js';
import { createLogger } from '../../lib/logger.js';
import { AccountApi } from '../../manager/auth/accounts.js';
import { memoryStore } from '../../manager/auth/test-store.test-util.js';
import { ServiceApi } from '../../manager/controlapi/services.js';
import { EnvironmentApi } from '../../manager/environments/environments.js';
import { loopbackAuthorizer } from '../../manager/http/authorizer.js';
import { buildNetworkRoutes } from '../../manager/http/network-routes.js';
import { createHttpServer } from '../../manager/http/server.js';
import { IpamApi } from '../../manager/ipam/ipam-api.js';
import { NetworkApi } from '../../manager/networks/networks.js';
import { run } from '../program.js';
import { captureIo } from '../test-fixtures.test.js';

// The commands against the real network routes (no credentials: the loopback authorizer).
const store = memoryStore();
const ipam = new IpamApi(store);
const networks = new NetworkApi({ store, ranges: ipam });
const services = new ServiceApi(store);
const app = createHttpServer({ routes: buildNetworkRoutes(() => networks, () => new DnsLookup(store)), authorizer: loopbackAuthorizer, logger: createLogger('test', 'silent') });
let host = '';
before(async () => {
  await new EnvironmentApi(store, new AccountApi(store)).ensureDefault();
  await app.listen({ host: '127.0.0.1', port: 0 });
  host = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app.close();
});

const shoal = async (args: string[]) => {
  const io = captureIo({ env: { SHOAL_HOST: host, SHOAL_CONFIG: '/nonexistent/config.json' } });
  const code = await run(['node', 'shoal', ...args], io);
  return { code, out: io.stdout.join(''), err: io.stderr.join('') };
};
const ctx = { actor: 't', env: 'default' };

test('network create, ls, inspect, rm; errors are one line and exit 1', async () => {
  assert.deepEqual(await shoal(['network', 'create', 'back', '--label', 'tier=db']), { code: 0, out: 'back\n', err: '' });
  const dup = await shoal(['network', 'create', 'back']);
  assert.equal(dup.code, 1);
  assert.match(dup.err, /already exists/);
  assert.equal(dup.err.trim().split('\n').length, 1, dup.err);
  const bad = await shoal(['network', 'create', 'bad name']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /name/);

  await services.create(ctx, { name: 'db', spec: { image: 'x', networks: [{ target: 'back' }] } });
  const ls = await shoal(['network', 'ls']);
  assert.equal(ls.code, 0, ls.err);
  assert.match(ls.out, /^ID\s+NAME\s+STACK\s+SERVICES\s+CREATED/);
  assert.match(ls.out, /\bback\s+-\s+db\b/);
  assert.match(ls.out, /\bdefault\s+-\s+all \(1\)/);
  assert.equal((await shoal(['network', 'ls', '-q'])).out, 'back\ndefault\n');
  const json = JSON.parse((await shoal(['network', 'ls', '--format', 'json'])).out) as NetworkView[];
  assert.deepEqual(json.map((n) => [n.name, n.services]), [['back', ['db']], ['default', ['db']]]);

  const back = await networks.get(ctx, 'back');
  await ipam.allocateNetworkRange(back.id, 'node-a');
  const inspected = JSON.parse((await shoal(['network', 'inspect', 'back'])).out) as NetworkView[];
  assert.equal(inspected[0]?.id, back.id);
  assert.deepEqual(inspected[0]?.labels, { tier: 'db' });
  assert.deepEqual(inspected[0]?.ranges?.map((r) => r.nodeId), ['node-a']);
  const table = await shoal(['network', 'inspect', 'back', '--format', 'table']);
  assert.match(table.out, /Services\s+db/);
  assert.match(table.out, /node-a\s+\d+\.\d+\.\d+\.\d+\/\d+/);
  assert.equal((await shoal(['network', 'inspect', 'nope'])).code, 1);

  const refused = await shoal(['network', 'rm', 'back', 'default', 'nope']);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /used by service db/);
  assert.match(refused.err, /built-in/);
  assert.match(refused.err, /not found/);
  await services.remove(ctx, 'db');
  assert.deepEqual(await shoal(['network', 'rm', 'back']), { code: 0, out: 'back\n', err: '' });
  assert.deepEqual(await ipam.listNetworkRanges(back.id), []);
});
