import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import type { ServiceObject } from '../../api/objects.js';
import { limits } from '../../api/limits.js';
import { defaultQuotas } from '../../api/quotas.js';
import { AccountApi } from '../auth/accounts.js';
import { EnvironmentApi } from '../environments/environments.js';
import { fileDataLimitBytes } from '../../api/secrets.js';
import type { StackSourceFile, StackSpec } from '../../api/stack-spec.js';
import type { RequestContext } from '../controlapi/request-context.js';
import { fileApis, rejects } from '../secrets/file-api.test-util.js';
import type { FileObject } from '../secrets/file-object.js';
import type { Store } from '../store/store.js';
import { fileApiStackFiles } from './file-api-stack-files.js';
import type { RenderInput, StackCompose } from './stack-compose.js';
import type { StackObject } from './stack-object.js';
import { StackApi } from './stacks.js';

const ctx: RequestContext = { actor: 'account:ann', env: 'default' };

/**
 * A stand-in for src/compose: a file's content is a StackSpec as JSON with `${VAR}` replaced
 * from the variables; `bad` content is refused as the parser would.
 */
const fakeCompose: StackCompose & { lastInput?: RenderInput } = {
  render(input) {
    this.lastInput = input;
    const text = input.files[0]?.content ?? '';
    if (text === 'bad') throw new ShoalError('invalid_argument', 'compose.yaml:3: services.web.ports[0]: "80:abc" is not a valid port', 'services.web.ports[0]');
    const spec = JSON.parse(text.replace(/\$\{(\w+)\}/g, (_m, v: string) => input.variables[v] ?? '')) as Partial<StackSpec>;
    return { services: {}, volumes: {}, networks: {}, secrets: {}, configs: {}, warnings: [], ...spec };
  },
  requiredInputs(files: StackSourceFile[]) {
    // (The real one also takes the env file and the variables; this one needs neither.)
    const text = files[0]?.content ?? '';
    const variables = [...new Set([...text.matchAll(/\$\{(\w+)\}|"environment":"(\w+)"/g)].map((m) => m[1] ?? m[2] ?? ''))];
    return { variables, files: [] };
  },
};

const compose = (spec: Partial<StackSpec>): { name: string; content: string }[] => [{ name: 'compose.yaml', content: JSON.stringify(spec) }];

function setup(opts: { files?: boolean } = {}) {
  const { store, secrets, configs, pinner, services } = fileApis();
  const stacks = new StackApi({ store, compose: fakeCompose, services, pinner, ...(opts.files === false ? {} : { files: fileApiStackFiles(store, secrets, configs) }) });
  return { store, stacks, services, secrets, configs };
}

const byName = async (store: Store): Promise<Map<string, ServiceObject>> => new Map((await store.list<ServiceObject>('service')).map((s) => [s.name, s]));

test('first deploy creates every service and the stack in one commit', async () => {
  const { store, stacks } = setup();
  const before = await store.revision();
  const result = await stacks.deploy(ctx, undefined, {
    name: 'shop',
    files: compose({ services: { web: { image: 'web:${TAG}', dependsOn: [{ service: 'db', condition: 'healthy' }] }, db: { image: 'db:1' } } }),
    variables: { TAG: '1', UNUSED: 'not kept' },
  });
  assert.deepEqual(result, { stack: 'shop', version: 1, created: ['db', 'web'], updated: [], unchanged: [], removed: [], kept: [], warnings: [], services: { db: 'shop_db', web: 'shop_web' } });
  assert.equal(await store.revision(), before + 1);
  const services = await byName(store);
  assert.equal(services.get('shop_web')?.spec.image, 'web:1');
  assert.equal(services.get('shop_web')?.stack, 'shop');
  assert.deepEqual(services.get('shop_web')?.spec.dependsOn, [{ service: 'shop_db', condition: 'healthy' }]);
  // Only referenced variables are kept, and their values are never returned.
  assert.deepEqual(fakeCompose.lastInput?.variables, { TAG: '1' });
  const view = await stacks.get(ctx, 'shop');
  assert.deepEqual(view.source.variables, ['TAG']);
  assert.ok(!JSON.stringify(view).includes('not kept'));
  assert.deepEqual(await stacks.list(ctx), [{ name: 'shop', version: 1, services: 2, deployedBy: 'account:ann', updatedAt: view.updatedAt }]);
});

