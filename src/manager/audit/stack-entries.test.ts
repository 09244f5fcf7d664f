import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StackObject } from '../stacks/stack-object.js';
import type { StoredObject } from '../store/store.js';
import { auditDraftsOf } from './change-entries.js';

const stackAt = (version: number, rollbackOf?: number): StackObject => ({
  id: 'prod/shop',
  env: 'prod',
  version: 10 + version,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  name: 'shop',
  current: {
    version,
    deployedAt: '2026-12-01T00:00:00.000Z',
    deployedBy: 'account:ann',
    source: { files: [{ name: 'compose.yaml', content: 'services: {web: {image: "x:${DB_PASSWORD}"}}' }], variables: { DB_PASSWORD: 'hunter2-and-more' } },
    rendered: { services: {}, volumes: {}, networks: {}, secrets: {}, configs: {}, warnings: [] },
    services: { web: 'shop_web' },
    ...(rollbackOf !== undefined ? { rollbackOf } : {}),
  },
  history: [],
});
const asStored = (s: StackObject): StoredObject => s;

test('a stack deploy is recorded as a summary: no source, no variable values, a rollback named as such', () => {
  const drafts = auditDraftsOf({
    revision: 5,
    time: '2026-12-01T00:00:00.000Z',
    actor: 'account:ann',
    changes: [
      { kind: 'stack', id: 'prod/shop', type: 'put', value: asStored(stackAt(1)) },
      { kind: 'stack', id: 'prod/shop', type: 'put', value: asStored(stackAt(3, 1)), prev: asStored(stackAt(2)) },
    ],
  });
  assert.deepEqual(drafts.map((d) => [d.action, d.env, d.object.name]), [['create', 'prod', 'shop'], ['rollback', 'prod', 'shop']]);
  assert.deepEqual(drafts[1]?.after, { version: 3, deployedBy: 'account:ann', files: ['compose.yaml'], services: { web: 'shop_web' }, rollbackOf: 1 });
  const text = JSON.stringify(drafts);
  assert.ok(!text.includes('hunter2') && !text.includes('services: {web'), 'neither variable values nor sources are copied');
});
