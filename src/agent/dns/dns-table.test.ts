import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDnsTable } from './dns-table.js';
import type { DnsServiceView, DnsTaskView, DnsView } from '../../api/dns-view.js';

const task = (id: string, ip: string, over: Partial<DnsTaskView> = {}): DnsTaskView => ({ id, name: `svc.1.${id}`, ip, running: true, healthy: true, ...over });
const svc = (over: Partial<DnsServiceView> & Pick<DnsServiceView, 'name'>): DnsServiceView => ({ env: 'dev', tasks: [], aliases: [], ...over });

// dev: stack `shop` (web, db with 3 tasks, cache aliased `redis`), stack `blog` (db), lone `tools`;
// prod: stack `shop` with its own db.
const view: DnsView = {
  services: [
    svc({ name: 'web', stack: 'shop', tasks: [task('w1', '10.0.0.2', { name: 'shop_web.1.w1' })] }),
    svc({ name: 'db', stack: 'shop', tasks: [task('d1', '10.0.0.11'), task('d2', '10.0.0.12'), task('d3', '10.0.0.13')] }),
    svc({ name: 'cache', stack: 'shop', aliases: ['Redis'], tasks: [task('c1', '10.0.0.21')] }),
    svc({ name: 'db', stack: 'blog', tasks: [task('b1', '10.0.1.11')] }),
    svc({ name: 'tools', tasks: [task('t1', '10.0.2.5', { name: 'tools.1.t1' })] }),
    svc({ name: 'db', stack: 'shop', env: 'prod', tasks: [task('p1', '10.9.0.11', { name: 'shop_db.1.p1' })] }),
  ],
};
const shopClient = { env: 'dev', stack: 'shop' };
const records = (ips: string[]) => ({ kind: 'records', ips });
const sorted = (r: ReturnType<ReturnType<typeof buildDnsTable>['resolve']>): string[] => (r.kind === 'records' ? [...r.ips].sort() : [r.kind]);

