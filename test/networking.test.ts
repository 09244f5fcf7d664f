import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import { dockerNetworkName } from '../src/api/networks.js';
import { taskName, type TaskObject } from '../src/api/objects.js';
import { containsAddress, parseCidr, parseIpv4 } from '../src/lib/cidr.js';
import { ShoalClient } from '../src/client/shoal-client.js';
import { printedAdminPassword } from './harness/admin-client.js';
import type { MultiHostCluster } from './harness/multi-host/index.js';
import { apiUrl } from './harness/multi-host/endpoints.js';
import { nodeIndexOf, startMultiHostCluster } from './harness/multi-host/index.js';
import { runShoal } from './harness/run-cli.js';
import { waitFor } from './harness/wait.js';

/**
 * Issue 6 on real engines: four nodes, each a dockerd in its own network namespace with its own
 * address. Nodes 0-2 are in environment `default`, node 3 joins environment `other`. Containers
 * reach each other by name across nodes (VXLAN overlay + the agents' resolvers), and a port
 * published in ingress mode answers on every node of the environment.
 */
let c: MultiHostCluster;
let other: ShoalClient;

/** Serves its own hostname (the container id), so answers tell which task served them. */
const whoami = ['sh', '-c', 'hostname > /www/index.html && exec httpd -f -p 80 -h /www'];

