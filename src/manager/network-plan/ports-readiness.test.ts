import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeIngressStatus } from '../../api/ingress-status.js';
import { dockerNetworkName, type NetworkObject } from '../../api/networks.js';
import type { NodeObject } from '../../api/objects.js';
import { makeNode, makeService, makeTask } from '../orchestrator/fixtures.test-util.js';
import { portsReadiness } from './ports-readiness.js';

const networks: NetworkObject[] = [{ id: 'ndef', env: 'default', version: 1, name: 'default', createdAt: '', updatedAt: '', labels: {} }];
const web = makeService('sweb', { image: 'x', replicas: 2, ports: [{ target: 80, published: 8080, mode: 'ingress', protocol: 'tcp' }] }, { name: 'web' });
const at = (ip: string) => ({ addresses: [{ network: dockerNetworkName('ndef'), ip }] });
const running = [makeTask(web, { nodeId: 'n1', slot: 1, status: at('10.240.16.66') }), makeTask(web, { nodeId: 'n2', slot: 2, status: at('10.240.32.66') })];

function nodeWith(id: string, ingress: NodeIngressStatus | undefined, over: { state?: 'ready' | 'down'; env?: string } = {}): NodeObject {
  const node = makeNode(id, over);
  return ingress ? { ...node, status: { ...node.status, ingress } } : node;
}
const serving = (backends: string[]): NodeIngressStatus => ({ ports: [{ protocol: 'tcp', port: 8080, backends }], errors: [], reportedAt: 'now' });

test('ready on a node once the port is bound and routed to exactly the running tasks', () => {
  const nodes = [nodeWith('n1', serving(['10.240.32.66', '10.240.16.66'])), nodeWith('n2', serving(['10.240.16.66']))];
  const r = portsReadiness({ service: web, tasks: running, networks, nodes });
  assert.deepEqual(r, { nodes: 2, ready: 1, waiting: [{ nodeId: 'n2', hostname: 'n2', reason: 'port 8080/tcp routes to 1 of 2 running tasks' }] });
  // A backend that is gone (an old task) still routed is not the current routing either.
  const stale = portsReadiness({ service: web, tasks: running, networks, nodes: [nodeWith('n1', serving(['10.240.16.66', '10.240.32.66', '10.240.48.66']))] });
  assert.equal(stale?.ready, 0);
});

test('reasons: nothing reported since the agent connected, port not open, no task yet, bind error', () => {
  const reasonOn = (ingress: NodeIngressStatus, tasks = running) => portsReadiness({ service: web, tasks, networks, nodes: [nodeWith('n1', ingress)] })?.waiting[0];
  assert.equal(reasonOn({ ports: [], errors: [] })?.reason, 'its agent has not applied the ingress rules since it connected');
  assert.equal(reasonOn({ ports: [], errors: [], reportedAt: 'now' })?.reason, 'port 8080/tcp is not open yet');
  const starting = running.map((t) => ({ ...t, status: { ...t.status, state: 'starting' as const } }));
  assert.equal(reasonOn(serving([]), starting)?.reason, 'port 8080/tcp: no task is running and healthy yet');
  const inUse = reasonOn({ ports: [], errors: [{ protocol: 'tcp', port: 8080, message: 'cannot bind 0.0.0.0:8080/tcp for service web: EADDRINUSE' }], reportedAt: 'now' });
  assert.deepEqual(inUse, { nodeId: 'n1', hostname: 'n1', reason: 'port 8080/tcp: cannot bind 0.0.0.0:8080/tcp for service web: EADDRINUSE', failed: true });
});

test('only ready nodes of the service\'s environment that run the ingress count', () => {
  const nodes = [
    nodeWith('n1', serving(['10.240.16.66', '10.240.32.66'])),
    nodeWith('down', { ports: [], errors: [] }, { state: 'down' }),
    nodeWith('prod', { ports: [], errors: [] }, { env: 'prod' }),
    nodeWith('simulated', undefined),
  ];
  assert.deepEqual(portsReadiness({ service: web, tasks: running, networks, nodes }), { nodes: 1, ready: 1, waiting: [] });
});

test('a service without ingress ports has no readiness to wait for', () => {
  const hostMode = makeService('shost', { image: 'x', ports: [{ target: 80, published: 8080, mode: 'host', protocol: 'tcp' }] });
  assert.equal(portsReadiness({ service: hostMode, tasks: [], networks, nodes: [nodeWith('n1', serving([]))] }), undefined);
  assert.equal(portsReadiness({ service: makeService('splain', { image: 'x' }), tasks: [], networks, nodes: [] }), undefined);
});
