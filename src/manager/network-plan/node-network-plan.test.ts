import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerNetworkName, type NetworkObject } from '../../api/networks.js';
import { makeNode, makeService, makeTask } from '../orchestrator/fixtures.test-util.js';
import { changesNetworkPlans, planNodeNetwork, rangesNeeded, type NetworkPlanInput } from './node-network-plan.js';

const net = (id: string, name: string, env = 'default', stack?: string): NetworkObject => ({
  id,
  env,
  version: 1,
  name,
  createdAt: '',
  updatedAt: '',
  labels: {},
  ...(stack ? { stack } : {}),
});

function input(): NetworkPlanInput {
  const networks = [net('ndef', 'default'), net('nweb', 'web_default', 'default', 'web'), net('nprod', 'default', 'prod')];
  const db = makeService('sdb', { image: 'x', networks: [{ target: 'web_default', aliases: ['database'] }], ports: [{ target: 80, published: 8080, mode: 'ingress' }] }, { name: 'web_db', stack: 'web' });
  const other = makeService('sprod', { image: 'x' }, { name: 'api', env: 'prod' });
  const addr = (ip: string, netId = 'ndef') => ({ addresses: [{ network: dockerNetworkName(netId), ip }] });
  const tasks = [
    makeTask(db, { nodeId: 'n1', slot: 1, status: addr('10.240.16.66') }),
    makeTask(db, { nodeId: 'n2', slot: 2, status: addr('10.240.32.66') }),
    makeTask(db, { nodeId: 'n2', slot: 3, state: 'starting' }),
    makeTask(db, { nodeId: 'n1', slot: 4, state: 'failed' }),
    makeTask(other, { nodeId: 'n3', env: 'prod', status: addr('10.240.48.66', 'nprod') }),
  ];
  return {
    clusterCidr: '10.240.0.0/12',
    vni: 1,
    nodes: [makeNode('n1', { status: { state: 'ready', message: '', address: '::ffff:10.201.1.2', timestamp: '' } } as never), makeNode('n2'), makeNode('n3', { env: 'prod' }), makeNode('n4', { status: { state: 'ready', message: '', address: '127.0.0.1', timestamp: '' } } as never)],
    subnets: [
      { nodeId: 'n1', subnet: '10.240.16.0/20', nodeAddress: '10.240.16.0' },
      { nodeId: 'n2', subnet: '10.240.32.0/20', nodeAddress: '10.240.32.0' },
      { nodeId: 'n4', subnet: '10.240.64.0/20', nodeAddress: '10.240.64.0' },
    ],
    ranges: [
      { networkId: 'ndef', nodeId: 'n1', range: '10.240.16.64/26', gateway: '10.240.16.65' },
      { networkId: 'nweb', nodeId: 'n1', range: '10.240.16.128/26', gateway: '10.240.16.129' },
      { networkId: 'ndef', nodeId: 'n2', range: '10.240.32.64/26', gateway: '10.240.32.65' },
    ],
    networks,
    services: [db, other],
    tasks,
  };
}

void test('every task joins its environment network first, then the networks of its spec', () => {
  const needed = rangesNeeded(input());
  const key = (r: { networkId: string; nodeId: string }) => `${r.networkId}@${r.nodeId}`;
  // The failed task holds no container; the prod task joins prod's own default network.
  assert.deepEqual(needed.map(key).sort(), ['ndef@n1', 'ndef@n2', 'nprod@n3', 'nweb@n1', 'nweb@n2']);
  const plan = planNodeNetwork('n1', input());
  assert.ok(plan);
  const [first] = Object.values(plan.tasks);
  assert.deepEqual(first, [
    { networkId: 'ndef', aliases: [] },
    { networkId: 'nweb', aliases: ['database'] },
  ]);
  assert.deepEqual(plan.networks.map((n) => [n.id, n.range, n.gateway, n.peerRanges]), [
    ['ndef', '10.240.16.64/26', '10.240.16.65', ['10.240.32.64/26']],
    // Any range of the environment may come in: a task leaves by whichever network it routes through.
    ['nweb', '10.240.16.128/26', '10.240.16.129', ['10.240.32.64/26']],
  ]);
});