async function clientIn(env: string): Promise<ShoalClient> {
  const baseUrl = apiUrl(c.endpoints);
  const res = await fetch(`${baseUrl}/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: printedAdminPassword(c.manager.log()) }) });
  const { token } = (await res.json()) as { token: string };
  return new ShoalClient({ baseUrl, env, sessionToken: token });
}

/** Runs a command in a task's container on the engine of its node. */
async function execIn(task: TaskObject, cmd: string[]): Promise<{ code: number; out: string }> {
  const node = c.node(nodeIndexOf(c, task.nodeId));
  const container = node.docker.getContainer(task.status.containerId ?? '');
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const out = { write: (b: Buffer) => chunks.push(Buffer.from(b)) };
    node.docker.modem.demuxStream(stream, out as unknown as NodeJS.WritableStream, out as unknown as NodeJS.WritableStream);
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  return { code: info.ExitCode ?? -1, out: Buffer.concat(chunks).toString('utf8') };
}

/** The A records busybox's nslookup printed (the server's own address line excluded). */
function addressesIn(nslookup: string): string[] {
  const answers = nslookup.split(/\n\s*\n/).slice(1).join('\n');
  return [...answers.matchAll(/Address(?: \d+)?:\s*(\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1] ?? '').sort();
}

async function running(client: ShoalClient, service: string, n: number): Promise<TaskObject[]> {
  return waitFor(`${n} running tasks of ${service}`, async () => {
    const tasks = (await client.listTasks({ service })).filter((t) => t.desiredState === 'running' && t.status.state === 'running' && (t.status.addresses?.length ?? 0) > 0);
    return tasks.length === n ? tasks : undefined;
  }, 90_000, 200);
}

const compose = (services: string): string => `services:\n${services}`;

let defaultNetwork = '';
/** A task's address on its environment's network: the one names resolve to. */
const addressOf = (t: TaskObject): string => t.status.addresses?.find((a) => a.network === defaultNetwork)?.ip ?? '';

before(async () => {
  c = await startMultiHostCluster({ nodes: 4, hostAgent: false, deferAgents: [3] });
  try {
    defaultNetwork = dockerNetworkName((await c.client.getNetwork('default')).id);
    await c.client.createEnvironment({ name: 'other' });
    other = await clientIn('other');
    await c.startAgent(3, (await other.showJoinToken('worker')).token, other);
  } catch (err) {
    await c.destroy();
    throw err;
  }
});

after(async () => {
  const problems = await c.destroy();
  assert.deepEqual(problems, [], 'the run left nothing behind');
});

void describe('service discovery and networks across hosts', () => {
  let web: TaskObject;
  let db: TaskObject;

  test('web on node 0 reaches db on another node by name', async () => {
    await c.client.deployStack('firststack', {
      files: [{
        name: 'compose.yaml',
        content: compose(`  web:\n    image: shoal-test/busybox:1\n    stop_signal: SIGKILL\n    networks: [default, back]\n    deploy: { placement: { constraints: ["node.hostname==node-0"] } }\n  db:\n    image: shoal-test/busybox:1\n    stop_signal: SIGKILL\n    command: ${JSON.stringify(whoami)}\n    networks: { default: {}, back: { aliases: [database] } }\n    deploy: { placement: { constraints: ["node.hostname!=node-0"] } }\nnetworks:\n  back: {}\n`),
      }],
      variables: {},
    });
    [web] = await running(c.client, 'firststack_web', 1) as [TaskObject];
    [db] = await running(c.client, 'firststack_db', 1) as [TaskObject];
    assert.notEqual(web.nodeId, db.nodeId, 'web and db run on different nodes');
    const dbIp = addressOf(db);
    const cluster = parseCidr(c.clusterCidr);
    assert.ok(cluster && containsAddress(cluster, parseIpv4(dbIp) ?? -1), `db has an overlay address: ${dbIp} in ${c.clusterCidr}`);

    // Names follow task changes within a second: db's address may still be on its way.
    const lookup = await waitFor('db to resolve from web', async () => {
      const r = await execIn(web, ['nslookup', 'db']);
      return addressesIn(r.out).length > 0 ? r : undefined;
    }, 5000, 100);
    assert.deepEqual(addressesIn(lookup.out), [dbIp], lookup.out);
    const fetched = await execIn(web, ['timeout', '5', 'wget', '-qO-', 'http://db/']);
    assert.equal(fetched.code, 0, fetched.out);
    assert.equal(fetched.out.trim(), db.status.containerId?.slice(0, 12), 'the page came from db\'s container');
    const full = await execIn(web, ['nslookup', 'db.firststack.default.shoal.internal']);
    assert.deepEqual(addressesIn(full.out), [dbIp]);
    const alias = await execIn(web, ['nslookup', 'database']);
    assert.deepEqual(addressesIn(alias.out), [dbIp], `the compose alias names db:\n${alias.out}`);
    const own = await execIn(web, ['nslookup', taskName(db)]);
    assert.deepEqual(addressesIn(own.out), [dbIp], `a task's own name (its container's):\n${own.out}`);
    assert.equal(db.status.addresses?.length, 3, 'db is on its environment\'s network and the stack\'s default and back networks');
  });

  test('the CLI: dns lookup answers as the resolvers do; network ls lists the stack network', async () => {
    const cli = { url: apiUrl(c.endpoints), cliConfig: join(c.state.dir, 'cli-config.json') };
    const found = await runShoal(cli, ['dns', 'lookup', 'db', '--from', 'firststack_web']);
    assert.equal(found.code, 0, found.stderr);
    assert.equal(found.stdout, `db\t${addressOf(db)}\n`);
    const missing = await runShoal(cli, ['dns', 'lookup', 'db.nostack.default.shoal.internal', '--from', 'firststack_web']);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /no such name from firststack_web \(stack firststack, environment default\)/);
    const ls = await runShoal(cli, ['network', 'ls', '--format', 'json']);
    assert.equal(ls.code, 0, ls.stderr);
    const names = (JSON.parse(ls.stdout) as { name: string }[]).map((n) => n.name).sort();
    assert.deepEqual(names, ['default', 'firststack_back', 'firststack_default']);
  });

  test('the live resolver survives 10,000 malformed packets and still answers', async () => {
    const resolv = (await execIn(web, ['cat', '/etc/resolv.conf'])).out;
    const gateway = /^nameserver (\S+)/m.exec(resolv)?.[1];
    assert.ok(gateway, resolv);
    // Sent from inside node 0's namespace, where the resolver listens on the bridge's gateway.
    const flood = `const d = require('node:dgram').createSocket('udp4'); const { randomBytes } = require('node:crypto');
      let n = 0; const next = () => { if (n === 10000) { d.close(); return; } const b = randomBytes(1 + (n % 700)); d.send(b, 53, '${gateway}', () => { n++; setImmediate(next); }); }; next();`;
    const r = spawnSync('nsenter', [`--net=/run/netns/${c.node(0).namespace ?? ''}`, process.execPath, '-e', flood], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(c.node(0).agent?.running(), 'the agent is still running');
    const lookup = await execIn(web, ['nslookup', 'db']);
    assert.deepEqual(addressesIn(lookup.out), [addressOf(db)], lookup.out);
  });

  test('a second stack reaches db as db.firststack; another environment can neither resolve nor reach it', async () => {
    await c.client.deployStack('secondstack', {
      files: [{ name: 'compose.yaml', content: compose('  client:\n    image: shoal-test/busybox:1\n    stop_signal: SIGKILL\n    deploy: { placement: { constraints: ["node.hostname==node-2"] } }\n') }],
      variables: {},
    });
    const [client] = await running(c.client, 'secondstack_client', 1) as [TaskObject];
    const fetched = await execIn(client, ['timeout', '5', 'wget', '-qO-', 'http://db.firststack/']);
    assert.equal(fetched.code, 0, fetched.out);
    assert.equal(fetched.out.trim(), db.status.containerId?.slice(0, 12));
    assert.deepEqual(addressesIn((await execIn(client, ['nslookup', 'db'])).out), [], 'a bare `db` is only the own stack\'s');

    await other.deployStack('firststack', {
      files: [{ name: 'compose.yaml', content: compose('  probe:\n    image: shoal-test/busybox:1\n    stop_signal: SIGKILL\n') }],
      variables: {},
    });
    const [probe] = await running(other, 'firststack_probe', 1) as [TaskObject];
    assert.equal(nodeIndexOf(c, probe.nodeId), 3);
    for (const name of ['db', 'db.firststack', 'db.firststack.default.shoal.internal', 'tasks.db']) {
      const r = await execIn(probe, ['nslookup', name]);
      assert.deepEqual(addressesIn(r.out), [], `${name} does not resolve from environment other:\n${r.out}`);
    }
    const dbIp = addressOf(db);
    const reach = await execIn(probe, ['timeout', '4', 'wget', '-qO-', `http://${dbIp}/`]);
    assert.notEqual(reach.code, 0, `db's address must not be reachable from environment other: ${reach.out}`);

    // A network no task uses any more leaves every engine.
    const second = dockerNetworkName((await c.client.getNetwork('secondstack_default')).id);
    assert.ok((await c.node(2).docker.listNetworks()).some((n) => n.Name === second), 'node 2 has the stack network of its task');
    await c.client.removeStack('secondstack');
    await waitFor('secondstack_default to leave every engine', async () => {
      for (const n of c.nodes) if ((await n.docker.listNetworks()).some((x) => x.Name === second)) return undefined;
      return true;
    }, 30_000, 200);
  });

  test('tasks.db lists every running task; a killed one leaves the answers', async () => {
    await c.client.scaleStack('firststack', { db: 3 });
    const tasks = await running(c.client, 'firststack_db', 3);
    const ips = tasks.map(addressOf).sort();
    await waitFor('tasks.db to answer 3 addresses', async () => {
      const r = await execIn(web, ['nslookup', 'tasks.db']);
      return addressesIn(r.out).join() === ips.join() ? true : undefined;
    }, 10_000, 100);

    const victim = tasks.find((t) => t.id !== db.id) ?? tasks[0];
    assert.ok(victim);
    const victimIp = addressOf(victim);
    const engine: Docker = c.node(nodeIndexOf(c, victim.nodeId)).docker;
    await engine.getContainer(victim.status.containerId ?? '').kill();
    const killedAt = Date.now();
    // The outcome is asserted; how fast it comes is measured by `npm run bench -- --only=dns-update`
    // (the 2 s goal is checked there) and printed here. The bound only stops a hang.
    await waitFor(`${victimIp} to leave the answers for tasks.db`, async () => {
      const r = await execIn(web, ['nslookup', 'tasks.db']);
      const now = addressesIn(r.out);
      return now.length > 0 && !now.includes(victimIp) ? true : undefined;
    }, 15_000, 0);
    const gone = Date.now() - killedAt;
    process.stderr.write(`networking test: killed task left the answers after ${gone} ms\n`);
  });
});

