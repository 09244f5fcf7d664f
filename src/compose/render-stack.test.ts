import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { serviceSpecSchema, type ServiceSpec } from '../api/service-spec.js';
import type { StackSpec } from '../api/stack-spec.js';
import { renderStack } from './render-stack.js';

const valid = join(import.meta.dirname, 'testdata', 'valid');
const read = (name: string): string => readFileSync(join(valid, name), 'utf8');
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function renderApp(withOverride: boolean, variables: Record<string, string> = {}): StackSpec {
  const files = [{ name: 'compose.yaml', content: read('web-db-cache.yaml') }];
  if (withOverride) files.push({ name: 'compose.prod.yaml', content: read('web-db-cache.override.yaml') });
  return renderStack({
    files,
    variables,
    envFile: { name: '.env', content: read('dotenv.env') },
    fileData: { './web.env': b64(read('web.env')) },
  }).spec;
}

const svc = (spec: StackSpec, name: string): ServiceSpec => spec.services[name] as ServiceSpec;

/** Renders one inline file. */
function one(content: string, variables: Record<string, string> = {}): StackSpec {
  return renderStack({ files: [{ name: 'compose.yaml', content }], variables }).spec;
}

describe('a web + db + cache application (version 3.8)', () => {
  const spec = renderApp(false, { LOG_LEVEL: 'info' });

  test('every service spec passes the service schema unchanged', () => {
    assert.deepEqual(Object.keys(spec.services).sort(), ['cache', 'db', 'migrate', 'web']);
    for (const s of Object.values(spec.services)) assert.deepEqual(serviceSpecSchema.parse(s), s);
  });

  test('the web service', () => {
    const web = svc(spec, 'web');
    assert.equal(web.image, 'shoal-test/busybox:from-dotenv');
    assert.deepEqual(web.args, ['httpd', '-f', '-p', '80', '-h', '/www']);
    assert.equal(web.entrypoint, undefined);
    assert.deepEqual(web.env, {
      FROM_ENV_FILE: 'yes',
      QUOTED: 'a b # not a comment',
      SINGLE: '$NOT_EXPANDED',
      EXPANDED: 'from-dotenv-suffix',
      DATABASE_HOST: 'db',
      CACHE_HOST: 'cache',
      GREETING: 'costs $5',
      LOG_LEVEL: 'info',
    });
    assert.deepEqual(web.ports, [
      { target: 80, published: 8081, protocol: 'tcp', mode: 'ingress' },
      { target: 443, published: 8443, protocol: 'tcp', mode: 'host' },
    ]);
    assert.deepEqual(web.containerLabels, { 'com.example.team': 'shop', 'com.example.role': 'frontend' });
    assert.deepEqual(web.labels, { 'com.example.tier': 'web' });
    assert.deepEqual(web.dependsOn, [
      { service: 'db', condition: 'healthy' },
      { service: 'cache', condition: 'started' },
      { service: 'migrate', condition: 'completed' },
    ]);
    assert.deepEqual(web.secrets, [{ source: 'db_password', target: 'db-password', mode: 0o400 }]);
    assert.deepEqual(web.configs, [{ source: 'web_config', target: '/etc/web/config.json', mode: 0o444 }]);
    assert.deepEqual(web.healthcheck, {
      test: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost/ || exit 1'],
      intervalMs: 10_000,
      timeoutMs: 2_000,
      retries: 3,
      startPeriodMs: 90_000,
    });
    assert.equal(web.stopGracePeriodMs, 20_000);
    assert.deepEqual(web.restartPolicy, { condition: 'on-failure', delayMs: 5000, maxAttempts: 5, windowMs: 0 });
    assert.equal(web.replicas, 2);
    assert.deepEqual(web.resources, {
      limits: { nanoCpus: 500_000_000, memoryBytes: 256 * 1024 ** 2 },
      reservations: { nanoCpus: 250_000_000, memoryBytes: 64 * 1024 ** 2 },
    });
    assert.deepEqual(web.updateConfig, { parallelism: 1, delayMs: 5000, order: 'start-first', monitorMs: 30_000, failureAction: 'rollback', maxFailureRatio: 0.2 });
    assert.deepEqual(web.rollbackConfig, { parallelism: 0, delayMs: 0, order: 'stop-first', monitorMs: 5000, failureAction: 'pause', maxFailureRatio: 0 });
    assert.deepEqual(web.placement, {
      constraints: ['node.role==worker', 'node.labels.zone!=edge'],
      preferences: [{ spread: 'node.labels.zone' }],
      maxReplicasPerNode: 1,
      colocateWith: [],
      avoid: ['db'],
    });
  });

  test('the database, cache and one-shot migration', () => {
    const db = svc(spec, 'db');
    assert.deepEqual(db.entrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(db.args, ['exec sleep 3600']);
    assert.deepEqual(db.env, { POSTGRES_USER: 'shop', POSTGRES_PASSWORD_FILE: '/run/secrets/db_password' });
    assert.deepEqual(db.mounts, [
      { type: 'volume', source: 'db-data', target: '/var/lib/postgresql/data', readOnly: false },
      { type: 'tmpfs', target: '/tmp', readOnly: false },
      { type: 'bind', source: '/etc/localtime', target: '/etc/localtime', readOnly: true },
    ]);
    assert.deepEqual(db.secrets, [{ source: 'db_password', mode: 0o444 }]);
    assert.deepEqual(db.healthcheck?.test, ['CMD-SHELL', 'test -f /tmp/ready || exit 1']);
    assert.equal(db.healthcheck?.intervalMs, 2000);
    assert.deepEqual([db.user, db.workdir, db.hostname, db.stopSignal], ['999', '/var/lib/postgresql', 'database', 'SIGINT']);
    assert.deepEqual(db.restartPolicy, { condition: 'any', delayMs: 2000, maxAttempts: 10, windowMs: 120_000 });

    const cache = svc(spec, 'cache');
    assert.equal(cache.mode, 'global');
    assert.equal(cache.init, true);
    assert.deepEqual(cache.mounts, [{ type: 'tmpfs', target: '/run', readOnly: false }]);
    assert.deepEqual(cache.placement.colocateWith, ['web']);

    const migrate = svc(spec, 'migrate');
    assert.deepEqual(migrate.args, ['sh', '-c', 'echo "migrating" && sleep 1']);
    assert.equal(migrate.restartPolicy.condition, 'none');
    assert.deepEqual(migrate.dependsOn, [{ service: 'db', condition: 'started' }]);
  });

  test('networks, volumes, secrets, configs and the project name', () => {
    assert.equal(spec.name, 'shop');
    assert.deepEqual(spec.serviceNetworks, {
      web: { frontend: { aliases: ['shop-web'] }, backend: { aliases: [] } },
      db: { backend: { aliases: [] } },
      cache: { backend: { aliases: ['redis'] } },
      migrate: { backend: { aliases: [] } },
    });
    assert.deepEqual(spec.networks, {
      frontend: { external: false, driver: 'overlay', attachable: true },
      backend: { external: false, internal: true, labels: { 'com.example.net': 'backend' } },
    });
    assert.deepEqual(spec.volumes, { 'db-data': { external: false, driverOptions: { type: 'tmpfs', device: 'tmpfs' } } });
    assert.deepEqual(spec.secrets, { db_password: { external: false, file: './secrets/db_password.txt' } });
    assert.deepEqual(spec.configs, { web_config: { external: false, content: '{"greeting": "hello"}\n' } });
  });

  test('keys ignored on purpose are warnings naming file, line and key', () => {
    assert.deepEqual(spec.warnings, [
      "compose.yaml:6: services.web.logging: ignored (containers log to the engine's default driver; read them with `shoal service logs`)",
    ]);
  });
});

describe('several files merged in order', () => {
  const spec = renderApp(true, { LOG_LEVEL: 'info' });

  test('scalars and command are replaced, mappings merged, ports appended, volumes merged by target', () => {
    const web = svc(spec, 'web');
    assert.equal(web.image, 'shoal-test/busybox:2');
    assert.deepEqual(web.args, ['httpd', '-f', '-p', '8080']);
    assert.equal(web.env.LOG_LEVEL, 'debug');
    assert.equal(web.env.DATABASE_HOST, 'db');
    assert.equal(web.replicas, 3);
    assert.equal(web.resources.limits.nanoCpus, 500_000_000);
    assert.deepEqual(web.ports.map((p) => `${p.published}:${p.target}`), ['8081:80', '8443:443', '9090:90']);
    const db = svc(spec, 'db');
    assert.deepEqual(db.mounts[0], { type: 'volume', source: 'db-data', target: '/var/lib/postgresql/data', readOnly: true });
    assert.equal(db.mounts.length, 3);
  });

  test('a service with profiles is left out with a warning', () => {
    assert.equal(spec.services.adminer, undefined);
    assert.ok(spec.warnings.some((w) => /^compose\.prod\.yaml:\d+: services\.adminer: left out: its profiles \(debug\)/.test(w)), spec.warnings.join('\n'));
  });

  test('!reset removes a value and !override replaces a list', () => {
    const base = 'services:\n  web:\n    image: x\n    ports: ["80:80", "81:81"]\n    environment: { A: "1", B: "2" }\n    labels: [a=1]\n';
    const override = 'services:\n  web:\n    ports: !override ["82:82"]\n    environment:\n      B: !reset\n    labels: !reset []\n';
    const web = svc(
      renderStack({ files: [{ name: 'a.yaml', content: base }, { name: 'b.yaml', content: override }], variables: {} }).spec,
      'web',
    );
    assert.deepEqual(web.ports.map((p) => p.published), [82]);
    assert.deepEqual(web.env, { A: '1' });
    assert.deepEqual(web.containerLabels, {});
  });

  test('lists written as lists in one file and mappings in the next merge by key', () => {
    const a = 'services:\n  web:\n    image: x\n    environment: [A=1, B=2]\n    depends_on: [db]\n    secrets: [s]\n  db: { image: y }\nsecrets: { s: { file: /s } }\n';
    const b = 'services:\n  web:\n    environment: { B: "3" }\n    depends_on: { db: { condition: service_healthy } }\n    secrets: [{ source: s, mode: 0400 }]\n';
    const web = svc(renderStack({ files: [{ name: 'a.yaml', content: a }, { name: 'b.yaml', content: b }], variables: {} }).spec, 'web');
    assert.deepEqual(web.env, { A: '1', B: '3' });
    assert.deepEqual(web.dependsOn, [{ service: 'db', condition: 'healthy' }]);
    assert.deepEqual(web.secrets, [{ source: 's', mode: 0o400 }]);
  });
});

describe('YAML anchors, aliases and merge keys', () => {
  test('merge keys: explicit keys win, earlier sources win over later ones', () => {
    const content = [
      'x-a: &a { image: a, user: a, hostname: a }',
      'x-b: &b { image: b, user: b, working_dir: /b }',
      'services:',
      '  web:',
      '    <<: [*a, *b]',
      '    hostname: mine',
      '    x-note: anything goes here ${NOT_INTERPOLATED:?never}',
    ].join('\n');
    const web = svc(one(content), 'web');
    assert.deepEqual([web.image, web.user, web.hostname, web.workdir], ['a', 'a', 'mine', '/b']);
  });

  test('an alias reused in two services, and a problem in it reported at the anchor with the path of its use', () => {
    const content = ['x-hc: &hc', '  test: ["CMD", "true"]', '  interval: soon', 'services:', '  a: { image: x, healthcheck: *hc }'].join('\n');
    assert.throws(() => one(content), (e: Error) => e.message === 'compose.yaml:3: services.a.healthcheck.interval: "soon" is not a duration such as 10s, 1m30s or 500ms');
  });
});

describe('conversions', () => {
  test('ports: short syntax, ranges, udp, container-only, long syntax, ingress by default when published', () => {
    const spec = one('services:\n  web:\n    image: x\n    ports: [80, "8080-8081:80-81", "53:53/udp", "0.0.0.0:9000:9000", "7000-7001", {target: 22, published: "2222", mode: host}, {target: 23, published: "2323"}]\n');
    assert.deepEqual(spec.warnings, []);
    const web = svc(spec, 'web');
    assert.deepEqual(web.ports, [
      { target: 80, protocol: 'tcp', mode: 'host' },
      { target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' },
      { target: 81, published: 8081, protocol: 'tcp', mode: 'ingress' },
      { target: 53, published: 53, protocol: 'udp', mode: 'ingress' },
      { target: 9000, published: 9000, protocol: 'tcp', mode: 'ingress' },
      { target: 7000, protocol: 'tcp', mode: 'host' },
      { target: 7001, protocol: 'tcp', mode: 'host' },
      { target: 22, published: 2222, protocol: 'tcp', mode: 'host' },
      { target: 23, published: 2323, protocol: 'tcp', mode: 'ingress' },
    ]);
  });

  test('ports that cannot be honoured are refused', () => {
    const refused = (port: string): string => {
      try {
        one(`services:\n  web:\n    image: x\n    ports: ["${port}"]\n`);
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    assert.match(refused('8080-8090:80'), /a published port range for one container port is not supported/);
    assert.match(refused('8080-8081:80-82'), /the published range has 2 ports and the container range 3/);
    assert.match(refused('80/sctp'), /protocol "sctp" is not supported/);
    assert.match(refused('[::1]:80:80'), /host address \[::1\] is not supported/);
    assert.match(refused('70000:80'), /port 70000 is not between 1 and 65535/);
  });

  test('volumes: named, anonymous, absolute bind, long syntax, tmpfs; ignored options warn', () => {
    const spec = one(
      'services:\n  web:\n    image: x\n    volumes: ["data:/data:ro,z", /cache, "/srv:/srv", {type: bind, source: /etc/ssl, target: /ssl, read_only: true, bind: {propagation: rslave}}]\n    tmpfs: ["/run:size=64m"]\nvolumes:\n  data: { external: true, name: shared-data }\n',
    );
    assert.deepEqual(svc(spec, 'web').mounts, [
      { type: 'volume', source: 'data', target: '/data', readOnly: true },
      { type: 'volume', target: '/cache', readOnly: false },
      { type: 'bind', source: '/srv', target: '/srv', readOnly: false },
      { type: 'bind', source: '/etc/ssl', target: '/ssl', readOnly: true },
      { type: 'tmpfs', target: '/run', readOnly: false },
    ]);
    assert.deepEqual(spec.volumes, { data: { external: true, name: 'shared-data' } });
    assert.deepEqual(spec.warnings, [
      'compose.yaml:4: services.web.volumes[0]: option "z" ignored (not supported by Shoal)',
      'compose.yaml:4: services.web.volumes[3].bind.propagation: ignored (not supported by Shoal)',
      'compose.yaml:5: services.web.tmpfs[0]: options "size=64m" ignored (not supported by Shoal)',
    ]);
  });

  test('healthcheck: list form, disable, NONE', () => {
    const spec = one('services:\n  a: { image: x, healthcheck: { test: [CMD, curl, -f, "http://x"], retries: "5", timeout: 500ms } }\n  b: { image: x, healthcheck: { disable: true } }\n');
    assert.deepEqual(svc(spec, 'a').healthcheck, { test: ['CMD', 'curl', '-f', 'http://x'], intervalMs: 30_000, timeoutMs: 500, retries: 5, startPeriodMs: 0 });
    assert.deepEqual(svc(spec, 'b').healthcheck?.test, ['NONE']);
  });

  test('restart values and deploy.restart_policy winning over restart', () => {
    const policy = (restart: string): unknown => svc(one(`services:\n  a: { image: x, restart: "${restart}" }\n`), 'a').restartPolicy;
    assert.deepEqual(policy('no'), { condition: 'none', delayMs: 5000, maxAttempts: 0, windowMs: 0 });
    assert.deepEqual(policy('always'), { condition: 'any', delayMs: 5000, maxAttempts: 0, windowMs: 0 });
    assert.deepEqual(policy('unless-stopped'), { condition: 'any', delayMs: 5000, maxAttempts: 0, windowMs: 0 });
    assert.deepEqual(policy('on-failure'), { condition: 'on-failure', delayMs: 5000, maxAttempts: 0, windowMs: 0 });
    assert.deepEqual(policy('on-failure:3'), { condition: 'on-failure', delayMs: 5000, maxAttempts: 3, windowMs: 0 });
    const both = svc(one('services:\n  a: { image: x, restart: always, deploy: { restart_policy: { condition: on-failure } } }\n'), 'a');
    assert.equal(both.restartPolicy.condition, 'on-failure');
  });

  test('older resource keys, scale, and deploy winning over them with a warning', () => {
    const spec = one('services:\n  a: { image: x, cpus: 1.5, mem_limit: 1g, mem_reservation: 512m, scale: 4 }\n  b: { image: x, cpus: 2, deploy: { resources: { limits: { cpus: "0.5" } } } }\n');
    assert.deepEqual(svc(spec, 'a').resources, { limits: { nanoCpus: 1_500_000_000, memoryBytes: 1024 ** 3 }, reservations: { nanoCpus: 0, memoryBytes: 512 * 1024 ** 2 } });
    assert.equal(svc(spec, 'a').replicas, 4);
    assert.equal(svc(spec, 'b').resources.limits.nanoCpus, 500_000_000);
    assert.deepEqual(spec.warnings, ['compose.yaml:3: services.b.cpus: ignored (deploy.resources sets it)']);
  });

  test('refused keys that ask for nothing are accepted; warned keys warn', () => {
    const spec = one('services:\n  a:\n    image: x\n    privileged: false\n    cap_add: []\n    container_name: a1\n    tty: true\n');
    assert.deepEqual(spec.warnings, [
      'compose.yaml:6: services.a.container_name: ignored (Shoal names containers)',
      'compose.yaml:7: services.a.tty: ignored (Shoal does not attach to containers)',
    ]);
  });

  test('a service that names no networks joins default, declared or not', () => {
    const spec = one('services:\n  a: { image: x }\n  b: { image: x, networks: { default: { aliases: [bee] } } }\n');
    assert.deepEqual(spec.serviceNetworks, { a: { default: { aliases: [] } }, b: { default: { aliases: ['bee'] } } });
    assert.deepEqual(spec.networks, { default: { external: false } });
  });

  test('depends_on: optional missing dependency is left out with a warning', () => {
    const spec = one('services:\n  a:\n    image: x\n    depends_on:\n      b: { condition: service_started, required: false }\n');
    assert.deepEqual(svc(spec, 'a').dependsOn, []);
    assert.match(spec.warnings[0] ?? '', /^compose\.yaml:5: services\.a\.depends_on\.b: service "b" is not defined in services: optional dependency left out$/);
  });

  test('external secrets and configs, environment and file sources', () => {
    const spec = one(
      'services:\n  a: { image: x, secrets: [s1, s2, s3], configs: [c1] }\nsecrets:\n  s1: { external: true }\n  s2: { external: { name: legacy } }\n  s3: { environment: TOKEN }\nconfigs:\n  c1: { file: ./conf/app.ini, name: app-ini }\n',
    );
    assert.deepEqual(spec.secrets, { s1: { external: true }, s2: { external: true, name: 'legacy' }, s3: { external: false, environment: 'TOKEN' } });
    assert.deepEqual(spec.configs, { c1: { external: false, name: 'app-ini', file: './conf/app.ini' } });
  });
});