describe('buildDnsTable', () => {
  const table = buildDnsTable(view);

  test('SERVICE within the stack, SERVICE.STACK across stacks, the full zone name', () => {
    assert.deepEqual(sorted(table.resolve('cache', shopClient)), ['10.0.0.21']);
    assert.deepEqual(sorted(table.resolve('db', shopClient)), ['10.0.0.11', '10.0.0.12', '10.0.0.13']);
    assert.deepEqual(sorted(table.resolve('db.blog', shopClient)), ['10.0.1.11']);
    assert.deepEqual(sorted(table.resolve('db', { env: 'dev', stack: 'blog' })), ['10.0.1.11']);
    assert.deepEqual(sorted(table.resolve('db.blog.dev.shoal.internal', shopClient)), ['10.0.1.11']);
    assert.deepEqual(sorted(table.resolve('db.shop.dev.shoal.internal', shopClient)), ['10.0.0.11', '10.0.0.12', '10.0.0.13']);
    assert.deepEqual(sorted(table.resolve('shop_db', { env: 'dev' })), ['10.0.0.11', '10.0.0.12', '10.0.0.13']);
  });

  test('a client outside any stack: stack names need the stack; lone services by name', () => {
    const lone = { env: 'dev' };
    assert.deepEqual(table.resolve('db', lone), { kind: 'forward' });
    assert.deepEqual(sorted(table.resolve('db.shop', lone)), ['10.0.0.11', '10.0.0.12', '10.0.0.13']);
    assert.deepEqual(sorted(table.resolve('tools', lone)), ['10.0.2.5']);
    assert.deepEqual(sorted(table.resolve('tools', shopClient)), ['10.0.2.5']);
    assert.deepEqual(sorted(table.resolve('tools.dev.shoal.internal', shopClient)), ['10.0.2.5']);
  });

  test('tasks.SERVICE answers one address per task, in every spelling', () => {
    for (const name of ['tasks.db', 'tasks.db.shop', 'tasks.db.shop.dev.shoal.internal', 'TASKS.DB.SHOP']) {
      assert.deepEqual(sorted(table.resolve(name, shopClient)), ['10.0.0.11', '10.0.0.12', '10.0.0.13'], name);
    }
    assert.deepEqual(sorted(table.resolve('tasks.tools', { env: 'dev' })), ['10.0.2.5']);
  });

  test("a task's own name, and network aliases in the stack's scope", () => {
    assert.deepEqual(sorted(table.resolve('shop_web.1.w1', shopClient)), ['10.0.0.2']);
    assert.deepEqual(sorted(table.resolve('tools.1.t1', shopClient)), ['10.0.2.5']);
    assert.deepEqual(sorted(table.resolve('shop_web.1.w1.dev.shoal.internal', { env: 'dev' })), ['10.0.0.2']);
    assert.deepEqual(sorted(table.resolve('redis', shopClient)), ['10.0.0.21']);
    assert.deepEqual(sorted(table.resolve('redis.shop', { env: 'dev', stack: 'blog' })), ['10.0.0.21']);
    assert.deepEqual(sorted(table.resolve('redis.shop.dev.shoal.internal', shopClient)), ['10.0.0.21']);
    assert.deepEqual(table.resolve('redis', { env: 'dev', stack: 'blog' }), { kind: 'forward' });
  });

  test('case-insensitive, trailing dot allowed', () => {
    assert.deepEqual(sorted(table.resolve('DB.Blog.', shopClient)), ['10.0.1.11']);
    assert.deepEqual(sorted(table.resolve('db.blog.DEV.Shoal.Internal.', { env: 'DEV', stack: 'SHOP' })), ['10.0.1.11']);
    assert.deepEqual(sorted(table.resolve('REDIS', shopClient)), ['10.0.0.21']);
  });

  test('another environment is never answered; under shoal.internal nothing is forwarded', () => {
    assert.deepEqual(table.resolve('db.shop.prod.shoal.internal', shopClient), { kind: 'nxdomain' });
    assert.deepEqual(table.resolve('shop_db.1.p1', shopClient), { kind: 'forward' });
    assert.deepEqual(table.resolve('shop_db.1.p1.prod.shoal.internal', shopClient), { kind: 'nxdomain' });
    assert.deepEqual(sorted(table.resolve('db', { env: 'prod', stack: 'shop' })), ['10.9.0.11']);
    assert.deepEqual(table.resolve('db.blog', { env: 'prod', stack: 'shop' }), { kind: 'forward' });
    assert.deepEqual(table.resolve('nothing.shop.dev.shoal.internal', shopClient), { kind: 'nxdomain' });
    assert.deepEqual(table.resolve('db.shop.nosuchenv.shoal.internal', shopClient), { kind: 'nxdomain' });
    assert.deepEqual(table.resolve('x.shoal.internal', shopClient), { kind: 'nxdomain' });
    assert.deepEqual(table.resolve('db.shop.dev.shoal.internal', { env: 'staging' }), { kind: 'nxdomain' });
  });

  test('the zone, the environment and a stack exist as names with no address', () => {
    assert.deepEqual(table.resolve('shoal.internal', shopClient), records([]));
    assert.deepEqual(table.resolve('dev.shoal.internal', shopClient), records([]));
    assert.deepEqual(table.resolve('shop.dev.shoal.internal', shopClient), records([]));
  });

  test('other names are forwarded', () => {
    assert.deepEqual(table.resolve('example.com', shopClient), { kind: 'forward' });
    assert.deepEqual(table.resolve('db.example.com', shopClient), { kind: 'forward' });
    assert.deepEqual(table.resolve('.', shopClient), { kind: 'forward' });
    assert.deepEqual(table.resolve('internal', shopClient), { kind: 'forward' });
  });

  test('round robin: each query starts one address further, for every spelling', () => {
    const t = buildDnsTable(view);
    const firsts = ['db', 'db.shop', 'tasks.db', 'db.shop.dev.shoal.internal', 'db', 'db'].map((n) => {
      const r = t.resolve(n, shopClient);
      assert.equal(r.kind, 'records');
      return r.kind === 'records' ? r.ips : [];
    });
    assert.deepEqual(firsts[0], ['10.0.0.11', '10.0.0.12', '10.0.0.13']);
    assert.deepEqual(firsts[1], ['10.0.0.12', '10.0.0.13', '10.0.0.11']);
    assert.deepEqual(firsts[2], ['10.0.0.13', '10.0.0.11', '10.0.0.12']);
    assert.deepEqual(firsts[3], ['10.0.0.11', '10.0.0.12', '10.0.0.13']);
    assert.deepEqual(firsts.map((ips) => ips[0]), ['10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.11', '10.0.0.12', '10.0.0.13']);
  });

  test('only running and healthy tasks are answered; a known name with none answers empty', () => {
    const t = buildDnsTable({
      services: [
        svc({
          name: 'api',
          stack: 's',
          aliases: ['backend'],
          tasks: [
            task('a1', '10.1.0.1', { name: 'api.1.a1' }),
            task('a2', '10.1.0.2', { name: 'api.2.a2', healthy: false }),
            task('a3', '10.1.0.3', { name: 'api.3.a3', running: false, healthy: false }),
            task('a4', '', { name: 'api.4.a4' }),
          ],
        }),
        svc({ name: 'down', stack: 's', tasks: [task('x1', '10.1.0.9', { running: false, healthy: false })] }),
      ],
    });
    const c = { env: 'dev', stack: 's' };
    for (const name of ['api', 'tasks.api', 'backend', 'api.s.dev.shoal.internal']) assert.deepEqual(sorted(t.resolve(name, c)), ['10.1.0.1'], name);
    // Its own name names one container: answered while it runs, even unhealthy.
    assert.deepEqual(sorted(t.resolve('api.2.a2', c)), ['10.1.0.2']);
    assert.deepEqual(t.resolve('api.3.a3', c), { kind: 'forward' });
    assert.deepEqual(t.resolve('down', c), records([]));
    assert.deepEqual(t.resolve('tasks.down.s.dev.shoal.internal', c), records([]));
  });

  test('an alias several services share answers all their tasks; services win over aliases', () => {
    const t = buildDnsTable({
      services: [
        svc({ name: 'a', stack: 's', aliases: ['shared', 'b'], tasks: [task('a1', '10.2.0.1')] }),
        svc({ name: 'b', stack: 's', aliases: ['shared'], tasks: [task('b1', '10.2.0.2')] }),
      ],
    });
    const c = { env: 'dev', stack: 's' };
    assert.deepEqual(sorted(t.resolve('shared', c)), ['10.2.0.1', '10.2.0.2']);
    assert.deepEqual(sorted(t.resolve('b', c)), ['10.2.0.2']);
  });

  test('clients are known by the address of any of their tasks, running ones first', () => {
    const t = buildDnsTable({
      services: [
        svc({ name: 'old', stack: 'x', tasks: [task('o1', '10.3.0.1', { running: false, healthy: false })] }),
        svc({ name: 'new', stack: 'y', env: 'prod', tasks: [task('n1', '10.3.0.1')] }),
        svc({ name: 'starting', tasks: [task('s1', '10.3.0.2', { running: false, healthy: false })] }),
      ],
    });
    assert.deepEqual(t.clientFor('10.3.0.1'), { env: 'prod', stack: 'y', taskId: 'n1' });
    assert.deepEqual(t.clientFor('::ffff:10.3.0.2'), { env: 'dev', stack: undefined, taskId: 's1' });
    assert.equal(t.clientFor('10.3.0.3'), undefined);
  });
});