test('without a name in the path or body, the compose file\'s top-level name names the stack', async () => {
  const { stacks } = setup();
  assert.equal((await stacks.deploy(ctx, undefined, { files: compose({ name: 'fromfile', services: { web: { image: 'w' } } }) })).stack, 'fromfile');
  assert.equal((await stacks.deploy(ctx, 'given', { files: compose({ name: 'fromfile', services: { web: { image: 'w' } } }) })).stack, 'given');
});

test('redeploy: only the changed service is updated; an identical deploy writes nothing', async () => {
  const { store, stacks } = setup();
  const files = (tag: string) => compose({ services: { web: { image: `web:${tag}` }, db: { image: 'db:1' } } });
  await stacks.deploy(ctx, 'shop', { files: files('1') });
  const first = await byName(store);
  const revision = await store.revision();
  const same = await stacks.deploy(ctx, 'shop', { files: files('1') });
  assert.deepEqual([same.version, same.unchanged, same.updated], [1, ['db', 'web'], []]);
  assert.equal(await store.revision(), revision, 'nothing written');

  const next = await stacks.deploy(ctx, 'shop', { files: files('2') });
  assert.deepEqual([next.version, next.updated, next.unchanged], [2, ['web'], ['db']]);
  const after = await byName(store);
  assert.equal(after.get('shop_db')?.version, first.get('shop_db')?.version, 'db untouched');
  const web = after.get('shop_web');
  assert.equal(web?.spec.image, 'web:2');
  assert.equal(web?.specVersion, 2);
  assert.equal(web?.updateStatus?.state, 'updating');
  assert.equal(web?.previousSpec?.image, 'web:1');
  const stack = await store.get<StackObject>('stack', 'default/shop');
  assert.deepEqual(stack?.history.map((h) => h.version), [1]);
});

test('removed services are kept (and reported) without prune, removed with it', async () => {
  const { store, stacks } = setup();
  await stacks.deploy(ctx, 'shop', { files: compose({ services: { web: { image: 'web:1' }, old: { image: 'old:1' } } }) });
  const kept = await stacks.deploy(ctx, 'shop', { files: compose({ services: { web: { image: 'web:1' } } }) });
  assert.deepEqual(kept.kept, ['old']);
  assert.match(kept.warnings.join('\n'), /"old".*prune/);
  assert.ok((await byName(store)).has('shop_old'));
  assert.deepEqual((await stacks.get(ctx, 'shop')).services, { old: 'shop_old', web: 'shop_web' });

  const pruned = await stacks.deploy(ctx, 'shop', { files: compose({ services: { web: { image: 'web:1' } } }), prune: true });
  assert.deepEqual(pruned.removed, ['old']);
  assert.ok(!(await byName(store)).has('shop_old'));
  // Its name is free again.
  const again = await stacks.deploy(ctx, 'shop', { files: compose({ services: { web: { image: 'web:1' }, old: { image: 'old:2' } } }) });
  assert.deepEqual(again.created, ['old']);
});

