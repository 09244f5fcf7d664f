import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIptablesListing } from './iptables-listing.js';
import { diffChain, diffRemoval, restoreText } from './netfilter-diff.js';
import type { ChainRules } from './netfilter-rules.js';

const fwd: ChainRules = { table: 'filter', chain: 'SHOAL-FWD-a', parent: 'DOCKER-USER', grandparent: 'FORWARD', rules: ['-A SHOAL-FWD-a -j RETURN'] };
const post: ChainRules = { table: 'nat', chain: 'SHOAL-POST-a', parent: 'POSTROUTING', rules: ['-A SHOAL-POST-a -s 10.240.16.0/20 -j MASQUERADE'] };
const listing = (...lines: string[]) => parseIptablesListing(lines.join('\n'));
const docker = ['-P FORWARD DROP', '-N DOCKER-USER', '-N DOCKER', '-A FORWARD -j DOCKER-USER', '-A FORWARD -o docker0 -j DOCKER', '-A DOCKER-USER -j RETURN'];

test('on a fresh namespace: creates DOCKER-USER, its jump from FORWARD, our chain and its jump', () => {
  assert.deepEqual(diffChain(fwd, listing('-P FORWARD ACCEPT')), [
    ':SHOAL-FWD-a - [0:0]',
    ':DOCKER-USER - [0:0]',
    '-A SHOAL-FWD-a -j RETURN',
    '-I FORWARD 1 -j DOCKER-USER',
    '-I DOCKER-USER 1 -j SHOAL-FWD-a',
  ]);
});

test("with Docker's chains: only our chain and a jump at the top of DOCKER-USER", () => {
  assert.deepEqual(diffChain(fwd, listing(...docker)), [':SHOAL-FWD-a - [0:0]', '-A SHOAL-FWD-a -j RETURN', '-I DOCKER-USER 1 -j SHOAL-FWD-a']);
});

test('nothing when the chain and its one jump are in place', () => {
  const have = listing(...docker, '-N SHOAL-FWD-a', '-A SHOAL-FWD-a -j RETURN');
  have.chains.get('DOCKER-USER')?.unshift('-A DOCKER-USER -j SHOAL-FWD-a');
  assert.deepEqual(diffChain(fwd, have), []);
});

test('a chain with other rules is flushed and refilled (the :CHAIN line flushes), its jump left alone', () => {
  const have = listing(...docker, '-N SHOAL-FWD-a', '-A SHOAL-FWD-a -j ACCEPT');
  have.chains.get('DOCKER-USER')?.unshift('-A DOCKER-USER -j SHOAL-FWD-a');
  assert.deepEqual(diffChain(fwd, have), [':SHOAL-FWD-a - [0:0]', '-A SHOAL-FWD-a -j RETURN']);
});

test('a jump after an unconditional RETURN, or duplicated, is moved to the top', () => {
  const late = listing(...docker, '-A DOCKER-USER -j SHOAL-FWD-a', '-N SHOAL-FWD-a', '-A SHOAL-FWD-a -j RETURN');
  assert.deepEqual(diffChain(fwd, late), ['-D DOCKER-USER -j SHOAL-FWD-a', '-I DOCKER-USER 1 -j SHOAL-FWD-a']);
  const twice = listing('-P POSTROUTING ACCEPT', '-N SHOAL-POST-a', '-A POSTROUTING -j SHOAL-POST-a', '-A POSTROUTING -j SHOAL-POST-a', ...post.rules);
  assert.deepEqual(diffChain(post, twice), ['-D POSTROUTING -j SHOAL-POST-a', '-D POSTROUTING -j SHOAL-POST-a', '-I POSTROUTING 1 -j SHOAL-POST-a']);
});

test("other agents' jumps before ours are fine: no fight over position 1", () => {
  const have = listing('-P POSTROUTING ACCEPT', '-N SHOAL-POST-b', '-N SHOAL-POST-a', '-A POSTROUTING -j SHOAL-POST-b', '-A POSTROUTING -j SHOAL-POST-a', ...post.rules);
  assert.deepEqual(diffChain(post, have), []);
});

test('diffRemoval deletes every plain jump in any chain, then flushes and deletes the chain', () => {
  const have = listing(...docker, '-N SHOAL-FWD-a', '-N SHOAL-FWD-b', '-A FORWARD -j SHOAL-FWD-a', '-A DOCKER-USER -j SHOAL-FWD-a', '-A DOCKER-USER -j SHOAL-FWD-b', '-A SHOAL-FWD-a -j RETURN');
  assert.deepEqual(diffRemoval('SHOAL-FWD-a', have), ['-D FORWARD -j SHOAL-FWD-a', '-D DOCKER-USER -j SHOAL-FWD-a', '-F SHOAL-FWD-a', '-X SHOAL-FWD-a']);
  assert.deepEqual(diffRemoval('SHOAL-FWD-c', have), []);
});

test('restoreText writes one section per table with lines, none for empty ones', () => {
  assert.equal(restoreText([{ table: 'filter', lines: [] }, { table: 'nat', lines: ['-F X'] }]), '*nat\n-F X\nCOMMIT\n');
  assert.equal(restoreText([{ table: 'filter', lines: [] }]), '');
});
