import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalError } from '../../api/errors.js';
import type { NetfilterPlan } from './netfilter-plan.js';
import { chainNames, maxTagLength, normalisePlan } from './netfilter-plan.js';

const plan: NetfilterPlan = {
  tag: 'abcd1234',
  clusterCidr: '10.240.0.0/12',
  nodeSubnet: '10.240.16.0/20',
  overlayDevice: 'shoal.1',
  bridges: [
    { device: 'br-b', allowedSources: ['10.240.32.64/26', '10.240.48.64/26', '10.240.32.64/26'] },
    { device: 'br-a', allowedSources: ['10.240.48.0/26', '10.240.32.0/26'] },
  ],
  peerNodeAddresses: ['10.240.48.0', '10.240.32.0/32'],
};

const fieldOf = (p: unknown): string | undefined => {
  try {
    normalisePlan(p as NetfilterPlan);
  } catch (err) {
    assert.ok(err instanceof ShoalError);
    assert.equal(err.code, 'invalid_argument');
    return err.field;
  }
  return undefined;
};

test('normalisePlan sorts bridges, sources and peers, drops duplicates and writes peers as /32', () => {
  assert.deepEqual(normalisePlan(plan), {
    tag: 'abcd1234',
    clusterCidr: '10.240.0.0/12',
    nodeSubnet: '10.240.16.0/20',
    overlayDevice: 'shoal.1',
    bridges: [
      { device: 'br-a', allowedSources: ['10.240.32.0/26', '10.240.48.0/26'] },
      { device: 'br-b', allowedSources: ['10.240.32.64/26', '10.240.48.64/26'] },
    ],
    peerNodeAddresses: ['10.240.32.0/32', '10.240.48.0/32'],
  });
  // Sorting is by address, not text: 10.240.9.0 comes before 10.240.10.0.
  assert.deepEqual(normalisePlan({ ...plan, peerNodeAddresses: ['10.240.10.0', '10.240.9.0'] }).peerNodeAddresses, ['10.240.9.0/32', '10.240.10.0/32']);
});

test('normalisePlan keeps a plan without overlay device without the key', () => {
  const { overlayDevice: _, ...rest } = plan;
  assert.equal('overlayDevice' in normalisePlan(rest), false);
});

test('normalisePlan names the field of each bad value', () => {
  assert.equal(fieldOf({ ...plan, tag: '' }), 'netfilter.tag');
  assert.equal(fieldOf({ ...plan, tag: 'x'.repeat(maxTagLength + 1) }), 'netfilter.tag');
  assert.equal(fieldOf({ ...plan, tag: 'a b' }), 'netfilter.tag');
  assert.equal(fieldOf({ ...plan, clusterCidr: '10.240.0.0' }), 'netfilter.clusterCidr');
  assert.equal(fieldOf({ ...plan, nodeSubnet: '10.240.16.5/20' }), 'netfilter.nodeSubnet', 'host bits set');
  assert.equal(fieldOf({ ...plan, nodeSubnet: '10.0.16.0/20' }), 'netfilter.nodeSubnet', 'outside the cluster');
  assert.equal(fieldOf({ ...plan, overlayDevice: '-j' }), 'netfilter.overlayDevice');
  assert.equal(fieldOf({ ...plan, overlayDevice: 'a-very-long-name0' }), 'netfilter.overlayDevice');
  assert.equal(fieldOf({ ...plan, bridges: [{ device: 'br+', allowedSources: [] }] }), 'netfilter.bridges[0].device');
  assert.equal(fieldOf({ ...plan, bridges: [{ device: 'br0', allowedSources: ['10.240.32.0/26', 'x'] }] }), 'netfilter.bridges[0].allowedSources[1]');
  assert.equal(fieldOf({ ...plan, bridges: [{ device: 'br0', allowedSources: [] }, { device: 'br0', allowedSources: [] }] }), 'netfilter.bridges[1].device');
  assert.equal(fieldOf({ ...plan, bridges: [{ device: 'shoal.1', allowedSources: [] }] }), 'netfilter.bridges[0].device');
  assert.equal(fieldOf({ ...plan, peerNodeAddresses: ['10.240.48.0/24'] }), 'netfilter.peerNodeAddresses[0]');
  assert.equal(fieldOf({ ...plan, extra: 1 }), 'netfilter');
});

test('chain names stay within the 28 characters iptables allows', () => {
  const names = chainNames('x'.repeat(maxTagLength));
  assert.deepEqual(names, { forward: `SHOAL-FWD-${'x'.repeat(17)}`, postrouting: `SHOAL-POST-${'x'.repeat(17)}` });
  assert.ok(names.postrouting.length <= 28);
});