test('a refused deploy changes nothing: render errors, name conflicts, bad specs, missing files', async () => {
  const { store, stacks, services } = setup();
  await services.create(ctx, { name: 'shop_web', spec: { image: 'x' } });
  const revision = await store.revision();
  await rejects(stacks.deploy(ctx, 'shop', { files: [{ name: 'compose.yaml', content: 'bad' }] }), 'invalid_argument', 'services.web.ports[0]', /compose\.yaml:3: services\.web\.ports\[0\]/);
  await rejects(stacks.deploy(ctx, 'shop', { files: compose({ services: { web: { image: 'web:1' }, db: { image: 'db' } } }) }), 'already_exists', 'services.web');
  await rejects(stacks.deploy(ctx, 'shop', { files: compose({ services: { db: { image: 'db', replicas: -2 } } }) }), 'invalid_argument', 'services.db.replicas');
  await rejects(
    stacks.deploy(ctx, 'shop', { files: compose({ services: { db: { image: 'db', secrets: [{ source: 'pw' }] } }, secrets: { pw: { external: false, file: './pw.txt' } } }) }),
    'invalid_argument',
    'secrets.pw.file',
  );
  await rejects(
    stacks.deploy(ctx, 'shop', { files: compose({ services: { db: { image: 'db', secrets: [{ source: 'pw' }] } }, secrets: { pw: { external: true } } }) }),
    'invalid_argument',
    'secrets.pw',
    /external secret "pw" not found/,
  );
  await rejects(stacks.deploy(ctx, undefined, { files: compose({ services: {} }) }), 'invalid_argument', 'name');
  await rejects(stacks.deploy(ctx, 'shop', { name: 'other', files: compose({ services: {} }) }), 'invalid_argument', 'name');
  await rejects(stacks.deploy(ctx, undefined, { files: compose({ name: 'bad name', services: {} }) }), 'invalid_argument', 'name');
  await rejects(stacks.deploy(ctx, 'bad name', { files: compose({ services: {} }) }), 'invalid_argument', 'name');
  await rejects(stacks.deploy(ctx, 'shop', { files: [] }), 'invalid_argument', 'files');
  await rejects(stacks.deploy(ctx, 'shop', { files: compose({}), fileData: { 'a.txt': 'not base64!' } }), 'invalid_argument', 'fileData.a.txt');
  // Hard limits (api/limits.ts): services per stack, replicas, volume names.
  const tooMany = Object.fromEntries(Array.from({ length: limits.servicesPerStack + 1 }, (_, i) => [`s${i}`, { image: 'x' }]));
  await rejects(stacks.deploy(ctx, 'shop', { files: compose({ services: tooMany }) }), 'invalid_argument', 'services', new RegExp(`at most ${limits.servicesPerStack}`));
  await rejects(stacks.deploy(ctx, 'shop', { files: compose({ services: { db: { image: 'db', replicas: 1e9 } } }) }), 'invalid_argument', 'services.db.replicas', /at most/);
  await rejects(stacks.deploy(ctx, 'shop', { files: compose({ services: { db: { image: 'db', mounts: [{ source: '../../etc', target: '/x' }] } } }) }), 'invalid_argument', 'services.db.mounts[0].source');
  // Content the secret API would refuse is refused naming the compose field, before the first write.
  const twoSecrets = (b: Record<string, unknown>) => compose({ services: { db: { image: 'db', secrets: [{ source: 'a' }, { source: 'b' }] } }, secrets: { a: { external: false, content: 'fine' }, b: { external: false, ...b } } });
  await rejects(stacks.deploy(ctx, 'shop', { files: twoSecrets({ content: '' }) }), 'invalid_argument', 'secrets.b.content', /must not be empty/);
  await rejects(stacks.deploy(ctx, 'shop', { files: twoSecrets({ file: './b.txt' }), fileData: { 'b.txt': Buffer.alloc(fileDataLimitBytes + 1).toString('base64') } }), 'invalid_argument', 'secrets.b.file', /500 KiB/);
  assert.equal(await store.revision(), revision);
  await rejects(stacks.get(ctx, 'shop'), 'not_found');
});

test('secrets and configs: created with the stack prefix and mounted under their short name; rm removes them', async () => {
  const { store, stacks, services } = setup();
  const files = (pw: string) => ({
    files: compose({
      services: { db: { image: 'db', secrets: [{ source: 'pw' }], configs: [{ source: 'conf', target: '/etc/db.conf' }] } },
      secrets: { pw: { external: false, file: './pw.txt' } },
      configs: { conf: { external: false, content: 'max=1' } },
    }),
    fileData: { 'pw.txt': Buffer.from(pw).toString('base64') },
  });
  await stacks.deploy(ctx, 'shop', files('s3cret'));
  // A variable that is a secret's content is used, never kept.
  await stacks.deploy(ctx, 'vars', {
    files: compose({ services: { a: { image: 'a:${TAG}', secrets: [{ source: 'k' }] } }, secrets: { k: { external: false, environment: 'STRIPE_KEY' } } }),
    variables: { TAG: '1', STRIPE_KEY: 'sk_live_123' },
  });
  assert.deepEqual((await store.get<StackObject>('stack', 'default/vars'))?.current.source.variables, { TAG: '1' });
  assert.equal((await store.list<FileObject>('secret', { where: { name: 'vars_k' } })).length, 1);
  const db = (await byName(store)).get('shop_db');
  assert.deepEqual(db?.spec.secrets.map((s) => [s.source, s.target]), [['shop_pw', 'pw']]);
  assert.deepEqual(db?.fileVersions, { 'secret/shop_pw': 1, 'config/shop_conf': 1 });
  const secret = (await store.list<FileObject>('secret'))[0];
  assert.equal(secret?.name, 'shop_pw');
  assert.ok(!JSON.stringify(await stacks.get(ctx, 'shop')).includes('s3cret'));

  // A changed secret is a new version: the rotation rolls the service; the deploy does not undo it.
  const result = await stacks.deploy(ctx, 'shop', files('n3w'));
  assert.deepEqual(result.unchanged, ['db']);
  const rolled = (await byName(store)).get('shop_db');
  assert.equal(rolled?.fileVersions?.['secret/shop_pw'], 2);
  assert.equal(rolled?.spec.forceUpdate, 1);

  // A secret used outside the stack is kept by rm, and named.
  await services.create(ctx, { name: 'outsider', spec: { image: 'x', configs: [{ source: 'shop_conf' }] } });
  const removed = await stacks.remove(ctx, 'shop');
  assert.deepEqual(removed.services, ['shop_db']);
  assert.deepEqual(removed.removedFiles, ['secret/shop_pw']);
  assert.match(removed.keptFiles.join(), /config\/shop_conf: .*outsider/);
  assert.deepEqual((await store.list<ServiceObject>('service')).map((s) => s.name).sort(), ['outsider', 'vars_a']);
  await rejects(stacks.get(ctx, 'shop'), 'not_found');
});

