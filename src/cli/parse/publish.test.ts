import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPort, parsePublish, publishMatcher } from './publish.js';

test('short form', () => {
  assert.deepEqual(parsePublish('8080:80'), { published: 8080, target: 80, protocol: 'tcp', mode: 'ingress' });
  assert.deepEqual(parsePublish('8080:80/udp'), { published: 8080, target: 80, protocol: 'udp', mode: 'ingress' });
  assert.deepEqual(parsePublish('80'), { target: 80, protocol: 'tcp', mode: 'host' });
});

test('long form', () => {
  assert.deepEqual(parsePublish('published=8080,target=80,protocol=udp,mode=host'), {
    published: 8080,
    target: 80,
    protocol: 'udp',
    mode: 'host',
  });
  assert.deepEqual(parsePublish('target=80,mode=ingress'), { target: 80, protocol: 'tcp', mode: 'ingress' });
});

test('errors name the bad part', () => {
  assert.throws(() => parsePublish('80:abc'), { message: '"abc" is not a valid port' });
  assert.throws(() => parsePublish('0:80'), { message: '"0" is not a valid port' });
  assert.throws(() => parsePublish('70000:80'), { message: '"70000" is not a valid port' });
  assert.throws(() => parsePublish('8080:80/sctp'), /not a valid protocol/);
  assert.throws(() => parsePublish('1:2:3'), /not a port mapping/);
  assert.throws(() => parsePublish('published=8080'), /target= is required/);
  assert.throws(() => parsePublish('target=80,foo=1'), /unknown field "foo"/);
  assert.throws(() => parsePublish('target=80,mode=bridge'), /not a valid mode/);
});

test('--publish-rm matches by published or target port', () => {
  const ports = [parsePublish('8080:80'), parsePublish('9090:90/udp')];
  assert.deepEqual(ports.filter(publishMatcher('8080')).length, 1);
  assert.deepEqual(ports.filter(publishMatcher('80')).length, 1);
  assert.deepEqual(ports.filter(publishMatcher('90/tcp')).length, 0);
  assert.deepEqual(ports.filter(publishMatcher('9090:90/udp')).length, 1);
  assert.equal(formatPort(parsePublish('8080:80')), '*:8080->80/tcp');
});
