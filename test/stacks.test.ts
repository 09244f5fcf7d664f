import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TaskObject } from '../src/api/objects.js';
import { invalidFixtures } from '../src/compose/invalid-fixtures.test-util.js';
import { EmbeddedCluster } from './harness/embedded-cluster.js';
import { runShoal, type CliRun } from './harness/run-cli.js';
import { freePort } from './harness/free-port.js';
import { waitFor } from './harness/wait.js';

/**
 * Stacks end to end: `shoal stack deploy --wait` of a web + db + cache compose file on a real
 * `shoal up`, a redeploy that changes one service, a stack rollback, one-shot services that
 * succeed and fail, and an invalid file refused with nothing changed.
 */
describe('stacks on a real cluster, through the CLI', () => {
  const cluster = new EmbeddedCluster();
  const dir = mkdtempSync(join(tmpdir(), 'shoal-stack-test-'));
  // Unique per run: other engineers' tests share the Docker engine (volumes are named after it).
  const stack = `st${Date.now().toString(36)}${Math.floor(Math.random() * 100)}`;
  let port = 0;

  const shoal = (...args: string[]): Promise<CliRun> => runShoal(cluster, args, { cwd: dir, env: { WEB_PORT: String(port) } });

  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return name;
  };

  /** web (httpd on a published port), db and cache, each with a named volume; web's image varies. */
  const app = (webImage: string): string => `
services:
  web:
    image: ${webImage}
    ports: ["\${WEB_PORT}:80"]
    volumes: [webdata:/data]
    stop_signal: SIGKILL
    stop_grace_period: 1s
    deploy:
      restart_policy: {condition: any, delay: 500ms}
      update_config: {monitor: 500ms}
      rollback_config: {monitor: 500ms}
  db:
    image: shoal-test/busybox:1
    command: ["sleep", "3600"]
    volumes: [dbdata:/var/lib/db]
    stop_signal: SIGKILL
  cache:
    image: shoal-test/busybox:1
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
volumes:
  webdata:
  dbdata:
`;

  const page = async (): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    return (await res.text()).trim();
  };
  const runningIds = async (service: string): Promise<string[]> =>
    (await cluster.client.listTasks({ service })).filter((t: TaskObject) => t.desiredState === 'running' && t.status.state === 'running').map((t) => t.id).sort();

  before(async () => {
    await cluster.start();
    port = await freePort();
  });
  after(async () => {
    await cluster.destroy();
    // Named volumes outlive their containers; remove only the ones this test's stacks made.
    const { Volumes } = await cluster.docker.listVolumes();
    for (const v of Volumes ?? []) {
      if (v.Name.startsWith(stack)) await cluster.docker.getVolume(v.Name).remove({ force: true }).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('deploy --wait converges web, db and cache; the published port answers; named volumes are the stack\'s', async () => {
    const file = write('compose.yaml', app('shoal-test/busybox:1'));
    const r = await shoal('stack', 'deploy', '--wait', '-c', file, stack);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${cluster.log().slice(-3000)}`);
    assert.match(r.stdout, new RegExp(`stack ${stack}: version 1 \\(created: cache, db, web\\)`));
    assert.match(r.stdout, new RegExp(`stack ${stack}: converged`));
    assert.equal(await page(), 'shoal test image v1');
    const web = await cluster.client.getService(`${stack}_web`);
    assert.equal(web.stack, stack);
    assert.deepEqual(web.spec.mounts.map((m) => m.source), [`${stack}_webdata`]);
    const [container] = await cluster.containers(`${stack}_db`);
    assert.ok(container);
    assert.ok(container.Mounts.some((m) => m.Name === `${stack}_dbdata`), JSON.stringify(container.Mounts));

    const ls = await shoal('stack', 'ls', '--format', 'json');
    const listed = (JSON.parse(ls.stdout) as { name: string; services: number; version: number; deployedBy: string }[]).find((s) => s.name === stack);
    assert.deepEqual([listed?.version, listed?.services], [1, 3]);
    assert.match(listed?.deployedBy ?? '', /^account:admin/);
    const services = await shoal('stack', 'services', stack);
    assert.equal(services.stdout.split('\n').filter((l) => l.includes(`${stack}_`) && l.includes('1/1')).length, 3, services.stdout);
    const ps = await shoal('stack', 'ps', stack);
    assert.equal(ps.stdout.split('\n').filter((l) => /Running/.test(l)).length, 3, ps.stdout);
  });

  test('redeploy with one changed service replaces only its tasks; rollback returns to the previous version', async () => {
    const dbBefore = await runningIds(`${stack}_db`);
    const cacheBefore = await runningIds(`${stack}_cache`);
    const webBefore = await runningIds(`${stack}_web`);
    assert.equal(dbBefore.length, 1);

    const file = write('compose.yaml', app('shoal-test/busybox:2'));
    const r = await shoal('stack', 'deploy', '--wait', '-c', file, stack);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /version 2 \(updated: web; unchanged: cache, db\)/);
    assert.equal(await page(), 'shoal test image v2');
    assert.deepEqual(await runningIds(`${stack}_db`), dbBefore);
    assert.deepEqual(await runningIds(`${stack}_cache`), cacheBefore);
    assert.notDeepEqual(await runningIds(`${stack}_web`), webBefore);

    const same = await shoal('stack', 'deploy', '--detach', '-c', file, stack);
    assert.match(same.stdout, /version 2 \(unchanged: cache, db, web\)/);

    const rb = await shoal('stack', 'rollback', '--wait', stack);
    assert.equal(rb.code, 0, `${rb.stdout}\n${rb.stderr}`);
    assert.match(rb.stdout, /rolled back as version 3 \(updated: web; unchanged: cache, db\)/);
    assert.equal(await page(), 'shoal test image v1');
    const web = await cluster.client.getService(`${stack}_web`);
    assert.equal(web.spec.image, 'shoal-test/busybox:1');
    assert.equal(web.updateStatus?.state, 'rollback_completed');
    assert.deepEqual(await runningIds(`${stack}_db`), dbBefore);

    const inspect = JSON.parse((await shoal('stack', 'inspect', stack)).stdout) as { version: number; rollbackOf: number; source: { variables: string[] }; history: unknown[] };
    assert.deepEqual([inspect.version, inspect.rollbackOf, inspect.source.variables, inspect.history.length], [3, 2, ['WEB_PORT'], 2]);
  });

  test('a one-shot service that exits 0 lets --wait end with 0; one that exits 3 fails it, naming the service', async () => {
    const ok = write('job-ok.yaml', `
services:
  migrate:
    image: shoal-test/busybox:1
    command: ["true"]
    deploy:
      restart_policy: {condition: none}
`);
    const good = await shoal('stack', 'deploy', '--wait', '-c', ok, `${stack}j`);
    assert.equal(good.code, 0, `${good.stdout}\n${good.stderr}`);
    assert.match(good.stdout, new RegExp(`${stack}j_migrate: completed`));

    const bad = write('job-bad.yaml', `
services:
  migrate:
    image: shoal-test/busybox:crash
    deploy:
      restart_policy: {condition: none}
`);
    const failed = await shoal('stack', 'deploy', '--wait', '-c', bad, `${stack}f`);
    assert.equal(failed.code, 1, `${failed.stdout}\n${failed.stderr}`);
    assert.match(failed.stderr, new RegExp(`service ${stack}f_migrate failed: .*exit.*3`));

    for (const name of [`${stack}j`, `${stack}f`]) assert.equal((await shoal('stack', 'rm', name)).code, 0);
  });

  test('an invalid compose file is refused with file, line and key; nothing changes', async () => {
    const lsBefore = (await shoal('stack', 'ls', '--format', 'json')).stdout;
    const servicesBefore = (await cluster.client.listServices()).map((s) => `${s.name}@${s.version}`).sort();
    const file = write('broken.yaml', `
services:
  web:
    image: shoal-test/busybox:1
    ports:
      - "80:abc"
`);
    for (const name of [stack, `${stack}new`]) {
      const r = await shoal('stack', 'deploy', '--wait', '-c', file, name);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /broken\.yaml:6: services\.web\.ports\[0\]: .*abc/);
    }
    assert.equal((await shoal('stack', 'ls', '--format', 'json')).stdout, lsBefore);
    assert.deepEqual((await cluster.client.listServices()).map((s) => `${s.name}@${s.version}`).sort(), servicesBefore);
  });

  test('every invalid compose fixture is refused by the API with its file, line and key; nothing changes', async () => {
    const fixtures = invalidFixtures();
    assert.ok(fixtures.length >= 15, `${fixtures.length} fixtures`);
    const snapshot = async () => JSON.stringify([await cluster.client.listStacks(), (await cluster.client.listServices()).map((s) => `${s.name}@${s.version}`).sort()]);
    const before = await snapshot();
    for (const f of fixtures) {
      const err = await cluster.client.deployStack(`${stack}bad`, { files: [{ name: f.name, content: f.content }], variables: {} }).then(
        () => undefined,
        (e: unknown) => e as { code?: string; message?: string },
      );
      assert.equal(err?.code, 'invalid_argument', `${f.name} must be refused with 400 invalid_argument`);
      assert.ok(err.message?.includes(f.prefix), `${f.name}: "${err.message}" names ${f.prefix}`);
    }
    assert.equal(await snapshot(), before);
  });

  test('secrets, configs and depends_on healthy: web starts after db is healthy, with its files', async () => {
    const name = `${stack}s`;
    const webPort = await freePort();
    mkdirSync(join(dir, 'secrets'), { recursive: true });
    write('secrets/db_password.txt', 'hunter2');
    const file = write('full.yaml', `
services:
  web:
    image: shoal-test/busybox:1
    ports: ["${webPort}:80"]
    depends_on:
      db: {condition: service_healthy}
    secrets: [db_password]
    configs:
      - source: web_config
        target: /etc/web/config.json
    stop_signal: SIGKILL
  db:
    image: shoal-test/busybox:1
    command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 3600"]
    healthcheck:
      test: ["CMD-SHELL", "test -f /tmp/ready"]
      interval: 500ms
      retries: 30
    volumes: [dbdata:/var/lib/db]
    secrets: [db_password]
    stop_signal: SIGKILL
secrets:
  db_password:
    file: ./secrets/db_password.txt
configs:
  web_config:
    content: '{"greeting": "hello"}'
volumes:
  dbdata:
`);
    const r = await shoal('stack', 'deploy', '--wait', '-c', file, name);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${cluster.log().slice(-3000)}`);
    // --wait ends only once the node's ingress routes the port to web's task: no retry needed.
    assert.deepEqual((await cluster.client.getService(`${name}_web`)).ports, { nodes: 1, ready: 1, waiting: [] });
    assert.equal((await (await fetch(`http://127.0.0.1:${webPort}/`)).text()).trim(), 'shoal test image v1');
    const running = async (service: string): Promise<TaskObject | undefined> => (await cluster.client.listTasks({ service })).find((t) => t.status.state === 'running');
    const [web, db] = [await running(`${name}_web`), await running(`${name}_db`)];
    assert.equal(db?.status.health, 'healthy');
    // db turns healthy 2 s after it starts; web may only start then.
    assert.ok(Date.parse(web?.status.runningSince ?? '') - Date.parse(db?.status.runningSince ?? '') >= 1500, `web ${web?.status.runningSince}, db ${db?.status.runningSince}`);
    const cat = (task: TaskObject | undefined, path: string): string => execFileSync('docker', ['exec', task?.status.containerId ?? '', 'cat', path], { encoding: 'utf8' });
    assert.equal(cat(web, '/run/secrets/db_password'), 'hunter2');
    assert.equal(cat(db, '/run/secrets/db_password'), 'hunter2');
    assert.equal(cat(web, '/etc/web/config.json').trim(), '{"greeting": "hello"}');
    // The API never returns the secret: not in the stack, not in the secret.
    assert.ok(!JSON.stringify(await cluster.client.getStack(name)).includes('hunter2'));

    const rm = await shoal('stack', 'rm', name);
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stdout, new RegExp(`Removing secret ${name}_db_password`));
    assert.match(rm.stdout, new RegExp(`Removing config ${name}_web_config`));
  });

  test('stack rm removes its services and the stack', async () => {
    const r = await shoal('stack', 'rm', stack);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Removing service ${stack}_web`));
    assert.deepEqual((await cluster.client.listServices()).filter((s) => s.name.startsWith(`${stack}_`)), []);
    await waitFor('the stack\'s containers to go', async () => (await cluster.containers()).every((c) => !c.Names.some((n) => n.includes(`${stack}_`))), 30000);
    assert.equal((await shoal('stack', 'inspect', stack)).code, 1);
  });
});
