import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteStore } from '../store/sqlite-store.js';
import type { RequestContext } from './request-context.js';
import { ServiceApi, serviceWithSpec } from './services.js';

const ctx: RequestContext = { actor: 't', env: 'default' };
const code = (c: string, field?: string) => (e: Error & { code?: string; field?: string }) => e.code === c && (field === undefined || e.field === field);

test('upgrade records the previous spec and waits; a second one, update and rollback are refused until confirm', async () => {
  const services = new ServiceApi(new SqliteStore(':memory:'));
  const created = await services.create(ctx, { name: 'web', spec: { image: 'app:1', replicas: 2 } });
  await assert.rejects(services.confirmUpgrade(ctx, 'web'), code('failed_precondition'));
  await assert.rejects(services.rollbackUpgrade(ctx, 'web'), code('failed_precondition'));
  await assert.rejects(services.upgrade(ctx, 'web', { spec: { image: 'app:1', replicas: 5 } }), code('invalid_argument', 'spec'), 'nothing the tasks run changed');
  await assert.rejects(services.upgrade(ctx, 'web', { spec: { image: 'app:2', mode: 'global' } }), code('invalid_argument', 'spec.mode'));
  await assert.rejects(services.upgrade(ctx, 'web', { spec: { image: 7 } }), code('invalid_argument', 'spec.image'));
  await assert.rejects(services.upgrade(ctx, 'nope', { spec: { image: 'app:2' } }), code('not_found'));

  const up = await services.upgrade(ctx, 'web', { spec: { image: 'app:2', replicas: 2 } });
  assert.equal(up.specVersion, created.specVersion + 1);
  assert.equal(up.upgrade?.state, 'upgrading');
  assert.equal(up.upgrade.previousSpec.image, 'app:1');
  assert.equal(up.upgrade.previousSpecVersion, created.specVersion);
  assert.equal(up.updateStatus?.state, 'updating');
  await assert.rejects(services.upgrade(ctx, 'web', { spec: { image: 'app:3' } }), code('failed_precondition'));
  await assert.rejects(services.update(ctx, 'web', { spec: { image: 'app:3' } }), code('failed_precondition'));
  await assert.rejects(services.rollback(ctx, 'web'), code('failed_precondition'));
  assert.throws(() => serviceWithSpec(up, { ...up.spec, image: 'app:3' }, 'updating', up.updatedAt), code('failed_precondition'), 'stack deploys too');
  assert.equal((await services.scale(ctx, 'web', { replicas: 3 })).spec.replicas, 3, 'scaling is allowed');

  const confirming = await services.confirmUpgrade(ctx, 'web');
  assert.equal(confirming.upgrade?.state, 'confirming');
  await assert.rejects(services.confirmUpgrade(ctx, 'web'), code('failed_precondition'), 'already being confirmed');
  await assert.rejects(services.rollbackUpgrade(ctx, 'web'), code('failed_precondition'));
});
