import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetfilterPlan } from './netfilter-plan.js';
import { normalisePlan } from './netfilter-plan.js';
import { renderNetfilterRules } from './netfilter-rules.js';

const plan: NetfilterPlan = {
  tag: 'n1',
  clusterCidr: '10.240.0.0/12',
  nodeSubnet: '10.240.16.0/20',
  overlayDevice: 'shoal.1',
  bridges: [
    { device: 'br-web', allowedSources: ['10.240.48.0/26', '10.240.32.0/26'] },
    { device: 'br-db', allowedSources: ['10.240.32.64/26'] },
  ],
  peerNodeAddresses: ['10.240.32.0', '10.240.48.0'],
};

test('the filter chain: replies, then each bridge from its own network on other nodes, then peer nodes, the rest from the overlay dropped', () => {
  const { filter } = renderNetfilterRules(normalisePlan(plan));
  assert.deepEqual(filter, {
    table: 'filter',
    chain: 'SHOAL-FWD-n1',
    parent: 'DOCKER-USER',
    grandparent: 'FORWARD',
    rules: [
      '-A SHOAL-FWD-n1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A SHOAL-FWD-n1 -s 10.240.32.64/26 -i shoal.1 -o br-db -j ACCEPT',
      '-A SHOAL-FWD-n1 -s 10.240.32.0/26 -i shoal.1 -o br-web -j ACCEPT',
      '-A SHOAL-FWD-n1 -s 10.240.48.0/26 -i shoal.1 -o br-web -j ACCEPT',
      '-A SHOAL-FWD-n1 -s 10.240.32.0/32 -i shoal.1 -j ACCEPT',
      '-A SHOAL-FWD-n1 -s 10.240.48.0/32 -i shoal.1 -j ACCEPT',
      '-A SHOAL-FWD-n1 -i shoal.1 -j DROP',
      '-A SHOAL-FWD-n1 -j RETURN',
    ],
  });
});

test('without an overlay device nothing is let in: replies and RETURN only', () => {
  const { overlayDevice: _, ...noOverlay } = plan;
  assert.deepEqual(renderNetfilterRules(normalisePlan(noOverlay)).filter.rules, [
    '-A SHOAL-FWD-n1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A SHOAL-FWD-n1 -j RETURN',
  ]);
});

test('the nat chain keeps cluster traffic unmasqueraded and masquerades the rest of the node subnet', () => {
  assert.deepEqual(renderNetfilterRules(normalisePlan(plan)).nat, {
    table: 'nat',
    chain: 'SHOAL-POST-n1',
    parent: 'POSTROUTING',
    rules: ['-A SHOAL-POST-n1 -s 10.240.16.0/20 -d 10.240.0.0/12 -j RETURN', '-A SHOAL-POST-n1 -s 10.240.16.0/20 -j MASQUERADE'],
  });
});

test('rendering does not depend on the order of the plan lists', () => {
  const shuffled = { ...plan, bridges: [...plan.bridges].reverse().map((b) => ({ ...b, allowedSources: [...b.allowedSources].reverse() })), peerNodeAddresses: [...plan.peerNodeAddresses].reverse() };
  assert.deepEqual(renderNetfilterRules(normalisePlan(shuffled)), renderNetfilterRules(normalisePlan(plan)));
});