void describe('ingress: a published port answers on every node', () => {
  test('tasks on node 0 only; requests to nodes 1 and 2 are answered and spread over the tasks', async () => {
    const port = 18080;
    await c.client.createService({
      name: 'pub',
      spec: { image: 'shoal-test/busybox:1', replicas: 3, stopSignal: 'SIGKILL', command: whoami, ports: [{ target: 80, published: port, mode: 'ingress' }], placement: { constraints: ['node.hostname==node-0'] } },
    });
    const tasks = await running(c.client, 'pub', 3);
    assert.ok(tasks.every((t) => nodeIndexOf(c, t.nodeId) === 0));
    // The manager's view of where the port answers (what --wait waits for): the 3 nodes of
    // the environment, once each agent reports the port bound and routed to the 3 tasks. From
    // then on every request is answered, with no retry.
    const ports = await waitFor('port answered on every node of the environment', async () => {
      const p = (await c.client.getService('pub')).ports;
      return p && p.ready === p.nodes ? p : undefined;
    }, 30_000);
    assert.equal(ports.nodes, 3, JSON.stringify(ports));
    const served = new Map<string, number>();
    for (const i of [1, 2]) {
      const address = c.node(i).network?.nodeAddress;
      assert.ok(address);
      for (let k = 0; k < 15; k++) {
        const body = (await (await fetch(`http://${address}:${port}/`, { signal: AbortSignal.timeout(30_000) })).text()).trim();
        served.set(body, (served.get(body) ?? 0) + 1);
      }
    }
    const containers = new Set(tasks.map((t) => t.status.containerId?.slice(0, 12)));
    assert.ok([...served.keys()].every((k) => containers.has(k)), `only the service's tasks answered: ${[...served.keys()].join(', ')}`);
    assert.equal(served.size, 3, `30 requests spread over all 3 tasks: ${JSON.stringify([...served])}`);
  });
});
