import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
// eslint-disable-next-line no-restricted-imports -- deliberately without the factory's redaction: the test checks no log call gets a token at all
import { pino, type Logger } from 'pino';
import { startAgent, type RunningAgent } from '../src/agent/agent.js';
import { FakeExecutor } from '../src/agent/executor/fake/fake-executor.js';
import { newKeyAndCsr } from '../src/agent/join/csr.js';
import { readIdentity } from '../src/agent/join/identity-files.js';
import { formatJoinToken, parseJoinToken } from '../src/lib/pki/join-token-format.js';
import { generateKeyPair, privateKeyToPem } from '../src/lib/pki/keys.js';
import { issueCertificate } from '../src/manager/ca/issue-certificate.js';
import { createRootCa } from '../src/manager/ca/root-ca.js';
import { ManagerProcess } from './harness/manager-process.js';
import { sleep, waitFor } from './harness/wait.js';

const scratch = mkdtempSync(join(tmpdir(), 'shoal-sec-'));
const agentLogs: string[] = [];
const agents: RunningAgent[] = [];

function captureLogger(): Logger {
  return pino({ level: 'debug' }, { write: (s: string) => void agentLogs.push(s) });
}

async function joinAgent(m: ManagerProcess, name: string, token?: string): Promise<RunningAgent> {
  const agent = await startAgent({ managerAddress: m.agentAddress, ...(token ? { token } : {}), dataDir: join(scratch, name), executor: new FakeExecutor({ hostname: name }), logger: captureLogger(), hostname: name });
  agents.push(agent);
  return agent;
}

/** One HTTP request over TLS, raw: the answer, or what happened to the connection. */
function tlsRequest(port: number, options: ConnectionOptions, request: string): Promise<{ answer: string; error?: string }> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => socket.write(request));
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', (err: Error) => resolve({ answer, error: err.message }));
    socket.on('close', () => resolve({ answer }));
  });
}