test('a restricted caller cannot make a stack write secrets', async () => {
  const { store, stacks } = setup();
  const restricted: RequestContext = { ...ctx, caller: { type: 'account', id: 'a1', name: 'rita', admin: false, role: 'restricted' } };
  const revision = await store.revision();
  await rejects(
    stacks.deploy(restricted, 'shop', { files: compose({ services: { db: { image: 'db' } }, secrets: { pw: { external: false, content: 'x' } } }) }),
    'permission_denied',
    'secrets.pw',
  );
  assert.equal(await store.revision(), revision);
  // Services alone are fine.
  assert.equal((await stacks.deploy(restricted, 'shop', { files: compose({ services: { db: { image: 'db' } } }) })).version, 1);
});

test('without a secrets API, a stack with secrets is refused', async () => {
  const { stacks } = setup({ files: false });
  await rejects(stacks.deploy(ctx, 'shop', { files: compose({ services: {}, secrets: { pw: { external: true } } }) }), 'failed_precondition');
});

test('rollback: previous rendered spec through the rollback config, as a new version; again toggles back', async () => {
  const { store, stacks } = setup();
  await rejects(stacks.rollback(ctx, 'shop'), 'not_found');
  await stacks.deploy(ctx, 'shop', { files: compose({ services: { web: { image: 'web:1' }, db: { image: 'db:1' } } }) });
  await rejects(stacks.rollback(ctx, 'shop'), 'failed_precondition', undefined, /no previous version/);
  await stacks.deploy(ctx, 'shop', { files: compose({ services: { web: { image: 'web:2' }, db: { image: 'db:1' }, extra: { image: 'e' } } }) });
  const rolled = await stacks.rollback(ctx, 'shop');
  assert.deepEqual([rolled.version, rolled.updated, rolled.unchanged, rolled.removed], [3, ['web'], ['db'], ['extra']]);
  const web = (await byName(store)).get('shop_web');
  assert.equal(web?.spec.image, 'web:1');
  assert.equal(web?.updateStatus?.state, 'rollback_started');
  const view = await stacks.get(ctx, 'shop');
  assert.equal(view.rollbackOf, 2);
  assert.deepEqual(view.history.map((h) => h.version), [1, 2]);
  assert.match(view.source.files[0]?.content ?? '', /web:1/);

  const back = await stacks.rollback(ctx, 'shop');
  assert.deepEqual([back.version, back.updated, back.created], [4, ['web'], ['extra']]);
  assert.equal((await byName(store)).get('shop_web')?.spec.image, 'web:2');
});

