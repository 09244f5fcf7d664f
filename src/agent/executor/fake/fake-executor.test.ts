import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executorContract, makeTestTask } from '../../../../test/executor-contract.js';
import type { Executor } from '../../exec/executor.js';
import { FakeExecutor, fakeBridgeAddress } from './fake-executor.js';

const images = { run: 'fake/app:1', crash: 'fake/crash:1', missing: 'fake/missing:1' } as const;

const fake = (ex: Executor): FakeExecutor => {
  assert.ok(ex instanceof FakeExecutor);
  return ex;
};

executorContract('fake', () => new FakeExecutor(), (kind, spec) => makeTestTask({ image: images[kind], ...spec }), {
  commandLine: (ex, id) => Promise.resolve(fake(ex).commandLineOf(id)),
  file: async (ex, id, path) => {
    const f = await fake(ex).fileAt(id, path);
    return f && { content: f.data.toString('utf8'), mode: f.mode, uid: f.uid, writable: !f.readOnly };
  },
  defaultNetwork: () => Promise.resolve({ name: 'bridge', subnet: '172.17.0.0/16' }),
  addNetwork: (ex, name, subnet, labels) => Promise.resolve(fake(ex).addEngineNetwork(name, subnet, labels)),
  networks: (ex) => Promise.resolve(fake(ex).engineNetworkList()),
  removeNetwork: (ex, name) => Promise.resolve(fake(ex).removeEngineNetwork(name)),
});

void test('fake: addresses follow start order on 172.17.0.0/16', () => {
  assert.deepEqual([0, 1, 253, 254, 65_532, 65_533].map(fakeBridgeAddress), ['172.17.0.2', '172.17.0.3', '172.17.0.255', '172.17.1.0', '172.17.255.254', '172.17.0.2']);
});

void test('fake: a stubborn container is killed after the grace period', async () => {
  const ex = new FakeExecutor();
  const id = await ex.prepare(makeTestTask({ image: 'fake/stubborn:1' }), 'n1');
  await ex.start(id);
  const t0 = Date.now();
  await ex.shutdown(id, 'SIGTERM', 100);
  assert.ok(Date.now() - t0 >= 90);
  assert.equal((await ex.inspect(id))?.exitCode, 137);
});

void test('fake: follow streams lines printed later and ends at exit', async () => {
  const ex = new FakeExecutor();
  const id = await ex.prepare(makeTestTask({ image: 'fake/app:1' }), 'n1');
  await ex.start(id);
  const texts: string[] = [];
  const reading = (async () => {
    for await (const line of ex.logs(id, { follow: true })) texts.push(line.text);
  })();
  ex.print(id, 'hello');
  ex.crash(id, 1);
  await reading;
  assert.deepEqual(texts, ['started fake/app:1', 'hello']);
});
