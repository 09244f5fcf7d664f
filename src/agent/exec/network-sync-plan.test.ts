import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shoalLabels, type EngineNetworkSpec } from './executor.js';
import { planNetworkSync, type EngineNetwork } from './network-sync-plan.js';

const owner = { nodeId: 'node1', clusterId: 'c1' };
const want = (id: string, subnet: string): EngineNetworkSpec => ({ name: `shoal-${id}`, networkId: id, bridge: `shl-${id}`, subnet, gateway: subnet.replace(/\d+\/\d+$/, (m) => String(Number(m.split('/')[0]) + 1)) });
const shoal = (name: string, subnet: string, node: string, cluster?: string, extra: Partial<EngineNetwork> = {}): EngineNetwork => ({
  id: `id-${name}`,
  name,
  subnets: [subnet],
  labels: { [shoalLabels.network]: name, [shoalLabels.node]: node, ...(cluster !== undefined ? { [shoalLabels.cluster]: cluster } : {}) },
  containers: [],
  ...extra,
});
const names = (nets: readonly { name: string }[]): string[] => nets.map((n) => n.name);

test('own networks are kept on their range and removed off it; unlabelled ones of this node count as its own', () => {
  const plan = planNetworkSync([want('a', '10.240.0.64/26'), want('b', '10.240.0.128/26')], [shoal('shoal-a', '10.240.0.64/26', 'node1', 'c1'), shoal('shoal-b', '10.240.1.128/26', 'node1'), shoal('shoal-z', '10.240.0.192/26', 'node1')], owner, {});
  assert.deepEqual(names(plan.removeOwn), ['shoal-b', 'shoal-z']);
  assert.deepEqual(names(plan.create), ['shoal-b']);
  assert.deepEqual(plan.removeLeftovers, []);
  assert.deepEqual(plan.conflicts, []);
});

test('in the way by range, name or bridge: an unused Shoal network of another node or cluster goes; others stay', () => {
  const engine = [
    shoal('old-range', '10.240.0.0/24', 'gone', 'c0'),
    shoal('shoal-b', '10.99.0.0/26', 'node2', 'c1'),
    shoal('old-bridge', '10.98.0.0/26', 'gone', undefined, { bridge: 'shl-c' }),
    shoal('far', '10.97.0.0/26', 'gone', 'c0'),
    shoal('same-node-other-cluster', '10.240.9.0/26', 'node1', 'c0'),
  ];
  const plan = planNetworkSync([want('a', '10.240.0.64/26'), want('b', '10.240.1.0/26'), want('c', '10.240.2.0/26'), want('d', '10.240.9.0/26')], engine, owner, {});
  assert.deepEqual(names(plan.removeLeftovers), ['old-range', 'shoal-b', 'old-bridge', 'same-node-other-cluster']);
  assert.deepEqual(names(plan.create), ['shoal-a', 'shoal-b', 'shoal-c', 'shoal-d']);
  assert.deepEqual(plan.removeOwn, []);
});

test('in the way and not removable: used, not Shoal\'s, or outside the scope; each says why', () => {
  const inScope = (n: EngineNetwork): EngineNetwork => ({ ...n, labels: { ...n.labels, run: 'mine' } });
  const engine = [
    inScope(shoal('used', '10.240.0.64/26', 'gone', 'c0', { containers: ['web.1.x'] })),
    inScope(shoal('ours-used', '10.240.1.0/26', 'node2', 'c1', { containers: ['db.1.y', 'db.2.z'] })),
    { id: 'lan', name: 'lan', subnets: ['10.240.2.0/23'], labels: {} },
    shoal('other-scope', '10.240.4.0/26', 'gone', 'c0', { labels: { [shoalLabels.network]: 'x', run: 'theirs' } }),
    inScope(shoal('before-labels', '10.240.5.0/26', 'gone', undefined, { containers: ['old.1.q'] })),
  ];
  const plan = planNetworkSync([want('a', '10.240.0.64/26'), want('b', '10.240.1.0/26'), want('c', '10.240.3.0/26'), want('d', '10.240.4.0/26'), want('e', '10.240.5.0/26')], engine, owner, { run: 'mine' });
  assert.deepEqual(plan.create, []);
  assert.deepEqual(plan.removeLeftovers, []);
  const why = Object.fromEntries(plan.conflicts.map((c) => [c.name, c.message]));
  assert.match(why['shoal-a'] ?? '', /^this node's range 10\.240\.0\.64\/26 overlaps network used \(10\.240\.0\.64\/26\), left by another Shoal cluster \(node gone\) and still used by container web\.1\.x: if that cluster is gone, remove them \(docker rm -f web\.1\.x\)/);
  assert.match(why['shoal-b'] ?? '', /left by node node2 of this cluster and still used by containers db\.1\.y, db\.2\.z/);
  assert.match(why['shoal-c'] ?? '', /overlaps network lan \(10\.240\.2\.0\/23\), which is not Shoal's: remove it, or start a new cluster with --cluster-cidr/);
  assert.match(why['shoal-d'] ?? '', /network other-scope \(10\.240\.4\.0\/26\), a Shoal network outside this agent's scope \(run\), which it leaves alone/);
  assert.match(why['shoal-e'] ?? '', /Shoal node gone \(of a cluster from before networks named their cluster\)/);
});