void test('a network whose range is not allocated yet is left out until it is', () => {
  const plan = planNodeNetwork('n2', input());
  assert.ok(plan);
  for (const attachments of Object.values(plan.tasks)) assert.deepEqual(attachments.map((a) => a.networkId), ['ndef']);
});

void test('peers: every other node with a subnet and an address other hosts can reach', () => {
  const plan = planNodeNetwork('n2', input());
  assert.ok(plan);
  assert.equal(plan.underlayIp, '10.0.0.1');
  assert.deepEqual(plan.peers.map((p) => [p.nodeId, p.underlayIp, p.subnet, p.nodeAddress]), [['n1', '10.201.1.2', '10.240.16.0/20', '10.240.16.0']]);
  assert.match(plan.peers[0]?.vtepMac ?? '', /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  assert.equal(planNodeNetwork('n3', input()), undefined, 'a node without a subnet has no plan yet');
});

void test('names and ingress: only the node environment, only running tasks with an address', () => {
  const plan = planNodeNetwork('n1', input());
  assert.ok(plan);
  assert.deepEqual(plan.dns.services.map((s) => [s.name, s.stack, s.env, s.aliases]), [['db', 'web', 'default', ['database']]]);
  const tasks = plan.dns.services[0]?.tasks ?? [];
  assert.deepEqual(tasks.filter((t) => t.running).map((t) => t.ip), ['10.240.16.66', '10.240.32.66']);
  assert.deepEqual(plan.ingress, [{ serviceId: 'sdb', serviceName: 'web_db', protocol: 'tcp', port: 8080, targetPort: 80, backends: ['10.240.16.66', '10.240.32.66'] }]);
});

void test('an unhealthy task is no backend and no answer', () => {
  const i = input();
  const first = i.tasks[0];
  assert.ok(first);
  first.status.health = 'unhealthy';
  const plan = planNodeNetwork('n1', i);
  assert.deepEqual(plan?.ingress[0]?.backends, ['10.240.32.66']);
  assert.equal(plan?.dns.services[0]?.tasks.find((t) => t.id === first.id)?.healthy, false);
});

void test('only changes a plan reads start a planning round', () => {
  const [a] = input().tasks;
  assert.ok(a);
  const change = (prev: typeof a | undefined, value: typeof a | undefined, kind: 'task' | 'secret' = 'task') => ({ kind, id: a.id, type: 'put' as const, ...(prev ? { prev } : {}), ...(value ? { value } : {}) });
  const starting = { ...a, status: { ...a.status, state: 'starting' as const, addresses: [] } };
  const preparing = { ...starting, status: { ...starting.status, state: 'preparing' as const } };
  assert.equal(changesNetworkPlans(change(preparing, starting)), false, 'preparing → starting changes nothing planned');
  assert.equal(changesNetworkPlans(change(starting, a)), true, 'running with an address does');
  assert.equal(changesNetworkPlans(change(a, { ...a, status: { ...a.status, health: 'unhealthy' } })), true, 'so does health');
  assert.equal(changesNetworkPlans(change(undefined, a)), true, 'a new task');
  assert.equal(changesNetworkPlans(change(a, undefined)), true, 'a deleted one');
  assert.equal(changesNetworkPlans(change(a, a, 'secret')), false, 'other kinds do not');
});

void test('a node\'s ingress report starts no planning round; its address does', () => {
  const [n] = input().nodes;
  assert.ok(n);
  const change = (prev: typeof n, value: typeof n) => ({ kind: 'node' as const, id: n.id, type: 'put' as const, prev, value });
  const reported = { ...n, version: n.version + 1, status: { ...n.status, ingress: { ports: [{ protocol: 'tcp' as const, port: 8080, backends: ['10.240.16.66'] }], errors: [], reportedAt: 'now' } } };
  assert.equal(changesNetworkPlans(change(n, reported)), false);
  assert.equal(changesNetworkPlans(change(reported, { ...reported, status: { ...reported.status, address: '10.201.1.3' } })), true);
  assert.equal(changesNetworkPlans(change(reported, { ...reported, env: 'prod' })), true);
});