test('history keeps the ten previous versions', async () => {
  const { store, stacks } = setup();
  for (let i = 1; i <= 13; i++) await stacks.deploy(ctx, 'shop', { files: compose({ services: { web: { image: `web:${i}` } } }) });
  const stack = await store.get<StackObject>('stack', 'default/shop');
  assert.equal(stack?.current.version, 13);
  assert.deepEqual(stack?.history.map((h) => h.version), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
});

test('scale, services, tasks; unknown names and global services refused', async () => {
  const { store, stacks } = setup();
  await stacks.deploy(ctx, 'shop', { files: compose({ services: { web: { image: 'web:1' }, agent: { image: 'a', mode: 'global' } } }) });
  const scaled = await stacks.scale(ctx, 'shop', { services: { web: 3 } });
  assert.deepEqual(scaled.map((s) => [s.name, s.spec.replicas, s.specVersion]), [['shop_web', 3, 1]]);
  await rejects(stacks.scale(ctx, 'shop', { services: { nope: 1 } }), 'not_found', 'services.nope');
  await rejects(stacks.scale(ctx, 'shop', { services: { agent: 1 } }), 'failed_precondition', 'services.agent');
  await rejects(stacks.scale(ctx, 'shop', { services: {} }), 'invalid_argument', 'services');
  await rejects(stacks.scale(ctx, 'shop', { services: { web: -1 } }), 'invalid_argument', 'services.web');
  await rejects(stacks.scale(ctx, 'shop', { services: { web: 1e9 } }), 'invalid_argument', 'services.web', /at most/);
  await rejects(stacks.scale(ctx, 'nope', { services: { web: 1 } }), 'not_found');
  assert.deepEqual((await stacks.services(ctx, 'shop')).map((s) => s.name), ['shop_agent', 'shop_web']);
  assert.deepEqual(await stacks.tasks(ctx, 'shop'), []);
  // Another environment does not see it.
  await rejects(stacks.get({ ...ctx, env: 'dev' }, 'shop'), 'not_found');
  assert.equal((await store.list('stack')).length, 1);
});

test('environment quotas apply to deploys and scales before anything is written, naming the stack\'s fields', async () => {
  const { store, stacks } = setup();
  const envs = new EnvironmentApi(store, new AccountApi(store));
  await envs.ensureDefault();
  const revision = await store.revision();
  await rejects(stacks.deploy(ctx, 'shop', { files: compose({ services: { web: { image: 'web:1', replicas: defaultQuotas.maxReplicasPerService + 1 } } }) }), 'resource_exhausted', 'services.web.replicas', /--max-replicas/);
  await envs.updateQuotas('account:root', 'default', { maxServices: 2, maxTasks: 4 });
  const afterQuota = await store.revision();
  assert.ok(afterQuota > revision);
  await rejects(stacks.deploy(ctx, 'shop', { files: compose({ services: { a: { image: 'a' }, b: { image: 'b' }, c: { image: 'c' } } }) }), 'resource_exhausted', 'services', /maxServices = 2/);
  assert.equal(await store.revision(), afterQuota, 'a refused deploy writes nothing');
  await stacks.deploy(ctx, 'shop', { files: compose({ services: { a: { image: 'a', replicas: 2 }, b: { image: 'b', replicas: 2 } } }) });
  await rejects(stacks.scale(ctx, 'shop', { services: { a: 3 } }), 'resource_exhausted', 'services.a', /maxTasks = 4/);
  await stacks.scale(ctx, 'shop', { services: { a: 1 } });
});

test('a stack binding host paths takes the same check as services: deploy and rollback, nothing stored when refused', async () => {
  const { store, stacks } = setup();
  const restricted: RequestContext = { ...ctx, caller: { type: 'account', id: 'a1', name: 'rita', admin: false, role: 'restricted' } };
  const owner: RequestContext = { ...ctx, caller: { type: 'account', id: 'o1', name: 'olga', admin: false, role: 'owner' } };
  const sock = { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock' };
  const files = (image: string, mounts: unknown[]) => compose({ services: { web: { image: 'web' }, agent: { image, mounts } } as unknown as StackSpec['services'], secrets: { pw: { external: false, content: 'x' } } });
  const revision = await store.revision();
  await rejects(stacks.deploy(restricted, 'ops', { files: compose({ services: { agent: { image: 'a', mounts: [{ type: 'tmpfs', target: '/t' }, sock] } } as unknown as StackSpec['services'] }) }), 'permission_denied', 'services.agent.volumes[1]', /host:mount/);
  const member: RequestContext = { ...ctx, caller: { type: 'account', id: 'm1', name: 'mia', admin: false, role: 'member' } };
  // Refused before the stack's secrets are written.
  await rejects(stacks.deploy(member, 'ops', { files: files('a:1', [sock]) }), 'permission_denied', 'services.agent.volumes[0]');
  assert.equal(await store.revision(), revision, 'nothing stored');

  assert.equal((await stacks.deploy(owner, 'ops', { files: files('a:1', [sock]) })).version, 1);
  // A member may redeploy what leaves the bind service's tasks alone, not change what it runs.
  const changedWeb = compose({ services: { web: { image: 'web:2' }, agent: { image: 'a:1', mounts: [sock] } } as unknown as StackSpec['services'], secrets: { pw: { external: false, content: 'x' } } });
  assert.deepEqual((await stacks.deploy(member, 'ops', { files: changedWeb })).updated, ['web']);
  await rejects(stacks.deploy(member, 'ops', { files: files('evil:1', [sock]) }), 'permission_denied', 'services.agent.volumes[0]');
  await stacks.deploy(owner, 'ops', { files: files('a:2', []) });
  const before = await store.revision();
  await rejects(stacks.rollback(member, 'ops'), 'permission_denied', 'services.agent.volumes[0]');
  assert.equal(await store.revision(), before, 'the refused rollback stored nothing');
  assert.equal((await stacks.rollback(owner, 'ops')).version, 4);
});
