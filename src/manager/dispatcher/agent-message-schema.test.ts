import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAgentMessage } from './agent-message-schema.js';

const running = (addresses: unknown): string =>
  JSON.stringify({ type: 'status', updates: [{ taskId: 't1', status: { state: 'running', message: 'started', timestamp: '2026-12-01T12:00:00Z', addresses } }] });

const addressesOf = (raw: string): unknown => {
  const msg = parseAgentMessage(raw);
  assert.equal(msg?.type, 'status');
  return msg.type === 'status' ? msg.updates[0]?.status.addresses : undefined;
};

test('task addresses are accepted as network and IPv4', () => {
  const addresses = [{ network: 'bridge', ip: '172.17.0.3' }, { network: 'web_default', ip: '10.0.1.4' }];
  assert.deepEqual(addressesOf(running(addresses)), addresses);
  assert.equal(addressesOf(running(undefined)), undefined, 'the field is optional');
});

test('an address that is not a dotted quad is dropped, the rest of the message kept', () => {
  const good = { network: 'bridge', ip: '172.17.0.3' };
  const bad = [
    { network: 'bridge', ip: '172.17.0' },
    { network: 'bridge', ip: '256.1.1.1' },
    { network: 'bridge', ip: 'fe80::1' },
    { network: 'bridge', ip: '172.17.0.3\n' },
    { network: 'bridge', ip: 3 },
    { network: '', ip: '10.0.0.1' },
    { network: 'x'.repeat(201), ip: '10.0.0.1' },
    { ip: '10.0.0.1' },
    '10.0.0.1',
    null,
  ];
  assert.deepEqual(addressesOf(running([...bad, good])), [good]);
});

test('addresses that are not a list, or too many, refuse the message without throwing', () => {
  assert.equal(parseAgentMessage(running('172.17.0.3')), undefined);
  assert.equal(parseAgentMessage(running({ network: 'bridge', ip: '172.17.0.3' })), undefined);
  assert.equal(parseAgentMessage(running(Array.from({ length: 65 }, () => ({ network: 'bridge', ip: '172.17.0.3' })))), undefined);
});

test('an ingress report: ports with IPv4 backends and errors; anything else refuses the message', () => {
  const report = { type: 'ingress', ports: [{ protocol: 'tcp', port: 8080, backends: ['10.240.16.66'] }], errors: [{ protocol: 'udp', port: 53, message: 'in use' }] };
  assert.deepEqual(parseAgentMessage(JSON.stringify(report)), report);
  for (const bad of [
    { ...report, ports: [{ protocol: 'sctp', port: 8080, backends: [] }] },
    { ...report, ports: [{ protocol: 'tcp', port: 0, backends: [] }] },
    { ...report, ports: [{ protocol: 'tcp', port: 8080, backends: ['db'] }] },
    { ...report, errors: [{ protocol: 'tcp', port: 8080 }] },
    { type: 'ingress', ports: [] },
  ]) {
    assert.equal(parseAgentMessage(JSON.stringify(bad)), undefined, JSON.stringify(bad));
  }
});
