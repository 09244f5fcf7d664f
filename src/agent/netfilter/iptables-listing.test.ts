import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnconditionalVerdict, parseIptablesListing } from './iptables-listing.js';

test('parseIptablesListing keeps built-in and user chains, empty ones too, with rules in order', () => {
  const l = parseIptablesListing(
    ['-P INPUT ACCEPT', '-P FORWARD DROP', '-N DOCKER-USER', '-N EMPTY', '-A FORWARD -j DOCKER-USER', '-A FORWARD  -o docker0 -j DOCKER ', '-A DOCKER-USER -j RETURN', ''].join('\n'),
  );
  assert.deepEqual([...l.chains.keys()], ['INPUT', 'FORWARD', 'DOCKER-USER', 'EMPTY']);
  assert.deepEqual(l.chains.get('FORWARD'), ['-A FORWARD -j DOCKER-USER', '-A FORWARD -o docker0 -j DOCKER']);
  assert.deepEqual(l.chains.get('EMPTY'), []);
  assert.equal(l.chains.get('MISSING'), undefined);
});

test('isUnconditionalVerdict: only a verdict with no match before it', () => {
  assert.equal(isUnconditionalVerdict('-A DOCKER-USER -j RETURN'), true);
  assert.equal(isUnconditionalVerdict('-A X -j REJECT --reject-with icmp-port-unreachable'), true);
  assert.equal(isUnconditionalVerdict('-A X -i eth0 -j RETURN'), false);
  assert.equal(isUnconditionalVerdict('-A X -j SHOAL-FWD-a'), false);
});