const post = (path: string, body: string): string => `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
const nodeNamed = async (m: ManagerProcess, name: string) => (await m.client.listNodes()).find((n) => n.hostname === name);

after(async () => {
  await Promise.all(agents.map((a) => a.stop().catch(() => undefined)));
  rmSync(scratch, { recursive: true, force: true });
});

void describe('cluster security: join, mutual TLS, rotation, removal', () => {
  // The default heartbeat period: 300 ms (down after 900 ms of silence) marks a node down, and
  // a test reading it once sees `down`, whenever a loaded machine stalls an agent that long.
  const m = new ManagerProcess();
  let tokens: { worker: string; manager: string };
  let first: RunningAgent;

  before(async () => {
    await m.start();
    tokens = m.tokens();
    first = await joinAgent(m, 'sec-first', tokens.worker);
    await waitFor('first node ready', async () => (await nodeNamed(m, 'sec-first'))?.status.state === 'ready');
  });
  after(() => m.destroy());

  test('the agent keeps a 0600 key, its certificate and the CA; node id and role come from the certificate', async () => {
    const identity = await readIdentity(join(scratch, 'sec-first'));
    assert.equal(identity?.nodeId, first.nodeId());
    assert.equal(identity?.role, 'worker');
    const node = await nodeNamed(m, 'sec-first');
    assert.equal(node?.certificate?.serial, identity?.serial);
  });

  test('wrong, malformed and other-cluster tokens are refused with a clear message and store nothing', async () => {
    const before = (await m.client.listNodes()).length;
    const secret = parseJoinToken(tokens.worker)?.secret ?? '';
    const caHash = parseJoinToken(tokens.worker)?.caHash ?? '';
    await assert.rejects(joinAgent(m, 'sec-bad1', 'SHOAL-1-garbage'), /malformed/);
    await assert.rejects(joinAgent(m, 'sec-bad2', formatJoinToken(caHash, 'a'.repeat(32))), /not a current join token of this cluster/);
    await assert.rejects(joinAgent(m, 'sec-bad3', formatJoinToken('0'.repeat(64), secret)), /CA .* is not the one the join token names/);
    const { csrPem } = await newKeyAndCsr('raw');
    const raw = await tlsRequest(m.agentPort, {}, post('/v1/join', JSON.stringify({ token: 'nope', csr: csrPem })));
    assert.match(raw.answer, /^HTTP\/1.1 401/);
    assert.match(raw.answer, /"field":"token"/);
    assert.equal((await m.client.listNodes()).length, before);
  });

  test('garbage on the agent port gets a 4xx or a closed connection, and the manager carries on', async () => {
    // Plain HTTP on the TLS port is refused at once; a stalled handshake is simply dropped later.
    await new Promise<void>((resolve) => {
      const s = netConnect(m.agentPort, '127.0.0.1', () => s.write('GET /v1/nodes HTTP/1.1\r\nhost: x\r\n\r\n'));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
    const stalled = netConnect(m.agentPort, '127.0.0.1', () => stalled.write(Buffer.from('\x16\x03\x01garbage\x00\xff'.repeat(50), 'binary')));
    stalled.on('error', () => undefined);
    await sleep(200);
    stalled.destroy();
    const notJson = await tlsRequest(m.agentPort, {}, post('/v1/join', '{not json'));
    assert.match(notJson.answer, /^HTTP\/1.1 400[\s\S]*"field":"body"/);
    const huge = await tlsRequest(m.agentPort, {}, post('/v1/join', JSON.stringify({ token: 'x'.repeat(100_000) })));
    assert.match(huge.answer, /^HTTP\/1.1 413/);
    const rest = await tlsRequest(m.agentPort, {}, 'GET /v1/nodes HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    assert.match(rest.answer, /^HTTP\/1.1 404[\s\S]*REST API is on the API port/, 'the REST API is not served on the agent port');
    const session = await tlsRequest(m.agentPort, {}, 'GET /v1/agent/session HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n');
    assert.match(session.answer, /^HTTP\/1.1 401/, 'no session without a client certificate');
    await m.client.health();
  });

  test('a client certificate from a foreign CA is refused at TLS', async () => {
    const foreign = await createRootCa(join(scratch, 'foreign-ca'));
    const keys = await generateKeyPair();
    const cert = await issueCertificate(foreign, { publicKey: keys.publicKey, nodeId: first.nodeId() ?? 'x', role: 'manager', lifetimeMs: 60_000 });
    const { csrPem } = await newKeyAndCsr('f');
    const res = await tlsRequest(m.agentPort, { key: await privateKeyToPem(keys.privateKey), cert: cert.certificatePem }, post('/v1/node/certificate', JSON.stringify({ csr: csrPem })));
    assert.equal(res.answer, '', 'the connection is closed before any request is answered');
    // The refusal is logged when the handshake ends, which may be after the client saw the close.
    await waitFor('the refusal in the manager log', () => /client certificate refused \(not issued by this cluster's CA/.test(m.stdout), 10_000);
  });

  test('rotation: the old token no longer joins; a joined node keeps working, also after a manager restart', async () => {
    const rotated = await m.client.rotateJoinToken('worker');
    assert.notEqual(rotated.token, tokens.worker);
    assert.equal((await m.client.showJoinToken('worker')).token, rotated.token);
    await assert.rejects(joinAgent(m, 'sec-old-token', tokens.worker), /wrong, or rotated/);
    await joinAgent(m, 'sec-new-token', rotated.token);
    await waitFor('node with the new token ready', async () => (await nodeNamed(m, 'sec-new-token'))?.status.state === 'ready');
    assert.equal((await nodeNamed(m, 'sec-first'))?.status.state, 'ready');
    await m.stop();
    await m.start();
    assert.ok(!/worker:\s+SHOAL/.test(m.stderr.split('API on').at(-1) ?? ''), 'tokens are shown on the first start only');
    await waitFor('first node back after the restart', async () => {
      const n = await nodeNamed(m, 'sec-first');
      return n?.status.state === 'ready' && Date.parse(n.status.timestamp) > Date.now() - 20_000;
    }, 30_000);
    tokens = { ...tokens, worker: rotated.token };
  });

  test('node rm: refused while ready unless forced; the session closes and the certificate is refused from then on', async () => {
    const victim = await joinAgent(m, 'sec-victim', tokens.worker);
    await waitFor('victim ready', async () => (await nodeNamed(m, 'sec-victim'))?.status.state === 'ready');
    const id = victim.nodeId() ?? '';
    await assert.rejects(m.client.removeNode(id), /is ready/);
    const removed = await m.client.removeNode(id, { force: true });
    assert.equal(removed.id, id);
    assert.ok(removed.revokedSerial);
    await sleep(2000);
    assert.equal(await nodeNamed(m, 'sec-victim'), undefined, 'the node does not come back');
    const identity = await readIdentity(join(scratch, 'sec-victim'));
    assert.ok(identity);
    const { csrPem } = await newKeyAndCsr('v');
    const res = await tlsRequest(m.agentPort, { key: identity.keyPem, cert: identity.certificatePem }, post('/v1/node/certificate', JSON.stringify({ csr: csrPem })));
    assert.equal(res.answer, '', 'refused at TLS');
    await waitFor('the refusal in the manager log', () => /client certificate refused \(node removed from the cluster\)/.test(m.stdout), 10_000);
    await assert.rejects(m.client.removeNode(id), /not found/);
  });

  test('join tokens and private keys never appear in the logs', () => {
    const secrets = [tokens.worker, tokens.manager].map((t) => parseJoinToken(t)?.secret ?? 'x');
    const logs = `${m.stdout}\n${agentLogs.join('')}`;
    for (const s of secrets) assert.ok(!logs.includes(s), 'a token secret was logged');
    assert.ok(!logs.includes('PRIVATE KEY'), 'a private key was logged');
    const leaked = m.stdout.split('\n').filter((l) => /SHOAL-1-[0-9a-f]{64}/.test(l));
    assert.deepEqual(leaked, [], 'the JSON log holds no token');
  });
});

void describe('certificate renewal with a 3 s lifetime', () => {
  const m = new ManagerProcess(['--cert-expiry', '3s']);
  before(() => m.start());
  after(() => m.destroy());

  test('the agent renews several times, stays connected, and its serial changes', async () => {
    const agent = await joinAgent(m, 'sec-renew', m.tokens().worker);
    const first = await waitFor('renewing node ready', async () => {
      const n = await nodeNamed(m, 'sec-renew');
      return n?.status.state === 'ready' ? n : undefined;
    });
    // Renewals at 2/3 of a 3 s lifetime: wait for two (three serials), however long the machine
    // takes, checking at every look that the session never dropped (a new session rewrites the
    // node's status, and its time).
    const serials = new Set<string>();
    const seen = new Set<string>();
    await waitFor('two renewals', async () => {
      const node = await nodeNamed(m, 'sec-renew');
      if (!node) return false;
      seen.add(`${node.status.state} since ${node.status.timestamp}`);
      if (node.certificate) serials.add(node.certificate.serial);
      return serials.size >= 3;
    }, 60_000, 250);
    assert.deepEqual([...seen], [`ready since ${first.status.timestamp}`], 'stays connected across renewals');
    const identity = await readIdentity(join(scratch, 'sec-renew'));
    assert.equal(identity?.nodeId, agent.nodeId());
    // The renewed certificate was saved (whether it is still current depends on the machine's speed).
    assert.ok((identity?.notAfter.getTime() ?? 0) > Date.parse(first.certificate?.notAfter ?? ''), 'the stored certificate is a renewed one');
  });
});
