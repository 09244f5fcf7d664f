import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import type { ServiceObject } from '../../api/objects.js';
import { serviceSpecSchema, type ServiceSpecInput } from '../../api/service-spec.js';
import type { StackSpec } from '../../api/stack-spec.js';
import { desiredServices } from './stack-names.js';
import { planStack, shortName } from './stack-plan.js';

const rendered = (services: Record<string, ServiceSpecInput>, over: Partial<StackSpec> = {}): StackSpec => ({
  services,
  volumes: {},
  networks: {},
  secrets: {},
  configs: {},
  warnings: [],
  ...over,
});

let n = 0;
// `null`: a service outside any stack.
const existing = (name: string, spec: ServiceSpecInput, stack: string | null = 'shop'): ServiceObject => ({
  id: `svc${++n}`,
  env: 'default',
  version: 10 + n,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  name,
  ...(stack ? { stack } : {}),
  // A stack's services join the stack's default network unless the file says otherwise.
  spec: serviceSpecSchema.parse(stack && !spec.networks ? { ...spec, networks: [{ target: `${stack}_default` }] } : spec),
  specVersion: 1,
});

test('desired services: names prefixed, references mapped, defaults filled', () => {
  const desired = desiredServices(
    'shop',
    rendered(
      {
        web: {
          image: 'web:1',
          dependsOn: [{ service: 'db', condition: 'healthy' }],
          placement: { colocateWith: ['cache', 'outside'], avoid: ['db'] },
          mounts: [
            { type: 'volume', source: 'data', target: '/data' },
            { type: 'volume', source: 'shared', target: '/shared' },
            { type: 'bind', source: '/etc/hosts', target: '/h' },
          ],
          secrets: [{ source: 'dbpass' }, { source: 'apikey', target: 'key.txt' }],
          configs: [{ source: 'conf' }],
        },
        db: { image: 'db:1' },
        cache: { image: 'cache:1' },
      },
      {
        volumes: { data: { external: false }, shared: { external: true, name: 'global-shared' } },
        secrets: { dbpass: { external: false, file: './db.txt' }, apikey: { external: true } },
        configs: { conf: { external: false, content: 'x' } },
      },
    ),
  );
  assert.deepEqual(desired.map((d) => [d.short, d.name]), [['cache', 'shop_cache'], ['db', 'shop_db'], ['web', 'shop_web']]);
  const web = desired.find((d) => d.short === 'web')?.spec;
  assert.ok(web);
  assert.deepEqual(web.dependsOn, [{ service: 'shop_db', condition: 'healthy' }]);
  assert.deepEqual(web.placement.colocateWith, ['shop_cache', 'outside']);
  assert.deepEqual(web.placement.avoid, ['shop_db']);
  assert.deepEqual(web.mounts.map((m) => m.source), ['shop_data', 'global-shared', '/etc/hosts']);
  assert.deepEqual(web.secrets.map((s) => [s.source, s.target]), [['shop_dbpass', 'dbpass'], ['apikey', 'key.txt']]);
  assert.deepEqual(web.configs.map((c) => [c.source, c.target]), [['shop_conf', 'conf']]);
  assert.equal(web.replicas, 1);
  assert.equal(web.restartPolicy.condition, 'any');
});

test('desired services: a too long full name or a bad spec is refused naming the service', () => {
  const long = 'x'.repeat(60);
  assert.throws(() => desiredServices(long, rendered({ web: { image: 'a' } })), (e: unknown) => e instanceof ShoalError && e.field === 'services.web');
  assert.throws(
    () => desiredServices('shop', rendered({ web: { image: 'a', replicas: -1 } })),
    (e: unknown) => e instanceof ShoalError && e.field === 'services.web.replicas',
  );
});

test('plan: new, changed, unchanged, and removed only with prune', () => {
  const desired = desiredServices('shop', rendered({ web: { image: 'web:2' }, db: { image: 'db:1' }, cache: { image: 'cache:1' } }));
  const services = [
    existing('shop_web', { image: 'web:1' }),
    existing('shop_db', { image: 'db:1' }),
    existing('shop_old', { image: 'old:1' }),
    existing('other', { image: 'x' }, null),
    existing('shop2_web', { image: 'web:1' }, 'shop2'),
  ];
  const plan = planStack({ stack: 'shop', desired, services, prune: false });
  assert.deepEqual(plan.create.map((c) => c.short), ['cache']);
  assert.deepEqual(plan.update.map((u) => u.short), ['web']);
  assert.equal(plan.update[0]?.desired.spec.image, 'web:2');
  assert.deepEqual(plan.unchanged.map((u) => u.short), ['db']);
  assert.deepEqual(plan.kept.map((k) => k.short), ['old']);
  assert.deepEqual(plan.remove, []);

  const pruned = planStack({ stack: 'shop', desired, services, prune: true });
  assert.deepEqual(pruned.remove.map((r) => r.current.name), ['shop_old']);
  assert.deepEqual(pruned.kept, []);
});

test('plan: any field counts as a change (replicas, env), forceUpdate from a rotation does not', () => {
  const services = [existing('shop_web', { image: 'web:1', forceUpdate: 3 }), existing('shop_db', { image: 'db:1', env: { A: '1' } })];
  const desired = desiredServices('shop', rendered({ web: { image: 'web:1', replicas: 2 }, db: { image: 'db:1', env: { A: '2' } } }));
  const plan = planStack({ stack: 'shop', desired, services, prune: false });
  assert.deepEqual(plan.update.map((u) => u.short), ['db', 'web']);
  assert.equal(plan.update.find((u) => u.short === 'web')?.desired.spec.forceUpdate, 3);

  const same = desiredServices('shop', rendered({ web: { image: 'web:1' }, db: { image: 'db:1', env: { A: '1' } } }));
  assert.deepEqual(planStack({ stack: 'shop', desired: same, services, prune: false }).unchanged.map((u) => u.short), ['db', 'web']);
});

test('plan: a name held outside the stack, and a mode change, are refused', () => {
  const desired = desiredServices('shop', rendered({ web: { image: 'web:1' } }));
  assert.throws(
    () => planStack({ stack: 'shop', desired, services: [existing('shop_web', { image: 'web:1' }, null)], prune: false }),
    (e: unknown) => e instanceof ShoalError && e.code === 'already_exists' && /shop_web/.test(e.message),
  );
  const global = desiredServices('shop', rendered({ web: { image: 'web:1', mode: 'global' } }));
  assert.throws(
    () => planStack({ stack: 'shop', desired: global, services: [existing('shop_web', { image: 'web:1' })], prune: false }),
    (e: unknown) => e instanceof ShoalError && e.field === 'services.web.mode',
  );
});

test('short names strip the stack prefix', () => {
  assert.equal(shortName('shop', { name: 'shop_web_1' }), 'web_1');
  assert.equal(shortName('shop', { name: 'renamed' }), 'renamed');
});
