import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MountSpec } from '../../api/service-spec.js';
import { confineBinds } from './bind-confinement.js';

const bind = (source: string): MountSpec => ({ type: 'bind', source, target: '/x', readOnly: false });

test('a bind under an allowed path must resolve inside it: a symbolic link out of it is refused; the resolved path is used', async (t) => {
  const root = await realpath(mkdtempSync(join(tmpdir(), 'shoal-confine-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const data = join(root, 'data');
  mkdirSync(join(data, 'pg'), { recursive: true });
  mkdirSync(join(root, 'secret'));
  symlinkSync(join(root, 'secret'), join(data, 'escape'));
  symlinkSync(join(data, 'pg'), join(data, 'alias'));
  symlinkSync(data, join(root, 'data-link'));

  assert.deepEqual(await confineBinds([bind(join(data, 'pg'))], [data]), [bind(join(data, 'pg'))]);
  assert.deepEqual(await confineBinds([bind(join(data, 'alias'))], [data]), [bind(join(data, 'pg'))], 'a link that stays inside is resolved');
  const refusal = async (source: string): Promise<string> => {
    const result = await confineBinds([bind(source)], [data]);
    return typeof result === 'string' ? result : assert.fail(`accepted: ${JSON.stringify(result)}`);
  };
  assert.match(await refusal(join(data, 'escape')), /resolves to ".*\/secret", outside the allowed host path/);
  assert.match(await refusal(join(data, 'escape', 'deeper')), /does not exist|outside the allowed host path/);
  assert.match(await refusal(join(data, 'missing')), /does not exist on this node/);
  // An allowed path that is itself a link (an administrator's layout) is compared resolved.
  assert.deepEqual(await confineBinds([bind(join(root, 'data-link', 'pg'))], [join(root, 'data-link')]), [bind(join(data, 'pg'))]);
  // Binds outside every allowed path (an owner's), volumes and tmpfs are left alone, unresolved.
  const others: MountSpec[] = [bind('/var/run/docker.sock'), bind(join(root, 'secret')), { type: 'volume', source: 'v', target: '/v', readOnly: false }, { type: 'tmpfs', target: '/t', readOnly: false }];
  assert.deepEqual(await confineBinds(others, [data]), others);
  assert.deepEqual(await confineBinds([bind(join(data, 'escape'))], []), [bind(join(data, 'escape'))], 'no allowed paths: nothing to confine');
});
